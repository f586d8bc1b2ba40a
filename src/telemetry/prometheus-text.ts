import type { Attributes } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  DataPointType,
  type Histogram, type MetricData, type ResourceMetrics, type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { AnswerChunks } from './answer-chunks.js';
import { METRICS } from './metrics.js';
import { Bytes, escapeAttributeValue, escapeString, join, prometheusType, sanitizeName, valueString, type RenderedLines } from './prometheus-format.js';

/*
 * The Prometheus text exposition as UTF-8 bytes, byte-for-byte what
 * `Buffer.from(new PrometheusSerializer(undefined, false, undefined, withoutTargetInfo, withoutScopeInfo).serialize(rm))`
 * gives (@opentelemetry/exporter-prometheus 0.223, build/src/PrometheusSerializer.js), but fast.
 *
 * Why, measured at 10,000 deployments (8.5 MB, 50k lines): the library took 320-560 ms per scrape,
 * running Object.entries and ~5 regex replaces per label per line. The per-deployment points share
 * one attributes object per deployment across collections (DeploymentMetricProducer caches them),
 * so here each attributes object's `k="v",...` block is escaped and UTF-8 encoded once (WeakMap by
 * identity) and a line is a few byte copies. Bytes rather than a string: building the 8.5 MB
 * string took ~20 ms and encoding it (rope flatten + UTF-8) ~30 ms more; writing bytes takes ~15.
 *
 * Assumes what the SDK's data model says: attributes objects in collected data are not mutated
 * afterwards (ours are built once and never changed). test/prometheus-text-matches-library.test.ts
 * checks equality with the library on generated data.
 */

const NO_REGISTERED_METRICS = '# no registered metrics';
/** The library's fixed target_info name and help, as the metrics table documents them (tests keep them equal). */
const { prometheus: TARGET_INFO, help: TARGET_INFO_HELP, type: TARGET_INFO_TYPE } = METRICS.targetInfo;
const TARGET_INFO_HEAD = `# HELP ${TARGET_INFO} ${TARGET_INFO_HELP}\n# TYPE ${TARGET_INFO} ${TARGET_INFO_TYPE}\n${TARGET_INFO}`;

/**
 * An attributes object's label block, as text (for joins) and as UTF-8 once a line is written
 * from it here. Lazily: the per-deployment families only read the text (deployment-text.ts), and
 * a Buffer per attributes object (90,000 at 10,000 deployments) held ~17 MB for nothing.
 */
interface Labels { text: string; bytes: Buffer | undefined }

/**
 * A metric's series name as the library writes it (sanitized, `_` before a leading digit,
 * `_total` on monotonic sums); undefined where this serializer leaves the metric to the library.
 */
export function seriesName(metric: MetricData): string | undefined {
  let name = sanitizeName(escapeString(metric.descriptor.name));
  const type = metric.dataPointType;
  if (name === '' || name === '_' || (type !== DataPointType.GAUGE && type !== DataPointType.SUM && type !== DataPointType.HISTOGRAM)) return undefined;
  if (name[0]! >= '0' && name[0]! <= '9') name = `_${name}`;
  if (type === DataPointType.SUM && metric.isMonotonic && !name.endsWith('_total')) name += '_total';
  return name;
}

export interface PrometheusTextOptions {
  /** The PrometheusExporter's withoutTargetInfo (default false: a target_info series). */
  withoutTargetInfo?: boolean;
  /** The PrometheusExporter's withoutScopeInfo (default false: otel_scope_* labels on every line). */
  withoutScopeInfo?: boolean;
}

export class PrometheusTextSerializer {
  readonly #withoutTargetInfo: boolean;
  readonly #withoutScopeInfo: boolean;
  /** attributes object → its label block without braces (`a="1",b="2"`, '' when empty). */
  readonly #labels = new WeakMap<Attributes, Labels>();
  /** attribute key → sanitized label name (keys are few, values many). */
  readonly #keys = new Map<string, string>();
  /** The library, for metrics whose name normalizes to '' or '_' and unknown point types (it logs those). */
  readonly #library: PrometheusSerializer;
  /** The last output's size: the next buffer starts at it, so it rarely grows. */
  #sizeHint = 64 * 1024;
  /** A buffer handed back by release(), for the next serialize() (fresh memory means page faults). */
  #spare: Buffer | undefined;
  /** serialize() result → the whole buffer it is a view of. */
  readonly #whole = new WeakMap<Buffer, Buffer>();
  /** What serializeParts() writes into, reused from one answer to the next. */
  readonly #chunks = new AnswerChunks();

  constructor(opts: PrometheusTextOptions = {}) {
    this.#withoutTargetInfo = !!opts.withoutTargetInfo;
    this.#withoutScopeInfo = !!opts.withoutScopeInfo;
    this.#library = new PrometheusSerializer(undefined, false, undefined, true, this.#withoutScopeInfo);
  }

  /** The exposition text, UTF-8 encoded, in a buffer nothing else writes to until it is release()d. */
  serialize(resourceMetrics: ResourceMetrics): Buffer {
    const size = this.#sizeHint + 4096;
    const spare = this.#spare;
    this.#spare = undefined;
    const out = new Bytes(spare && spare.length >= size ? spare : Buffer.allocUnsafe(size));
    this.#write(out, resourceMetrics, undefined);
    this.#sizeHint = out.written;
    const view = out.buf.subarray(0, out.len);
    this.#whole.set(view, out.buf);
    return view;
  }

  /**
   * The same text as serialize(), as segments to write in order: `rendered` gives metrics whose
   * series lines the caller wrote itself (`name{labels} value\n` each, named by seriesName()).
   * The first segment goes to release() when the answer is sent.
   */
  serializeParts(resourceMetrics: ResourceMetrics, rendered: ReadonlyMap<MetricData, ReadonlyArray<RenderedLines>>): Buffer[] {
    const writing = this.#chunks.begin();
    const out = new Bytes(writing.next(0), writing.next);
    this.#write(out, resourceMetrics, rendered);
    const parts = out.parts();
    writing.written(parts[0]);
    return parts;
  }

  #write(out: Bytes, resourceMetrics: ResourceMetrics, rendered: ReadonlyMap<MetricData, ReadonlyArray<RenderedLines>> | undefined): void {
    if (!this.#withoutTargetInfo) {
      out.str(TARGET_INFO_HEAD);
      this.#labelsAndValue(out, this.#labelsOf(resourceMetrics.resource.attributes), '', undefined, 1);
    }
    const start = out.written;
    for (const { scope, metrics } of resourceMetrics.scopeMetrics) {
      const extra = this.#withoutScopeInfo ? '' : this.#scopeLabels(scope);
      for (const metric of metrics) this.#metric(out, metric, scope, extra, rendered?.get(metric));
    }
    if (out.written === start && !rendered?.size) out.str(NO_REGISTERED_METRICS);
  }

  /** Hands back a serialize() result or a serializeParts() first segment nothing reads any more, for reuse. */
  release(text: Buffer): void {
    if (this.#chunks.release(text)) return;
    const whole = this.#whole.get(text);
    this.#whole.delete(text);
    if (whole && (!this.#spare || whole.length > this.#spare.length)) this.#spare = whole;
  }

  /** Bytes this serializer keeps for the next answers (tests, and the reason it stays small). */
  get retainedBytes(): number {
    return (this.#spare?.length ?? 0) + this.#chunks.retainedBytes;
  }

  /**
   * The label block of an attributes object as this serializer writes it (`a="1",b="2"`), for
   * callers that render a metric's lines themselves (deployment-text.ts).
   */
  labelText(attributes: Attributes): string {
    return this.#labelsOf(attributes).text;
  }

  /**
   * One metric as the library's `_serializeMetricData(...).trim() + '\n'` (nothing when it skips
   * it); `lines`: its series already rendered (`name{labels} value\n` each, seriesName's name).
   */
  #metric(out: Bytes, metric: MetricData, scope: ScopeMetrics['scope'], extra: string, lines?: ReadonlyArray<RenderedLines>): void {
    const name = seriesName(metric);
    const type = metric.dataPointType;
    if (name === undefined) {
      const text = this.#library.serialize({ resource: { attributes: {} } as ResourceMetrics['resource'], scopeMetrics: [{ scope, metrics: [metric] }] });
      if (text !== NO_REGISTERED_METRICS) out.str(text);
      return;
    }

    const unit = metric.descriptor.unit ? `\n# UNIT ${name} ${escapeString(metric.descriptor.unit)}` : '';
    out.str(`# HELP ${name} ${escapeString(metric.descriptor.description || 'description missing')}${unit}\n# TYPE ${name} ${prometheusType(metric)}\n`);
    // The library trims the metric and then appends '\n'. The text starts with '#' and ends with the
    // TYPE line or a value line + '\n' (a value never ends in whitespace), so no trim is needed.
    if (lines) {
      for (const l of lines) {
        if (typeof l === 'string') out.text(l);
        else if (typeof l === 'function') out.text(l());
        else out.splice(l);
      }
    } else if (type === DataPointType.HISTOGRAM) {
      for (const p of metric.dataPoints) this.#histogram(out, name, this.#labelsOf(p.attributes), extra, p.value);
    } else if (type === DataPointType.GAUGE || type === DataPointType.SUM) {
      const nameBytes = Buffer.from(name);
      for (const p of metric.dataPoints) {
        out.bytes(nameBytes);
        this.#labelsAndValue(out, this.#labelsOf(p.attributes), extra, undefined, p.value);
      }
    }
  }

  /** The library's _serializeHistogramDataPoint: _count, _sum, then cumulative _bucket lines, `le` last. */
  #histogram(out: Bytes, name: string, labels: Labels, extra: string, h: Histogram): void {
    if (h.count != null) {
      out.str(`${name}_count`);
      this.#labelsAndValue(out, labels, extra, undefined, h.count);
    }
    if (h.sum != null) {
      out.str(`${name}_sum`);
      this.#labelsAndValue(out, labels, extra, undefined, h.sum);
    }
    let cumulative = 0;
    let infinite = false;
    for (const [i, count] of h.buckets.counts.entries()) {
      cumulative += count;
      const bound = h.buckets.boundaries[i];
      // Some aggregations list Infinity as a boundary, others leave the last bucket unbounded.
      if (bound === undefined && infinite) break;
      if (bound === Infinity) infinite = true;
      out.str(`${name}_bucket`);
      this.#labelsAndValue(out, labels, extra, bound === undefined || bound === Infinity ? '+Inf' : String(bound), cumulative);
    }
  }

  /** `{labels} value\n` after a metric name: the point's labels, then the scope's, then `le`. */
  #labelsAndValue(out: Bytes, labels: Labels, extra: string, le: string | undefined, value: number): void {
    if (extra) { // scope info on every line: not our configuration, so simply as text
      out.str(`{${join(join(labels.text, extra), le === undefined ? '' : `le="${escapeAttributeValue(le)}"`)}} `);
    } else if (labels.text || le !== undefined) {
      out.str('{');
      out.bytes(labels.bytes ??= Buffer.from(labels.text));
      if (le !== undefined) out.str(`${labels.text ? ',' : ''}le="${escapeAttributeValue(le)}"`);
      out.str('} ');
    } else {
      out.str(' ');
    }
    out.str(valueString(value));
    out.str('\n');
  }

  #scopeLabels(scope: ScopeMetrics['scope']): string {
    const info: Attributes = { 'otel.scope.name': scope.name };
    if (scope.schemaUrl) info['otel.scope.schema_url'] = scope.schemaUrl;
    if (scope.version) info['otel.scope.version'] = scope.version;
    return this.#text(info);
  }

  #labelsOf(attributes: Attributes): Labels {
    let labels = this.#labels.get(attributes);
    if (labels === undefined) {
      const text = this.#text(attributes);
      this.#labels.set(attributes, (labels = { text, bytes: undefined }));
    }
    return labels;
  }

  /**
   * Joined, not concatenated: `+=` gives a rope of a dozen pieces that stays a rope while kept (a
   * Buffer.from of it used to flatten it); 90,000 kept ropes were ~40 MB more heap than flat text.
   */
  #text(attributes: Attributes): string {
    const pairs: string[] = [];
    for (const [key, value] of Object.entries(attributes)) {
      let label = this.#keys.get(key);
      if (label === undefined) this.#keys.set(key, (label = sanitizeName(key)));
      pairs.push(`${label}="${escapeAttributeValue(value)}"`);
    }
    return pairs.join(',');
  }
}
