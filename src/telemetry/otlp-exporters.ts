import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpSettings } from './otlp-settings.js';

/** OTLP settings with the exporters of their protocol loaded. */
export interface OtlpPipeline extends OtlpSettings {
  metricExporter(url: string): PushMetricExporter;
  traceExporter(url: string): SpanExporter;
}

/**
 * Loads the OTLP exporters these settings need: none when OTLP is off, else the configured
 * protocol's pair. Why not imported at the top: the four exporter packages (protobufjs with
 * them) cost ~35 ms of start-up and ~3.4 MB of heap in an exporter that only Prometheus scrapes.
 */
export async function loadOtlp(o: OtlpSettings | undefined): Promise<OtlpPipeline | undefined> {
  if (!o) return undefined;
  const [m, t] = await Promise.all(o.protocol === 'http/json'
    ? [import('@opentelemetry/exporter-metrics-otlp-http'), import('@opentelemetry/exporter-trace-otlp-http')]
    : [import('@opentelemetry/exporter-metrics-otlp-proto'), import('@opentelemetry/exporter-trace-otlp-proto')]);
  return { ...o, metricExporter: (url) => new m.OTLPMetricExporter({ url }), traceExporter: (url) => new t.OTLPTraceExporter({ url }) };
}
