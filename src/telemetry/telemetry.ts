import { diag, INVALID_SPAN_CONTEXT, ProxyTracerProvider, ROOT_CONTEXT as ROOT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deployment } from '../core/deployment.js';
import { genAiProviderOf, serverEndpoint } from '../registry/providers.js';
import type { ProbeResult } from '../core/result.js';
import { VERSION } from '../core/meta.js';
import { DeploymentMetricProducer } from './deployment-metrics.js';
import { DEPLOYMENT_SCOPE, DeploymentSeries, type MetricSource } from './deployment-series.js';
import { DeploymentText } from './deployment-text.js';
import { DurationHistogram } from './duration-histogram.js';
import { METRICS, metricName, type AttributeOf, type ExportPath } from './metrics.js';
import type { OtlpPipeline } from './otlp-exporters.js';
import { PrometheusTextSerializer } from './prometheus-text.js';
import { StatusMetricProducer, type StatusMetricSource } from './status-metrics.js';

const NOT_RECORDING = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

const GEN_AI_DURATION = METRICS.genAiOperationDuration;
/** GenAI semconv advice for gen_ai.client.operation.duration (seconds), from the metrics table. */
export const GEN_AI_DURATION_BUCKETS: number[] = [...GEN_AI_DURATION.buckets];
/** The histogram's attributes; keys the metrics table does not list do not compile. */
type GenAiDurationAttributes = { [K in AttributeOf<'genAiOperationDuration'>]?: string | number };

/** gen_ai.operation.name for a mode (semconv values where one exists, else the mode). */
export function genAiOperation(mode: string): string {
  switch (mode) {
    case 'chat': return 'chat';
    case 'completion': return 'text_completion';
    case 'embedding': return 'embeddings';
    default: return mode;
  }
}

export interface TelemetryOptions extends MetricSource {
  /** Maintenance and notification metrics (status-metrics.ts). */
  status?: StatusMetricSource;
  /** OTLP settings with their exporters loaded (loadOtlp). */
  otlp?: OtlpPipeline;
  env?: NodeJS.ProcessEnv;
  /** Extra span processors (tests use an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

/**
 * Everything OpenTelemetry: Prometheus /metrics (served by our fastify), OTLP metrics and traces
 * when configured, the GenAI duration histogram, and the tracer the runner uses for probe spans.
 * Two meter providers, because the two paths want different names for the same histogram
 * (Prometheus: ..._seconds; OTLP: the semconv name with unit "s").
 */
export class Telemetry {
  readonly prometheus: PrometheusExporter;
  readonly tracer: Tracer;
  readonly callbacks: string[];
  readonly resource: Resource;
  readonly #meterProviders: MeterProvider[] = [];
  /** gen_ai.client.operation.duration, kept here and exported by the producers (duration-histogram.ts). */
  readonly #durations = new DurationHistogram(GEN_AI_DURATION_BUCKETS);
  /** /metrics' per-deployment lines, kept between scrapes (deployment-text.ts). */
  readonly #deploymentText: DeploymentText;
  readonly #status: StatusMetricProducer | undefined;
  readonly #tracerProvider: TracerProvider;
  /** False when no span goes anywhere: probe spans are then not even built. */
  readonly #tracing: boolean;
  /**
   * A deployment's histogram attributes for a healthy probe (a reload makes new Deployments), one
   * object per distinct content: deployments alike share it, and the histogram finds their series
   * by its identity. A Map and an object per deployment were ~4 MB at 10,000 deployments.
   */
  readonly #histogramAttributes = new WeakMap<Deployment, GenAiDurationAttributes>();
  /** Never pruned: one entry per label set ever probed, as the histogram (like the SDK's) keeps a series for each. */
  readonly #attributesByContent = new Map<string, GenAiDurationAttributes>();
  /** The same plus `error.type`, per shared healthy attributes and error type. */
  readonly #failedAttributes = new WeakMap<GenAiDurationAttributes, Map<string, GenAiDurationAttributes>>();
  /** Same options as the PrometheusExporter below (withoutScopeInfo; target_info kept). */
  readonly #promText = new PrometheusTextSerializer({ withoutScopeInfo: true });

  constructor(opts: TelemetryOptions) {
    const env = opts.env ?? process.env;
    this.resource = resourceFromAttributes({ 'service.name': 'llm-health-exporter', 'service.version': VERSION })
      .merge(detectResources({ detectors: [envDetector] }));
    // envDetector reads process.env; honour an injected env for OTEL_SERVICE_NAME too.
    if (env.OTEL_SERVICE_NAME) this.resource = this.resource.merge(resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME }));
    this.callbacks = ['prometheus'];

    const source: MetricSource = { ...opts, durations: this.#durations };
    const series = new DeploymentSeries(source);
    this.#status = opts.status ? new StatusMetricProducer('prometheus', opts.status) : undefined;
    // /metrics is written from `series` directly (serveMetrics); the exporter's collect() reads
    // the same walk through the producer, so the OTel pipeline and the text agree.
    this.prometheus = new PrometheusExporter({
      preventServerStart: true,
      withoutScopeInfo: true,
      metricProducers: [new DeploymentMetricProducer('prometheus', series), ...(this.#status ? [this.#status] : [])],
    });
    this.#deploymentText = new DeploymentText(series, this.#promText);
    this.#addMeterProvider(this.prometheus);

    const spanProcessors: SpanProcessor[] = [...(opts.spanProcessors ?? [])];
    if (opts.otlp) {
      const o = opts.otlp;
      if (o.metricsUrl) {
        this.#addMeterProvider(new PeriodicExportingMetricReader({
          exporter: o.metricExporter(o.metricsUrl),
          exportIntervalMillis: o.metricIntervalMs,
          exportTimeoutMillis: Math.min(30_000, o.metricIntervalMs),
          metricProducers: [new DeploymentMetricProducer('otlp', source), ...(opts.status ? [new StatusMetricProducer('otlp', opts.status)] : [])],
        }));
      }
      if (o.tracesUrl) spanProcessors.push(new BatchSpanProcessor({ exporter: o.traceExporter(o.tracesUrl) }));
      this.callbacks.push('otlp');
    }
    this.#tracerProvider = new TracerProvider({ resource: this.resource, spanProcessors });
    // With nowhere to send spans, a no-op tracer: recording spans nobody exports cost ~10% of a
    // probe's CPU (npm run bench).
    this.#tracing = spanProcessors.length > 0;
    this.tracer = spanProcessors.length
      ? this.#tracerProvider.getTracer('llm-health-exporter', VERSION)
      : new ProxyTracerProvider().getTracer('llm-health-exporter', VERSION);
  }

  /** A reader needs a meter provider to collect from; the instruments are our producers. */
  #addMeterProvider(reader: MetricReader): void {
    this.#meterProviders.push(new MeterProvider({ resource: this.resource, readers: [reader] }));
  }

  /** Records one probe in the GenAI duration histogram. */
  recordProbe(d: Deployment, r: ProbeResult): void {
    let attributes = this.#histogramAttributes.get(d) ?? this.#sharedAttributes(d);
    if (!r.healthy) {
      const outcome = r.errorType ?? '_OTHER';
      let byOutcome = this.#failedAttributes.get(attributes);
      if (!byOutcome) this.#failedAttributes.set(attributes, (byOutcome = new Map()));
      const healthy = attributes;
      attributes = byOutcome.get(outcome) ?? byOutcome.set(outcome, { ...healthy, 'error.type': outcome }).get(outcome)!;
    }
    this.#durations.record(r.latencyMs / 1000, attributes);
  }

  /** A deployment's healthy-probe attributes, the object shared by every deployment with the same ones. */
  #sharedAttributes(d: Deployment): GenAiDurationAttributes {
    const ep = serverEndpoint(d);
    const attributes: GenAiDurationAttributes = {
      'gen_ai.operation.name': genAiOperation(d.mode),
      'gen_ai.provider.name': genAiProviderOf(d),
      'gen_ai.request.model': d.providerModel,
      'server.address': ep.address,
    };
    if (ep.port !== undefined) attributes['server.port'] = ep.port;
    const content = JSON.stringify(Object.values(attributes));
    const shared = this.#attributesByContent.get(content) ?? this.#attributesByContent.set(content, attributes).get(content)!;
    this.#histogramAttributes.set(d, shared);
    return shared;
  }

  /** Starts the span of one probe; the runner ends it with endProbeSpan. */
  startProbeSpan(d: Deployment, parent?: Context): Span {
    if (!this.#tracing) return NOT_RECORDING;
    const ep = serverEndpoint(d);
    const operation = genAiOperation(d.mode);
    return this.tracer.startSpan(`${operation} ${d.providerModel}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': operation,
        'gen_ai.provider.name': genAiProviderOf(d),
        'gen_ai.request.model': d.providerModel,
        'server.address': ep.address,
        ...(ep.port !== undefined ? { 'server.port': ep.port } : {}),
        'llm.deployment.id': d.id,
        'llm.model_name': d.modelName,
        'llm.mode': d.mode,
      },
    }, parent);
  }

  /** Starts the parent span of a round; probes started with its context become its children. */
  startRoundSpan(deployments: number): { span: Span; context: Context } {
    const span = this.tracer.startSpan('health_check round', { kind: SpanKind.INTERNAL, attributes: { 'llm.deployments': deployments } });
    return { span, context: trace.setSpan(ROOT, span) };
  }

  /**
   * Serves /metrics as the Prometheus exporter's own handler does (same status, content-type,
   * error body, same text as its collect() serialized), but written by our serializer from the
   * store walk (deployment-text.ts): at 10,000 deployments the library's serializer took
   * 320-560 ms of a scrape, collect() and ours still ~110 ms.
   */
  serveMetrics(_req: IncomingMessage, res: ServerResponse): void {
    res.statusCode = 200;
    res.setHeader('content-type', 'text/plain');
    (this.#status ? this.#status.collect() : Promise.resolve(undefined)).then((status) => {
      if (status?.errors.length) diag.error('PrometheusExporter: metrics collection errors', ...status.errors);
      const { metrics, rendered, release } = this.#deploymentText.collect('prometheus', Date.now());
      // Sent or cut off: its kept blocks may be rewritten for later answers.
      if (res.closed) release(); else res.once('close', release);
      const scopeMetrics = [{ scope: DEPLOYMENT_SCOPE, metrics }, ...(status?.resourceMetrics.scopeMetrics ?? [])];
      // Segments of bytes (the kept lines are not copied into one 23 MB buffer at 10k
      // deployments), with the content-length the library's single end() gets.
      const parts = this.#promText.serializeParts({ resource: this.resource, scopeMetrics }, rendered);
      let length = 0;
      for (const p of parts) length += p.length;
      res.setHeader('content-length', length);
      // 'finish': the bytes are with the OS; the first segment's buffer can take the next scrape.
      if (parts[0]) { const first = parts[0]; res.once('finish', () => this.#promText.release(first)); }
      res.cork();
      for (const p of parts) res.write(p);
      res.end();
      res.uncork();
    }).catch((err: unknown) => {
      res.end(`# failed to export metrics: ${err}`);
    });
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.#meterProviders.map((p) => p.forceFlush()), this.#tracerProvider.forceFlush()]);
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.#meterProviders.map((p) => p.shutdown()), this.#tracerProvider.shutdown()]);
  }
}

export function endProbeSpan(span: Span, r: ProbeResult): void {
  if (!r.healthy) {
    span.setAttribute('error.type', r.errorType ?? '_OTHER');
    if (r.status !== undefined) span.setAttribute('http.response.status_code', r.status);
    span.setStatus({ code: SpanStatusCode.ERROR, message: r.error });
  }
  span.end();
}
