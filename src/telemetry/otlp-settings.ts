/** Where and how to send OTLP, from the standard OTEL_* variables or general_settings. */
export interface OtlpSettings {
  /** Base endpoint (…:4318); undefined when the exporters should read the OTEL_* variables themselves. */
  endpoint?: string;
  protocol: 'http/protobuf' | 'http/json';
  metricIntervalMs: number;
}

const OTLP_ENDPOINT_VARS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'];

/**
 * OTLP is on when an endpoint is configured (general_settings.otel_exporter_otlp_endpoint or
 * any OTEL_EXPORTER_OTLP_*ENDPOINT) and OTEL_SDK_DISABLED is not true. gRPC is not bundled:
 * asked for, it is reported and http/protobuf used instead.
 */
export function otlpSettings(
  config: { endpoint?: string; protocol?: string },
  env: NodeJS.ProcessEnv,
  warn: (msg: string) => void,
): OtlpSettings | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return undefined;
  const fromEnv = OTLP_ENDPOINT_VARS.some((v) => env[v]);
  if (!config.endpoint && !fromEnv) return undefined;
  let protocol = (config.protocol ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    warn(`OTLP protocol "${protocol}" is not supported here; using http/protobuf`);
    protocol = 'http/protobuf';
  }
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  return {
    endpoint: config.endpoint?.replace(/\/+$/, ''),
    protocol: protocol as OtlpSettings['protocol'],
    metricIntervalMs: Number.isFinite(interval) && interval > 0 ? interval : 60_000,
  };
}
