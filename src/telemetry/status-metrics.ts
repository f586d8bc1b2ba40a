import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType,
  type CollectionResult, type GaugeMetricData, type MetricData, type MetricProducer, type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import type { MaintenanceCalendar } from '../config/maintenance.js';
import type { Deployment } from '../core/deployment.js';
import { VERSION } from '../core/meta.js';
import { deploymentLabels } from './series-labels.js';
import { METRICS, metricName, type ExportPath, type ExportedMetricSpec } from './metrics.js';

/** What the status metrics are read from on each collection. */
export interface StatusMetricSource {
  deployments: () => readonly Deployment[];
  maintenance: () => MaintenanceCalendar;
  /** Counters per notification target (every configured one, from 0). */
  notifications: () => ReadonlyArray<readonly [string, { delivered: number; failed: number; attemptFailures: number }]>;
}

/**
 * llm_deployment_maintenance (per deployment a window covers at some time: the alert rules say
 * `unless on(model_id) llm_deployment_maintenance == 1`) and the notification delivery counters.
 * Read at each collection, like the deployment metrics, so a removed target or window leaves.
 */
export class StatusMetricProducer implements MetricProducer {
  readonly #labels = new WeakMap<Deployment, Record<string, string>>();
  readonly #since = millisToHrTime(Date.now());

  constructor(private readonly path: ExportPath, private readonly source: StatusMetricSource) {}

  async collect(): Promise<CollectionResult> {
    const now = millisToHrTime(Date.now());
    const nowMs = Date.now();
    const calendar = this.source.maintenance();
    const maintenance: GaugeMetricData['dataPoints'] = [];
    if (!calendar.empty) {
      for (const d of this.source.deployments()) {
        if (!calendar.scopes(d)) continue;
        let attributes = this.#labels.get(d);
        if (!attributes) this.#labels.set(d, (attributes = deploymentLabels(d)));
        maintenance.push({ startTime: now, endTime: now, attributes, value: calendar.covering(d, nowMs) ? 1 : 0 });
      }
    }
    const messages: SumMetricData['dataPoints'] = [];
    const attempts: SumMetricData['dataPoints'] = [];
    for (const [target, st] of this.source.notifications()) {
      const point = (attributes: Record<string, string>, value: number) => ({ startTime: this.#since, endTime: now, attributes, value });
      messages.push(point({ target, outcome: 'delivered' }, st.delivered), point({ target, outcome: 'failed' }, st.failed));
      attempts.push(point({ target }, st.attemptFailures));
    }
    const sum = (spec: ExportedMetricSpec, dataPoints: SumMetricData['dataPoints']): SumMetricData => ({
      descriptor: descriptorOf(spec, this.path), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints,
    });
    const metrics: MetricData[] = [
      { descriptor: descriptorOf(METRICS.deploymentMaintenance, this.path), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: maintenance },
      sum(METRICS.notificationMessages, messages),
      sum(METRICS.notificationAttemptFailures, attempts),
    ];
    return {
      resourceMetrics: { resource: resourceFromAttributes({}), scopeMetrics: [{ scope: { name: 'llm-health-exporter', version: VERSION }, metrics }] },
      errors: [],
    };
  }
}

function descriptorOf(spec: ExportedMetricSpec, path: ExportPath): MetricData['descriptor'] {
  return { name: metricName(spec, path), description: spec.help, unit: spec.unit, valueType: spec.type === 'counter' ? ValueType.INT : ValueType.DOUBLE };
}
