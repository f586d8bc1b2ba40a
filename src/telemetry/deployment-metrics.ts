import { millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { CollectionResult, GaugeMetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import { DEPLOYMENT_FAMILY_COUNT, DEPLOYMENT_SCOPE, DeploymentSeries, type MetricSource } from './deployment-series.js';
import type { ExportPath } from './metrics.js';

/**
 * Builds every per-deployment point from the store on each collection. The SDK's own instruments
 * keep every attribute set they ever saw (opentelemetry-js #4096), so a removed deployment would
 * be exported forever; reading the store instead makes removed deployments vanish from /metrics.
 */
export class DeploymentMetricProducer implements MetricProducer {
  readonly #path: ExportPath;
  readonly #series: DeploymentSeries;

  constructor(path: ExportPath, source: MetricSource | DeploymentSeries) {
    this.#path = path;
    this.#series = source instanceof DeploymentSeries ? source : new DeploymentSeries(source);
  }

  async collect(): Promise<CollectionResult> {
    const nowMs = Date.now();
    const now = millisToHrTime(nowMs);
    const points: Array<GaugeMetricData['dataPoints']> = Array.from({ length: DEPLOYMENT_FAMILY_COUNT }, () => []);
    const deployments = this.#series.source.deployments();
    const counts = this.#series.walk(deployments, nowMs, {
      series: (family, i, labels, value, sinceMs) => {
        const attributes = this.#series.attributesOf(deployments, i, labels);
        points[family]!.push({ startTime: sinceMs === undefined ? now : millisToHrTime(sinceMs), endTime: now, attributes, value });
      },
    });
    return {
      resourceMetrics: {
        resource: resourceFromAttributes({}),
        scopeMetrics: [{ scope: DEPLOYMENT_SCOPE, metrics: this.#series.metrics(this.#path, nowMs, counts, (f) => points[f]!).metrics }],
      },
      errors: [],
    };
  }
}
