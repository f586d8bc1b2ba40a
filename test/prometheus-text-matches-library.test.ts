import { ValueType, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType,
  type MetricData, type ResourceMetrics, type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrometheusTextSerializer } from '../src/telemetry/prometheus-text.js';

/**
 * Our /metrics bytes must be exactly what @opentelemetry/exporter-prometheus would have written
 * (its text, UTF-8 encoded as Node's http does).
 */

const T: [number, number] = [1_700_000_000, 0];
const library = (withoutTargetInfo: boolean, withoutScopeInfo: boolean) =>
  new PrometheusSerializer(undefined, false, undefined, withoutTargetInfo, withoutScopeInfo);

function expectSame(rm: ResourceMetrics, withoutTargetInfo = false, withoutScopeInfo = true, ours = new PrometheusTextSerializer({ withoutTargetInfo, withoutScopeInfo })) {
  const expected = Buffer.from(library(withoutTargetInfo, withoutScopeInfo).serialize(rm)).toString();
  expect(ours.serialize(rm).toString()).toBe(expected);
  // A second pass goes through the label memo.
  expect(ours.serialize(rm).toString()).toBe(expected);
}

const gauge = (name: string, points: [Attributes, number][], o: { description?: string; unit?: string } = {}): MetricData => ({
  descriptor: { name, description: o.description ?? 'a gauge', unit: o.unit ?? '', valueType: ValueType.DOUBLE },
  aggregationTemporality: AggregationTemporality.CUMULATIVE,
  dataPointType: DataPointType.GAUGE,
  dataPoints: points.map(([attributes, value]) => ({ startTime: T, endTime: T, attributes, value })),
});
const sum = (name: string, isMonotonic: boolean, points: [Attributes, number][]): MetricData => ({
  descriptor: { name, description: 'a sum', unit: '', valueType: ValueType.INT },
  aggregationTemporality: AggregationTemporality.CUMULATIVE,
  dataPointType: DataPointType.SUM,
  isMonotonic,
  dataPoints: points.map(([attributes, value]) => ({ startTime: T, endTime: T, attributes, value })),
});
const histogram = (name: string, points: { attributes: Attributes; boundaries: number[]; counts: number[]; sum?: number; count: number }[]): MetricData => ({
  descriptor: { name, description: 'a histogram', unit: 's', valueType: ValueType.DOUBLE },
  aggregationTemporality: AggregationTemporality.CUMULATIVE,
  dataPointType: DataPointType.HISTOGRAM,
  dataPoints: points.map((p) => ({
    startTime: T, endTime: T, attributes: p.attributes,
    value: { buckets: { boundaries: p.boundaries, counts: p.counts }, sum: p.sum, count: p.count, min: 0, max: 1 },
  })),
});
const rmOf = (resource: Attributes, scopeMetrics: ScopeMetrics[]): ResourceMetrics => ({ resource: resourceFromAttributes(resource), scopeMetrics });

describe('PrometheusTextSerializer equals the library serializer', () => {
  it('on hand-picked edge cases, with every combination of target and scope info', () => {
    const shared: Attributes = { model_name: 'm "1"', 'server.address': 'a\\b\nc', n: 3, ok: true, list: ['x', 'y"'], nums: [1, 2.5] };
    const rm = rmOf({ 'service.name': 'svc "x"\n', 'service.version': '1.0', weird: 'ü €\\' }, [
      {
        scope: { name: 'scope-a', version: '1.2.3', schemaUrl: 'https://x/"s"' },
        metrics: [
          gauge('llm.deployment.healthy', [[shared, 1], [{}, 0], [{ 'ü-ber': 'ünïcödé 🚀', '': '' }, -0]]),
          gauge('values', [[shared, Infinity], [{ a: 'b' }, -Infinity], [{ a: 'c' }, NaN], [{ a: 'd' }, 1e21], [{ a: 'e' }, 1.5e-7]], { unit: 's\n', description: '' }),
          gauge('9starts.with-digit', [[{ undef: undefined as unknown as AttributeValue, nul: null as unknown as AttributeValue }, 2]]),
          gauge('no_points', [], { description: 'help \\ with\nnewline' }),
          sum('llm_deployment_probes', true, [[{ ...shared, result: 'healthy', error_type: '' }, 7]]),
          sum('already_total', true, [[{}, 1]]),
          sum('updown', false, [[{ x: '1' }, -3]]),
          sum('updown_empty', false, []),
        ],
      },
      {
        scope: { name: 'scope-b' },
        metrics: [
          histogram('gen_ai.client.operation.duration_seconds', [
            { attributes: shared, boundaries: [0.01, 0.02, 0.04], counts: [1, 0, 2, 3], sum: 1.25, count: 6 },
            { attributes: {}, boundaries: [1, Infinity], counts: [1, 2, 3], sum: undefined, count: 6 },
            { attributes: { le: 'own' }, boundaries: [], counts: [4], sum: 0, count: 4 },
          ]),
          gauge('', [[{}, 1]]), // normalizes to '': the library logs and skips it
          gauge('...', [[{}, 1]]), // normalizes to '_': skipped too
        ],
      },
      { scope: { name: '' }, metrics: [] },
    ]);
    for (const withoutTargetInfo of [false, true]) {
      for (const withoutScopeInfo of [false, true]) expectSame(rm, withoutTargetInfo, withoutScopeInfo);
    }
  });

  it('on output larger than its buffer, shrinking and growing again between calls', () => {
    const ours = new PrometheusTextSerializer({ withoutScopeInfo: true });
    const big = (n: number) => rmOf({}, [{ scope: { name: 's' }, metrics: [
      gauge('g', Array.from({ length: n }, (_, i): [Attributes, number] => [{ model_id: `d${i}`, note: 'ü'.repeat(i % 50) }, i / 7])),
    ] }]);
    for (const n of [5000, 10, 20_000]) expectSame(big(n), false, true, ours);
  });

  it('reuses only released buffers, so overlapping scrapes never share one', () => {
    const ours = new PrometheusTextSerializer({ withoutScopeInfo: true });
    const rmN = (n: number) => rmOf({}, [{ scope: { name: 's' }, metrics: [gauge('g', [[{ n: String(n) }, n]])] }]);
    const text = (n: number) => Buffer.from(library(false, true).serialize(rmN(n))).toString();
    const a = ours.serialize(rmN(1));
    const b = ours.serialize(rmN(2)); // a still being written: b must get its own buffer
    expect(b.buffer).not.toBe(a.buffer);
    ours.release(a);
    ours.release(a); // twice: must not offer a's buffer twice
    const c = ours.serialize(rmN(3));
    expect(c.buffer).toBe(a.buffer); // reused
    const d = ours.serialize(rmN(4));
    expect(d.buffer).not.toBe(c.buffer);
    expect([b, c, d].map((x) => x.toString())).toEqual([text(2), text(3), text(4)]);
  });

  it('with nothing to export', () => {
    expectSame(rmOf({}, []), false, true);
    expectSame(rmOf({}, [{ scope: { name: 's' }, metrics: [] }]), true, true);
  });

  it('on exponential histograms (delegated to the library, which types them untyped)', () => {
    const m = {
      descriptor: { name: 'exp', description: 'e', unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
      dataPoints: [],
    } as unknown as MetricData;
    expectSame(rmOf({}, [{ scope: { name: 's' }, metrics: [m, gauge('after', [[{ a: '1' }, 1]])] }]), false, false);
  });

  it('on generated metrics (labels with \\, ", newlines, unicode, non-strings; ±Inf/NaN; odd names)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      // Includes lone surrogates: they must come out as U+FFFD exactly where Buffer.from puts them.
      fc.string({ unit: fc.constantFrom('\\', '"', '\n', 'a', '_', '.', '-', ' ', 'é', '🚀', '0', '\r', '\t', '\ud83d', '\ude80'), maxLength: 10 }),
    );
    const scalar = fc.oneof(text, fc.double(), fc.integer(), fc.boolean());
    const attrValue: fc.Arbitrary<AttributeValue> = fc.oneof(
      { weight: 4, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(fc.oneof(text, fc.constant(null)), { maxLength: 3 }) as fc.Arbitrary<AttributeValue> },
      { weight: 1, arbitrary: fc.array(fc.double(), { maxLength: 3 }) },
    );
    const attributes = fc.dictionary(text, attrValue, { maxKeys: 5 }) as fc.Arbitrary<Attributes>;
    const value = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(Infinity, -Infinity, NaN, 0, -0));
    const name = fc.oneof(text, fc.constantFrom('llm_deployment_probes', 'x_total', '1a', 'a.b-c', 'a__b', '_'));
    const descriptor = fc.record({ name, description: fc.oneof(text, fc.constant('')), unit: fc.oneof(fc.constant(''), text) });

    const metric = (pool: Attributes[]): fc.Arbitrary<MetricData> => {
      // Points pick attributes from a shared pool, as the producer shares one object per deployment.
      const attrs = fc.oneof(fc.constantFrom(...pool), attributes);
      const singular = fc.array(fc.record({ attributes: attrs, value }), { maxLength: 6 });
      const hist = fc.array(fc.record({
        attributes: attrs,
        boundaries: fc.array(fc.oneof(fc.double({ noNaN: true }), fc.constant(Infinity)), { maxLength: 4 }),
        counts: fc.array(fc.nat(1000), { maxLength: 6 }),
        sum: fc.option(fc.double(), { nil: undefined }),
        count: fc.nat(),
      }), { maxLength: 3 });
      return fc.oneof(
        fc.record({ d: descriptor, points: singular }).map(({ d, points }) => gauge(d.name, points.map((p) => [p.attributes, p.value]), d)),
        fc.record({ d: descriptor, mono: fc.boolean(), points: singular }).map(({ d, mono, points }) => ({ ...sum(d.name, mono, points.map((p) => [p.attributes, p.value])), descriptor: { ...d, valueType: ValueType.INT } })),
        fc.record({ d: descriptor, points: hist }).map(({ d, points }) => ({ ...histogram(d.name, points), descriptor: { ...d, valueType: ValueType.DOUBLE } })),
      );
    };
    const case_ = fc.array(attributes, { minLength: 1, maxLength: 4 }).chain((pool) => fc.record({
      resource: attributes,
      scopes: fc.array(fc.record({
        scope: fc.record({ name: text, version: fc.option(text, { nil: undefined }), schemaUrl: fc.option(text, { nil: undefined }) }),
        metrics: fc.array(metric(pool), { maxLength: 4 }),
      }), { maxLength: 3 }),
      withoutTargetInfo: fc.boolean(),
      withoutScopeInfo: fc.boolean(),
    }));

    fc.assert(fc.property(case_, (c) => {
      const rm = rmOf(c.resource, c.scopes);
      const ours = new PrometheusTextSerializer({ withoutTargetInfo: c.withoutTargetInfo, withoutScopeInfo: c.withoutScopeInfo });
      const expected = Buffer.from(library(c.withoutTargetInfo, c.withoutScopeInfo).serialize(rm));
      return ours.serialize(rm).equals(expected) && ours.serialize(rm).equals(expected);
    }), { numRuns: 1000 });
  });
});
