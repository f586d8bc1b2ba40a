import { ValueType, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PrometheusTextSerializer } from '../src/telemetry/prometheus-text.js';

/**
 * /metrics is written into reused chunks (serializeParts): the bytes must be those of the
 * one-buffer serialize() however the chunks cut them, and what the serializer keeps between
 * scrapes must follow the last answer, not the largest one it ever wrote.
 */

const T: [number, number] = [1_700_000_000, 0];
const gauge = (name: string, n: number, label: (i: number) => string): MetricData => ({
  descriptor: { name, description: 'a gauge', unit: '', valueType: ValueType.DOUBLE },
  aggregationTemporality: AggregationTemporality.CUMULATIVE,
  dataPointType: DataPointType.GAUGE,
  dataPoints: Array.from({ length: n }, (_, i) => ({ startTime: T, endTime: T, attributes: { model_name: label(i), i } as Attributes, value: i / 7 })),
});
const rmOf = (metrics: MetricData[]): ResourceMetrics => ({
  resource: resourceFromAttributes({ 'service.name': 'llm-health-exporter' }),
  scopeMetrics: [{ scope: { name: 'test' }, metrics }],
});
// Multi-byte characters in every line, so chunk boundaries fall next to them too.
const wide = (n: number) => gauge('wide', n, (i) => `déploiement-${i}-🚀-${'x'.repeat(i % 97)}`);

describe('/metrics answers written into chunks', () => {
  it('are byte for byte the one-buffer text, across many chunks, with rendered lines spliced between them', () => {
    const kept = Buffer.from('rendered_kept{model_name="k"} 1\n');
    const renderedMetric = gauge('rendered', 0, String);
    for (const n of [1, 300, 40_000]) {
      const metrics = [wide(n), renderedMetric, gauge('after', 3, (i) => `a${i}`)];
      const rendered = new Map([[renderedMetric, [kept, 'rendered_text{model_name="t"} 2\n', kept]]]);
      const parts = new PrometheusTextSerializer({ withoutScopeInfo: true }).serializeParts(rmOf(metrics), rendered);
      // The same text through serialize(): the rendered lines given as its own points would be.
      const expected = new PrometheusTextSerializer({ withoutScopeInfo: true }).serialize(rmOf([wide(n)])).toString()
        + '# HELP rendered a gauge\n# TYPE rendered gauge\n'
        + 'rendered_kept{model_name="k"} 1\nrendered_text{model_name="t"} 2\nrendered_kept{model_name="k"} 1\n'
        + '# HELP after a gauge\n# TYPE after gauge\nafter{model_name="a0",i="0"} 0\nafter{model_name="a1",i="1"} 0.14285714285714285\nafter{model_name="a2",i="2"} 0.2857142857142857\n';
      expect(Buffer.concat(parts).toString()).toBe(expected);
      if (n === 40_000) expect(parts.length).toBeGreaterThan(4); // several chunks, not one grown buffer
      expect(parts).toContain(kept); // put in place, not copied
    }
  });

  it('keep between scrapes only the chunks the last answer used', () => {
    const s = new PrometheusTextSerializer({ withoutScopeInfo: true });
    const big = s.serializeParts(rmOf([wide(40_000)]), new Map());
    const bigBytes = big.reduce((n, p) => n + p.length, 0);
    expect(bigBytes).toBeGreaterThan(4 * 1024 * 1024);
    s.release(big[0]!);
    // Kept for the next scrape: what it wrote, up to the last chunk's unused end (chunks of up to 1 MB).
    expect(s.retainedBytes).toBeGreaterThanOrEqual(bigBytes);
    expect(s.retainedBytes).toBeLessThan(bigBytes + 1024 * 1024);

    const small = s.serializeParts(rmOf([wide(300)]), new Map());
    expect(Buffer.concat(small).toString()).toBe(new PrometheusTextSerializer({ withoutScopeInfo: true }).serialize(rmOf([wide(300)])).toString());
    s.release(small[0]!);
    expect(s.retainedBytes).toBeLessThanOrEqual(1024 * 1024);

    // A second release of the same answer hands nothing out twice.
    s.release(small[0]!);
    expect(s.retainedBytes).toBeLessThanOrEqual(1024 * 1024);
  });
});
