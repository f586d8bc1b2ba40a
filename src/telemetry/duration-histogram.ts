import { ValueType, type Attributes } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type HistogramMetricData } from '@opentelemetry/sdk-metrics';

/** One series: cumulative bucket counts (the last one unbounded), as the SDK's histogram keeps them. */
interface Series {
  attributes: Attributes;
  startMs: number;
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** The instrument's limit before it was kept here (a view's aggregationCardinalityLimit). */
const DEFAULT_CARDINALITY_LIMIT = 100_000;
const OVERFLOW_KEY = '\u0000overflow';
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/**
 * The GenAI duration histogram kept in our own state instead of an SDK instrument: the SDK hashed
 * the attributes (sorted keys, JSON) on every record, a few µs of every probe. A series is found
 * by the identity of the attributes object (the telemetry caches one per deployment and outcome)
 * and, the first time, by its content, so deployments with equal attributes share a series as the
 * SDK's did. Exported through the metric producers in the SDK's data model (same name, buckets,
 * cumulative counts, sum, min, max), so /metrics and OTLP carry what the instrument carried.
 * Like the SDK's (opentelemetry-js #4096), a series stays once recorded; past the cardinality
 * limit new attribute sets share the overflow series, as they did in the SDK.
 */
export class DurationHistogram {
  readonly #boundaries: readonly number[];
  readonly #byObject = new WeakMap<Attributes, Series>();
  readonly #byContent = new Map<string, Series>();

  readonly #limit: number;

  /** `cardinalityLimit`: series at most, the last one the overflow series (the SDK's rule). */
  constructor(boundaries: readonly number[], cardinalityLimit = DEFAULT_CARDINALITY_LIMIT) {
    this.#boundaries = boundaries;
    this.#limit = cardinalityLimit;
  }

  /** One measurement in seconds; negative and NaN ones are dropped, as the SDK drops them. */
  record(value: number, attributes: Attributes, nowMs = Date.now()): void {
    if (!(value >= 0)) return;
    let s = this.#byObject.get(attributes);
    if (!s) {
      const key = JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      s = this.#byContent.get(key);
      if (!s) {
        // Past the limit, new attribute sets fold into one overflow series, as the SDK's
        // cardinality limit does: a series is never dropped, so the map must not grow without end.
        const overflow = this.#byContent.size >= this.#limit - 1;
        const k = overflow ? OVERFLOW_KEY : key;
        s = this.#byContent.get(k);
        if (!s) {
          s = { attributes: overflow ? OVERFLOW_ATTRIBUTES : attributes, startMs: nowMs, counts: new Array<number>(this.#boundaries.length + 1).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity };
          this.#byContent.set(k, s);
        }
      }
      this.#byObject.set(attributes, s);
    }
    s.count += 1;
    s.sum += value;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
    s.counts[bucketOf(this.#boundaries, value)]! += 1;
  }

  /** The series as collected metric data (undefined before the first record, as the SDK skips it). */
  metricData(name: string, description: string, unit: string, nowMs = Date.now()): HistogramMetricData | undefined {
    if (!this.#byContent.size) return undefined;
    const endTime = millisToHrTime(nowMs);
    const boundaries = [...this.#boundaries];
    return {
      descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [...this.#byContent.values()].map((s) => ({
        attributes: s.attributes,
        startTime: millisToHrTime(s.startMs),
        endTime,
        value: { min: s.min, max: s.max, sum: s.sum, count: s.count, buckets: { boundaries, counts: [...s.counts] } },
      })),
    };
  }
}

/** The first bucket whose upper bound is ≥ value (the SDK's binarySearchUB); the last: unbounded. */
function bucketOf(boundaries: readonly number[], value: number): number {
  let lo = 0;
  let hi = boundaries.length - 1;
  let found = boundaries.length;
  while (hi >= lo) {
    const mid = lo + Math.trunc((hi - lo) / 2);
    if (boundaries[mid]! < value) lo = mid + 1;
    else { found = mid; hi = mid - 1; }
  }
  return found;
}
