import { ValueType, type Attributes } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type GaugeMetricData, type MetricData } from '@opentelemetry/sdk-metrics';
import type { Deployment } from '../core/deployment.js';
import type { HealthStore } from '../store/types.js';
import { verdictOf, type ProbeResult, type Verdict } from '../core/result.js';
import { VERSION } from '../core/meta.js';
import { steadyRatiosUntil, UPTIME_WINDOWS, uptimeBetween } from '../store/uptime-runs.js';
import type { DurationHistogram } from './duration-histogram.js';
import { DEPLOYMENT_LABELS, METRICS, metricName, type ExportPath, type ExportedMetricSpec } from './metrics.js';
import { deploymentLabels, INPUT_CODE, NO_EXTRA_LABELS, OUTPUT_CODE, outcomeCode, WINDOW_CODE, withExtra, type DeploymentAttributes } from './series-labels.js';

const WINDOWS = Object.entries(UPTIME_WINDOWS);
const WINDOW_LENGTHS = WINDOWS.map(([, ms]) => ms);

/** What the producer reads on each collection (a subset of TelemetryOptions). */
export interface MetricSource {
  deployments: () => readonly Deployment[];
  store: HealthStore;
  /** The background interval in seconds, undefined when probes run on demand only. */
  intervalS?: () => number | undefined;
  /** How a stored result is shown (stale ones as unhealthy); default the stored one. */
  view?: (id: string) => ProbeResult | undefined;
  /** Whether a deployment without a result counts as pending (it is due to be probed). */
  listed?: (id: string) => boolean;
  /** A deployment's staleness threshold in seconds (undefined: never stale). */
  staleAfterS?: (d: Deployment) => number | undefined;
  /** A deployment's latency threshold in seconds (undefined: none, so never degraded). */
  latencyThresholdS?: (d: Deployment) => number | undefined;
  /**
   * Until when view(d.id) stays as it is at `now` for the metrics (verdict, stale or not,
   * degraded) while the stored result stays the same one; absent or -Infinity: ask every time.
   */
  shownUntil?: (d: Deployment, now: number) => number;
  /** The GenAI duration histogram the probes record into (exported first). */
  durations?: DurationHistogram;
}

/** The per-deployment families, in /metrics order; a series names its family by index. */
const FAMILIES = [
  { spec: METRICS.deploymentHealthy, kind: 'gauge' },
  { spec: METRICS.probeDuration, kind: 'gauge' },
  { spec: METRICS.lastProbeTimestamp, kind: 'gauge' },
  { spec: METRICS.lastSuccessTimestamp, kind: 'gauge' },
  { spec: METRICS.probes, kind: 'counter' },
  { spec: METRICS.probeTokens, kind: 'counter' },
  { spec: METRICS.probeCost, kind: 'counter', valueType: ValueType.DOUBLE },
  { spec: METRICS.consecutiveFailures, kind: 'gauge' },
  { spec: METRICS.uptimeRatio, kind: 'gauge' },
  { spec: METRICS.staleAfter, kind: 'gauge' },
  { spec: METRICS.degraded, kind: 'gauge' },
  { spec: METRICS.tlsCertExpiry, kind: 'gauge' },
] as const satisfies ReadonlyArray<{ spec: ExportedMetricSpec; kind: 'gauge' | 'counter'; valueType?: ValueType }>;
const F = { healthy: 0, duration: 1, lastProbe: 2, lastSuccess: 3, probes: 4, tokens: 5, cost: 6, failures: 7, uptime: 8, staleAfter: 9, degraded: 10, certExpiry: 11 } as const;
export const DEPLOYMENT_FAMILY_COUNT = FAMILIES.length;
export const FAMILY_EXTRA_KEYS: ReadonlyArray<readonly string[]> = FAMILIES.map((f) => f.spec.labels.slice(DEPLOYMENT_LABELS.length).map((l) => l.attribute)); // keys a family adds

/** One series: family (index), deployment position, the labels it adds (a code: extraLabels), value; `sinceMs`: a counter's start. */
export type SeriesSink = (family: number, index: number, labels: number, value: number, sinceMs?: number) => void;

/** What a walk hands its reader: every series, and with `done`, each deployment as it ends. */
export interface SeriesVisitor {
  series: SeriesSink;
  /** Just these positions (the others are left out, as with skip). */
  only?: readonly number[];
  /** True: deployment i is left out of this walk (the reader keeps what it had for it). */
  skip?: (i: number, d: Deployment) => boolean;
  /**
   * After deployment i: how it was counted (undefined: not at all), and until when what it gave
   * stays the same while its stored result stays the same object (-Infinity: no such promise).
   */
  done?: (i: number, counted: Verdict | undefined, steadyUntil: number) => void;
}

export interface DeploymentCounts { healthy: number; unhealthy: number; pending: number }

/**
 * Every per-deployment series, read from the store at one instant: the one walk both the OTel
 * producer (OTLP, and the PrometheusExporter's collect()) and the /metrics writer
 * (deployment-text.ts) read, so the two cannot disagree on what exists or its value.
 */
export class DeploymentSeries {
  readonly #source: MetricSource;
  /**
   * One attributes object per deployment, reused across collections: the /metrics writers key
   * their label text by object identity. Kept by position in the deployments list (a WeakMap
   * lookup per deployment was the walk's largest cost); a reload makes a new list of new
   * Deployment objects, so the old entries go with the old list.
   */
  #labelsOf: { deployments: readonly Deployment[]; labels: Array<DeploymentAttributes | undefined> } | undefined;
  /** Per deployment, the attributes object of each labels code: made only for a reader that asks (attributesOf). */
  #withExtraOf: { deployments: readonly Deployment[]; objects: Array<Attributes[] | undefined> } | undefined;

  constructor(source: MetricSource) { this.#source = source; }
  get source(): MetricSource { return this.#source; }
  /** Deployment i's own attributes from the last walk of `deployments` (its others: these, then FAMILY_EXTRA_KEYS). */
  deploymentAttributes(deployments: readonly Deployment[], i: number): DeploymentAttributes | undefined { return this.#labelsOf?.deployments === deployments ? this.#labelsOf.labels[i] : undefined; }
  /**
   * Deployment i's attributes with the labels of `code`, the same object at every collection
   * (the serializer keys label text by identity); for a series of the last walk of `deployments`.
   */
  attributesOf(deployments: readonly Deployment[], i: number, code: number): Attributes {
    const base = this.deploymentAttributes(deployments, i);
    if (!base) throw new Error(`deployment ${i} was not walked`);
    if (code === NO_EXTRA_LABELS) return base;
    if (this.#withExtraOf?.deployments !== deployments) this.#withExtraOf = { deployments, objects: new Array<Attributes[] | undefined>(deployments.length) };
    const objects = this.#withExtraOf.objects[i] ??= [];
    return objects[code] ??= withExtra(base, code);
  }
  /** Hands every series to `emit`, deployment by deployment; returns the /health counts. */
  walk(deployments: readonly Deployment[], nowMs: number, visitor: SeriesVisitor): DeploymentCounts {
    const { series: emit, skip, done, only } = visitor;
    const counts = { healthy: 0, unhealthy: 0, pending: 0 };
    const { store, listed, staleAfterS, latencyThresholdS } = this.#source;
    const view = this.#source.view ?? ((id: string) => store.get(id));
    if (this.#labelsOf?.deployments !== deployments) this.#labelsOf = { deployments, labels: new Array<DeploymentAttributes | undefined>(deployments.length) };
    const labelsOf = this.#labelsOf.labels;
    const n = only ? only.length : deployments.length;
    for (let k = 0; k < n; k++) {
      const i = only ? only[k]! : k;
      const d = deployments[i]!;
      if (skip?.(i, d)) continue;
      const r = view(d.id);
      const stats = store.stats(d.id);
      if (!r) {
        const counted = listed?.(d.id) ? 'pending' : undefined;
        if (counted) counts.pending++;
        done?.(i, counted, this.#source.shownUntil?.(d, nowMs) ?? -Infinity);
        continue;
      }
      labelsOf[i] ??= deploymentLabels(d);
      // The verdict, not the last probe: one failure under the threshold changes nothing here,
      // and a deployment without a verdict yet has no series (unknown, not unhealthy).
      // A stale result is unknown health: counted unhealthy as /health shows it, but no series,
      // so an exporter that stopped probing pages as stale (LLMHealthProbesStale), not as down.
      const verdict = verdictOf(r);
      counts[verdict]++;
      if (verdict !== 'pending' && r.errorType !== 'stale') emit(F.healthy, i, NO_EXTRA_LABELS, verdict === 'healthy' ? 1 : 0);
      // A strategy router is graded from what it routes to and never probed: no probe series.
      if (!stats) {
        done?.(i, verdict, this.#source.shownUntil?.(d, nowMs) ?? -Infinity);
        continue;
      }
      emit(F.failures, i, NO_EXTRA_LABELS, r.consecutiveFailures ?? (r.healthy ? 0 : 1));
      const staleS = staleAfterS?.(d);
      if (staleS !== undefined) emit(F.staleAfter, i, NO_EXTRA_LABELS, staleS);
      // Degraded is a healthy deployment's shade: known only with a fresh verdict (view marks it).
      if (verdict !== 'pending' && r.errorType !== 'stale' && latencyThresholdS?.(d) !== undefined) emit(F.degraded, i, NO_EXTRA_LABELS, r.degraded ? 1 : 0);
      if (r.tlsCertExpiresAt !== undefined) emit(F.certExpiry, i, NO_EXTRA_LABELS, r.tlsCertExpiresAt / 1000);
      emit(F.duration, i, NO_EXTRA_LABELS, r.latencyMs / 1000);
      emit(F.lastProbe, i, NO_EXTRA_LABELS, r.checkedAt / 1000);
      if (stats.lastSuccessAt !== undefined) emit(F.lastSuccess, i, NO_EXTRA_LABELS, stats.lastSuccessAt / 1000);
      const runs = store.uptimeRuns(d.id);
      for (let w = 0; runs.length && w < WINDOWS.length; w++) {
        const ratio = uptimeBetween(runs, nowMs - WINDOWS[w]![1], nowMs).ratio;
        if (ratio !== null) emit(F.uptime, i, WINDOW_CODE + w, ratio);
      }
      const since = stats.since;
      const spent = store.spend(d.id)?.sinceStart;
      if (spent && (spent.inputTokens || spent.outputTokens)) {
        emit(F.tokens, i, INPUT_CODE, spent.inputTokens, since);
        emit(F.tokens, i, OUTPUT_CODE, spent.outputTokens, since);
      }
      if (spent && spent.probes > spent.unpriced) emit(F.cost, i, NO_EXTRA_LABELS, spent.costUsd, since);
      for (const [outcome, count] of stats.outcomes) emit(F.probes, i, outcomeCode(outcome), count, since);
      // Everything above is read from the stored result and its entry except the view's
      // staleness and the uptime windows, which move with the clock.
      if (done) done(i, verdict, Math.min(this.#source.shownUntil?.(d, nowMs) ?? -Infinity, steadyRatiosUntil(runs, nowMs, WINDOW_LENGTHS)));
    }
    return counts;
  }

  /**
   * The collected metrics around the per-deployment families, in /metrics order: the GenAI
   * histogram first (where the SDK instrument's scope put it), then the families (their points
   * from `points`, empty when the caller writes them itself), the counts and the interval.
   */
  metrics(path: ExportPath, nowMs: number, counts: DeploymentCounts, points: (family: number) => GaugeMetricData['dataPoints']): { metrics: MetricData[]; families: MetricData[] } {
    const now = millisToHrTime(nowMs);
    const metrics: MetricData[] = [];
    const families: MetricData[] = [];
    const histogram = this.#source.durations?.metricData(metricName(METRICS.genAiOperationDuration, path), METRICS.genAiOperationDuration.help, METRICS.genAiOperationDuration.unit, nowMs);
    if (histogram) metrics.push(histogram);
    FAMILIES.forEach((f, family) => {
      const descriptor = descriptorOf(f.spec, path);
      families.push(f.kind === 'gauge'
        ? { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: points(family) }
        : {
          descriptor: 'valueType' in f ? { ...descriptor, valueType: f.valueType } : descriptor,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints: points(family),
        });
    });
    metrics.push(...families);
    const single = (spec: ExportedMetricSpec, value: number): GaugeMetricData => ({
      descriptor: descriptorOf(spec, path),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: [{ startTime: now, endTime: now, attributes: {}, value }],
    });
    metrics.push(single(METRICS.healthyCount, counts.healthy), single(METRICS.unhealthyCount, counts.unhealthy), single(METRICS.pendingCount, counts.pending));
    const interval = this.#source.intervalS?.();
    if (interval !== undefined) metrics.push(single(METRICS.checkInterval, interval));
    return { metrics, families };
  }
}

/** The instrumentation scope of every metric the exporter builds. */
export const DEPLOYMENT_SCOPE = { name: 'llm-health-exporter', version: VERSION };

/** A table entry as an OTel descriptor; counts are integers, everything else a double. */
export function descriptorOf(spec: ExportedMetricSpec, path: ExportPath): MetricData['descriptor'] {
  return { name: metricName(spec, path), description: spec.help, unit: spec.unit, valueType: spec.type === 'counter' ? ValueType.INT : ValueType.DOUBLE };
}
