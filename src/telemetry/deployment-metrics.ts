import { ValueType, type Attributes } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType,
  type CollectionResult, type GaugeMetricData, type MetricData, type MetricProducer, type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import type { Deployment } from '../core/deployment.js';
import { serverEndpoint } from '../registry/providers.js';
import type { HealthStore } from '../store/types.js';
import type { ProbeResult } from '../core/result.js';
import { VERSION } from '../meta.js';

/**
 * Metric names per export path. Prometheus names are a contract (alert rules and dashboards use
 * them); the Prometheus exporter appends no unit suffix, so `_seconds` is part of the name there.
 * OTLP gets OTel-style names with units; a collector's Prometheus exporter adds the suffixes.
 */
export const METRIC_NAMES = {
  prometheus: {
    healthy: 'llm_deployment_healthy',
    duration: 'llm_deployment_probe_duration_seconds',
    lastProbe: 'llm_deployment_last_probe_timestamp_seconds',
    lastSuccess: 'llm_deployment_last_success_timestamp_seconds',
    probes: 'llm_deployment_probes', // monotonic sum: exported as llm_deployment_probes_total
    healthyCount: 'llm_health_healthy_count',
    unhealthyCount: 'llm_health_unhealthy_count',
    interval: 'llm_health_check_interval_seconds',
  },
  otlp: {
    healthy: 'llm.deployment.healthy',
    duration: 'llm.deployment.probe.duration',
    lastProbe: 'llm.deployment.last_probe.timestamp',
    lastSuccess: 'llm.deployment.last_success.timestamp',
    probes: 'llm.deployment.probes',
    healthyCount: 'llm.health.healthy_count',
    unhealthyCount: 'llm.health.unhealthy_count',
    interval: 'llm.health_check.interval',
  },
} as const;

export type Naming = keyof typeof METRIC_NAMES;

/** The per-deployment labels: model_name, model_id, model, mode, provider, server_address. */
export function deploymentLabels(d: Deployment): Attributes {
  return {
    model_name: d.modelName,
    model_id: d.id,
    model: d.probeModel,
    mode: d.mode,
    provider: d.provider,
    server_address: serverEndpoint(d).address,
  };
}

/**
 * Builds every per-deployment point from the store on each collection. The SDK's own instruments
 * keep every attribute set they ever saw (opentelemetry-js #4096), so a removed deployment would
 * be exported forever; reading the store instead makes removed deployments vanish from /metrics.
 */
export class DeploymentMetricProducer implements MetricProducer {
  readonly #names: (typeof METRIC_NAMES)[Naming];
  readonly #deployments: () => readonly Deployment[];
  readonly #store: HealthStore;
  /**
   * One attributes object per deployment, and per deployment + probe outcome, reused across
   * collections: the /metrics serializer (prometheus-text.ts) memoizes label text by object
   * identity. A reload makes new Deployment objects, so stale entries simply become garbage.
   */
  readonly #labels = new WeakMap<Deployment, { base: Attributes; outcomes: Map<string, Attributes> }>();
  readonly #intervalS: () => number | undefined;

  readonly #view: (id: string) => ProbeResult | undefined;

  /**
   * `intervalS` is the background interval, or undefined when probes run on demand only;
   * `view` is how a result is shown (stale ones as unhealthy), default the stored one.
   */
  constructor(naming: Naming, deployments: () => readonly Deployment[], store: HealthStore, intervalS: () => number | undefined = () => undefined, view?: (id: string) => ProbeResult | undefined) {
    this.#names = METRIC_NAMES[naming];
    this.#deployments = deployments;
    this.#store = store;
    this.#intervalS = intervalS;
    this.#view = view ?? ((id) => store.get(id));
  }

  async collect(): Promise<CollectionResult> {
    const n = this.#names;
    const now = millisToHrTime(Date.now());
    const healthy: GaugeMetricData['dataPoints'] = [];
    const duration: GaugeMetricData['dataPoints'] = [];
    const lastProbe: GaugeMetricData['dataPoints'] = [];
    const lastSuccess: GaugeMetricData['dataPoints'] = [];
    const probes: SumMetricData['dataPoints'] = [];
    let healthyCount = 0;
    let unhealthyCount = 0;

    for (const d of this.#deployments()) {
      const r = this.#view(d.id);
      const stats = this.#store.stats(d.id);
      if (!r || !stats) continue;
      let labels = this.#labels.get(d);
      if (!labels) this.#labels.set(d, (labels = { base: deploymentLabels(d), outcomes: new Map() }));
      const attributes = labels.base;
      const point = (value: number) => ({ startTime: now, endTime: now, attributes, value });
      healthy.push(point(r.healthy ? 1 : 0));
      duration.push(point(r.latencyMs / 1000));
      lastProbe.push(point(r.checkedAt / 1000));
      if (stats.lastSuccessAt !== undefined) lastSuccess.push(point(stats.lastSuccessAt / 1000));
      const since = millisToHrTime(stats.since);
      for (const [outcome, count] of stats.outcomes) {
        let outcomeAttributes = labels.outcomes.get(outcome);
        if (!outcomeAttributes) {
          const healthyOutcome = outcome === 'healthy';
          outcomeAttributes = { ...attributes, result: healthyOutcome ? 'healthy' : 'unhealthy', error_type: healthyOutcome ? '' : outcome };
          labels.outcomes.set(outcome, outcomeAttributes);
        }
        probes.push({ startTime: since, endTime: now, attributes: outcomeAttributes, value: count });
      }
      if (r.healthy) healthyCount++;
      else unhealthyCount++;
    }

    const gauge = (name: string, description: string, unit: string, dataPoints: GaugeMetricData['dataPoints']): GaugeMetricData => ({
      descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints,
    });
    const metrics: MetricData[] = [
      gauge(n.healthy, 'Whether the latest probe of the deployment succeeded (1) or failed (0).', '', healthy),
      gauge(n.duration, 'Duration of the latest probe of the deployment.', 's', duration),
      gauge(n.lastProbe, 'Unix time the latest probe of the deployment ended.', 's', lastProbe),
      gauge(n.lastSuccess, 'Unix time of the latest successful probe of the deployment.', 's', lastSuccess),
      {
        descriptor: { name: n.probes, description: 'Probes of the deployment by result and error type.', unit: '', valueType: ValueType.INT },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: probes,
      },
      gauge(n.healthyCount, 'Deployments whose latest probe succeeded (the /health healthy_count).', '', [{ startTime: now, endTime: now, attributes: {}, value: healthyCount }]),
      gauge(n.unhealthyCount, 'Deployments whose latest probe failed (the /health unhealthy_count).', '', [{ startTime: now, endTime: now, attributes: {}, value: unhealthyCount }]),
    ];
    // Lets alert rules say "no probe for 3 intervals" without hard-coding the interval.
    const interval = this.#intervalS();
    if (interval !== undefined) {
      metrics.push(gauge(n.interval, 'Configured background health check interval.', 's', [{ startTime: now, endTime: now, attributes: {}, value: interval }]));
    }
    return {
      resourceMetrics: {
        resource: resourceFromAttributes({}),
        scopeMetrics: [{ scope: { name: 'llm-health-exporter', version: VERSION }, metrics }],
      },
      errors: [],
    };
  }
}
