/** Where and how to send OTLP, from general_settings or the standard OTEL_* variables. */
export interface OtlpSettings {
  tracesUrl?: string;
  metricsUrl?: string;
  protocol: 'http/protobuf' | 'http/json';
  metricIntervalMs: number;
}

/**
 * OTLP is on when an endpoint is configured (general_settings.otel_exporter_otlp_endpoint,
 * OTEL_EXPORTER_OTLP_ENDPOINT, or a signal's own OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT)
 * and OTEL_SDK_DISABLED is not true. A signal-specific endpoint is used as given; a base
 * endpoint gets /v1/traces and /v1/metrics, as the OTLP exporter spec says. gRPC is not
 * bundled: asked for, it is reported and http/protobuf used instead.
 */
export function otlpSettings(
  config: { endpoint?: string; protocol?: string },
  env: NodeJS.ProcessEnv,
  warn: (msg: string) => void,
): OtlpSettings | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  const base = (config.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT)?.trim().replace(/\/+$/, '');
  const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (base ? `${base}/v1/traces` : undefined);
  const metricsUrl = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim() || (base ? `${base}/v1/metrics` : undefined);
  if (!tracesUrl && !metricsUrl) return undefined;
  let protocol = (config.protocol ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    warn(`OTLP protocol "${protocol}" is not supported here; using http/protobuf`);
    protocol = 'http/protobuf';
  }
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  return {
    tracesUrl,
    metricsUrl,
    protocol: protocol as OtlpSettings['protocol'],
    metricIntervalMs: Number.isFinite(interval) && interval > 0 ? interval : 60_000,
  };
}
