import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType,
  type CollectionResult, type GaugeMetricData, type MetricData, type MetricProducer, type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import type { Deployment } from '../core/deployment.js';
import { serverEndpoint } from '../registry/providers.js';
import type { HealthStore } from '../store/types.js';
import { verdictOf, type ProbeResult } from '../core/result.js';
import { VERSION } from '../core/meta.js';
import { UPTIME_WINDOWS, uptimeBetween } from '../store/uptime-runs.js';
import { METRICS, metricName, type AttributeOf, type ExportPath, type ExportedMetricSpec } from './metrics.js';

type DeploymentAttributes = Record<AttributeOf<'deploymentHealthy'>, string>;
type ProbeOutcomeAttributes = Record<AttributeOf<'probes'>, string>;
type WindowAttributes = Record<AttributeOf<'uptimeRatio'>, string>;
type DirectionAttributes = Record<AttributeOf<'probeTokens'>, string>;
const WINDOWS = Object.entries(UPTIME_WINDOWS);

/** The per-deployment labels of the metrics table (typed by it); key order is /metrics label order. */
export function deploymentLabels(d: Deployment): DeploymentAttributes {
  return {
    model_name: d.modelName,
    model_id: d.id,
    model: d.probeModel,
    mode: d.mode,
    provider: d.provider,
    server_address: serverEndpoint(d).address,
  };
}

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
}

/**
 * Builds every per-deployment point from the store on each collection. The SDK's own instruments
 * keep every attribute set they ever saw (opentelemetry-js #4096), so a removed deployment would
 * be exported forever; reading the store instead makes removed deployments vanish from /metrics.
 */
export class DeploymentMetricProducer implements MetricProducer {
  readonly #path: ExportPath;
  readonly #source: MetricSource;
  /**
   * One attributes object per deployment, and per deployment + probe outcome, reused across
   * collections: the /metrics serializer (prometheus-text.ts) memoizes label text by object
   * identity. A reload makes new Deployment objects, so stale entries simply become garbage.
   */
  readonly #labels = new WeakMap<Deployment, { base: DeploymentAttributes; outcomes: Map<string, ProbeOutcomeAttributes>; windows: WindowAttributes[]; directions: [DirectionAttributes, DirectionAttributes] }>();

  constructor(path: ExportPath, source: MetricSource) {
    this.#path = path;
    this.#source = source;
  }

  async collect(): Promise<CollectionResult> {
    const path = this.#path;
    const now = millisToHrTime(Date.now());
    const healthy: GaugeMetricData['dataPoints'] = [];
    const duration: GaugeMetricData['dataPoints'] = [];
    const lastProbe: GaugeMetricData['dataPoints'] = [];
    const lastSuccess: GaugeMetricData['dataPoints'] = [];
    const probes: SumMetricData['dataPoints'] = [];
    const failures: GaugeMetricData['dataPoints'] = [];
    const staleAfter: GaugeMetricData['dataPoints'] = [];
    const uptime: GaugeMetricData['dataPoints'] = [];
    const tokens: SumMetricData['dataPoints'] = [];
    const cost: SumMetricData['dataPoints'] = [];
    const nowMs = Date.now();
    const degraded: GaugeMetricData['dataPoints'] = [];
    const certExpiry: GaugeMetricData['dataPoints'] = [];
    const counts = { healthy: 0, unhealthy: 0, pending: 0 };
    const { store, listed, staleAfterS, latencyThresholdS } = this.#source;
    const view = this.#source.view ?? ((id: string) => store.get(id));

    for (const d of this.#source.deployments()) {
      const r = view(d.id);
      const stats = store.stats(d.id);
      if (!r) {
        if (listed?.(d.id)) counts.pending++;
        continue;
      }
      let labels = this.#labels.get(d);
      if (!labels) {
        const base = deploymentLabels(d);
        const directions: [DirectionAttributes, DirectionAttributes] = [{ ...base, direction: 'input' }, { ...base, direction: 'output' }];
        this.#labels.set(d, (labels = { base, outcomes: new Map(), windows: WINDOWS.map(([window]) => ({ ...base, window })), directions }));
      }
      const attributes = labels.base;
      const point = (value: number) => ({ startTime: now, endTime: now, attributes, value });
      // The verdict, not the last probe: one failure under the threshold changes nothing here,
      // and a deployment without a verdict yet has no series (unknown, not unhealthy).
      // A stale result is unknown health: counted unhealthy as /health shows it, but no series,
      // so an exporter that stopped probing pages as stale (LLMHealthProbesStale), not as down.
      const verdict = verdictOf(r);
      counts[verdict]++;
      if (verdict !== 'pending' && r.errorType !== 'stale') healthy.push(point(verdict === 'healthy' ? 1 : 0));
      // A strategy router is graded from what it routes to and never probed: no probe series.
      if (!stats) continue;
      failures.push(point(r.consecutiveFailures ?? (r.healthy ? 0 : 1)));
      const staleS = staleAfterS?.(d);
      if (staleS !== undefined) staleAfter.push(point(staleS));
      // Degraded is a healthy deployment's shade: known only with a fresh verdict (view marks it).
      if (verdict !== 'pending' && r.errorType !== 'stale' && latencyThresholdS?.(d) !== undefined) degraded.push(point(r.degraded ? 1 : 0));
      if (r.tlsCertExpiresAt !== undefined) certExpiry.push(point(r.tlsCertExpiresAt / 1000));
      duration.push(point(r.latencyMs / 1000));
      lastProbe.push(point(r.checkedAt / 1000));
      if (stats.lastSuccessAt !== undefined) lastSuccess.push(point(stats.lastSuccessAt / 1000));
      const runs = store.uptimeRuns(d.id);
      for (let w = 0; runs.length && w < WINDOWS.length; w++) {
        const ratio = uptimeBetween(runs, nowMs - WINDOWS[w]![1], nowMs).ratio;
        if (ratio !== null) uptime.push({ startTime: now, endTime: now, attributes: labels.windows[w]!, value: ratio });
      }
      const since = millisToHrTime(stats.since);
      const spent = store.spend(d.id)?.sinceStart;
      if (spent && (spent.inputTokens || spent.outputTokens)) {
        tokens.push({ startTime: since, endTime: now, attributes: labels.directions[0], value: spent.inputTokens });
        tokens.push({ startTime: since, endTime: now, attributes: labels.directions[1], value: spent.outputTokens });
      }
      if (spent && spent.probes > spent.unpriced) cost.push({ startTime: since, endTime: now, attributes, value: spent.costUsd });
      for (const [outcome, count] of stats.outcomes) {
        let outcomeAttributes = labels.outcomes.get(outcome);
        if (!outcomeAttributes) {
          const healthyOutcome = outcome === 'healthy';
          outcomeAttributes = { ...attributes, result: healthyOutcome ? 'healthy' : 'unhealthy', error_type: healthyOutcome ? '' : outcome } satisfies ProbeOutcomeAttributes;
          labels.outcomes.set(outcome, outcomeAttributes);
        }
        probes.push({ startTime: since, endTime: now, attributes: outcomeAttributes, value: count });
      }
    }

    const gauge = (spec: ExportedMetricSpec, dataPoints: GaugeMetricData['dataPoints']): GaugeMetricData => ({
      descriptor: descriptorOf(spec, path),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints,
    });
    const counter = (spec: ExportedMetricSpec, dataPoints: SumMetricData['dataPoints'], valueType?: ValueType): SumMetricData => ({
      descriptor: { ...descriptorOf(spec, path), ...(valueType !== undefined ? { valueType } : {}) },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints,
    });
    const single = (value: number): GaugeMetricData['dataPoints'] => [{ startTime: now, endTime: now, attributes: {}, value }];
    const metrics: MetricData[] = [
      gauge(METRICS.deploymentHealthy, healthy),
      gauge(METRICS.probeDuration, duration),
      gauge(METRICS.lastProbeTimestamp, lastProbe),
      gauge(METRICS.lastSuccessTimestamp, lastSuccess),
      {
        descriptor: descriptorOf(METRICS.probes, path),
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: probes,
      },
      counter(METRICS.probeTokens, tokens),
      counter(METRICS.probeCost, cost, ValueType.DOUBLE),
      gauge(METRICS.consecutiveFailures, failures),
      gauge(METRICS.uptimeRatio, uptime),
      gauge(METRICS.staleAfter, staleAfter),
      gauge(METRICS.degraded, degraded),
      gauge(METRICS.tlsCertExpiry, certExpiry),
      gauge(METRICS.healthyCount, single(counts.healthy)),
      gauge(METRICS.unhealthyCount, single(counts.unhealthy)),
      gauge(METRICS.pendingCount, single(counts.pending)),
    ];
    const interval = this.#source.intervalS?.();
    if (interval !== undefined) metrics.push(gauge(METRICS.checkInterval, single(interval)));
    return {
      resourceMetrics: {
        resource: resourceFromAttributes({}),
        scopeMetrics: [{ scope: { name: 'llm-health-exporter', version: VERSION }, metrics }],
      },
      errors: [],
    };
  }
}

/** A table entry as an OTel descriptor; counts are integers, everything else a double. */
function descriptorOf(spec: ExportedMetricSpec, path: ExportPath): MetricData['descriptor'] {
  return { name: metricName(spec, path), description: spec.help, unit: spec.unit, valueType: spec.type === 'counter' ? ValueType.INT : ValueType.DOUBLE };
}
