import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { buildSnapshot, type Snapshot } from '../src/config/snapshot.js';
import type { ProbeResult } from '../src/core/result.js';
import { MemoryStore } from '../src/store/memory.js';
import { DurationHistogram } from '../src/telemetry/duration-histogram.js';
import { snapshotMetricSource } from '../src/telemetry/snapshot-source.js';
import { GEN_AI_DURATION_BUCKETS, Telemetry } from '../src/telemetry/telemetry.js';
import { serveMetricsAnswer } from './support/metrics-answer.js';
import { prng } from './support/prng.js';

const T = Date.parse('2026-11-30T12:00:00Z');


function yaml(ids: readonly string[]) {
  const list = ids.map((id, i) => `  - model_name: g${i % 3}\n    litellm_params: { model: openai/gpt-4o${i % 2 ? '-mini' : ''}, api_base: "https://h${i % 4}.example/v1", api_key: sk-canary-${i} }\n    model_info: { id: ${id} }\n`).join('');
  const router = '  - model_name: auto\n    litellm_params:\n      model: auto_router/complexity_router\n      complexity_router_config: { tiers: { SIMPLE: g0, COMPLEX: g1 } }\n    model_info: { id: router }\n';
  return `model_list:\n${list}${router}general_settings:\n  background_health_checks: true\n  health_check_interval: 60\n  health_check_staleness_threshold: 90\n  health_check_latency_threshold: 2\n  health_check_failure_threshold: 2\n`;
}

/** The /metrics body as served (serveMetrics on a stand-in response). */
const scrape = async (telemetry: Telemetry): Promise<string> => (await serveMetricsAnswer(telemetry)).text();

describe('/metrics written from the store walk', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['Date'] }); vi.setSystemTime(T); });
  afterEach(() => { vi.useRealTimers(); });

  // The PrometheusExporter's configuration in telemetry.ts (withoutScopeInfo, target_info kept).
  const library = new PrometheusSerializer(undefined, false, undefined, false, true);

  it('equals the library serialization of collect() after every step of random probes, clock moves and reloads', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const rand = prng(seed);
      let ids = Array.from({ length: 8 }, (_, i) => `d${i}`);
      let s: Snapshot = buildSnapshot(parseConfig(yaml(ids), 'm.yaml', {}), 0);
      // A short cover, so uptime windows empty out as the clock moves on.
      const store = new MemoryStore(10, () => 120_000);
      const telemetry = new Telemetry({ ...snapshotMetricSource(() => s, store), env: {} });
      const failures = new Map<string, number>();
      for (let step = 0; step < 40; step++) {
        const x = rand();
        if (x < 0.5) {
          const d = s.deployments[Math.floor(rand() * ids.length)]!;
          const healthy = rand() < 0.6;
          const n = healthy ? 0 : (failures.get(d.id) ?? 0) + 1;
          failures.set(d.id, n);
          const now = Date.now();
          const r: ProbeResult = {
            deploymentId: d.id, healthy, startedAt: now - 50, checkedAt: now, latencyMs: Math.round(rand() * 3000) / 3, headers: {},
            verdict: healthy ? 'healthy' : n >= 2 ? 'unhealthy' : 'pending', consecutiveFailures: n,
            ...(healthy ? {} : { errorType: rand() < 0.5 ? 'server_error' : 'rate_limited', error: 'no', status: 503 }),
            ...(rand() < 0.3 ? { tlsCertExpiresAt: T + 86_400_000 } : {}),
            ...(rand() < 0.5 ? { spend: { usage: { inputTokens: 8, outputTokens: 1 }, costUsd: rand() < 0.5 ? 0.0000036 : null } } : {}),
          };
          store.set(r);
          telemetry.recordProbe(d, r);
        } else if (x < 0.85) {
          // Small steps cross the staleness edge; large ones empty the uptime windows.
          vi.setSystemTime(Date.now() + (rand() < 0.6 ? Math.floor(rand() * 60_000) : Math.floor(rand() * 7_200_000)));
        } else if (x < 0.92) {
          ids = ids.length > 3 && rand() < 0.6 ? ids.filter((_, i) => i !== Math.floor(rand() * ids.length)) : [...ids, `n${step}`];
          s = buildSnapshot(parseConfig(yaml(ids), 'm.yaml', {}), s.generation + 1);
          store.retain(new Set(s.byId.keys()));
        }
        const served = await scrape(telemetry);
        const { resourceMetrics } = await telemetry.prometheus.collect();
        expect(served, `seed ${seed}, step ${step}`).toBe(library.serialize(resourceMetrics));
      }
      await telemetry.shutdown();
    }
  });

  it('follows uptime ratios that move with the clock alone (a failure sliding out of the window)', async () => {
    const s = buildSnapshot(parseConfig(yaml(['a', 'b']), 'm.yaml', {}), 0);
    const store = new MemoryStore(10, () => 120_000);
    const telemetry = new Telemetry({ ...snapshotMetricSource(() => s, store), env: {} });
    const probe = (id: string, at: number, healthy: boolean) => store.set({ deploymentId: id, healthy, startedAt: at - 5, checkedAt: at, latencyMs: 5, headers: {}, ...(healthy ? {} : { errorType: 'server_error' as const }) });
    probe('a', T, true);
    probe('a', T + 60_000, false);
    probe('a', T + 120_000, true);
    probe('b', T, true);
    const ratios: string[] = [];
    for (const at of [T + 130_000, T + 600_000, T + 3_650_000, T + 3_700_000, T + 3_800_000, T + 90_000_000]) {
      vi.setSystemTime(at);
      const served = await scrape(telemetry);
      expect(served, `at +${at - T} ms`).toBe(library.serialize((await telemetry.prometheus.collect()).resourceMetrics));
      ratios.push(/uptime_ratio\{[^}]*model_id="a"[^}]*window="1h"\} (\S+)/.exec(served)?.[1] ?? 'none');
    }
    // The 1h ratio of `a` moved while nothing was probed, then its window emptied.
    expect(new Set(ratios).size).toBeGreaterThan(2);
    expect(ratios.at(-1)).toBe('none');
    await telemetry.shutdown();
  });

  it('keeps up with a deployment whose series keep growing (one probes_total series per error type it met)', async () => {
    const s = buildSnapshot(parseConfig(yaml(['a', 'b', 'c']), 'm.yaml', {}), 0);
    const store = new MemoryStore(10, () => 120_000);
    const telemetry = new Telemetry({ ...snapshotMetricSource(() => s, store), env: {} });
    const kinds = ['auth', 'not_found', 'rate_limited', 'timeout', 'connection', 'server_error', 'bad_request', 'bad_response', 'unsupported'] as const;
    let at = T;
    const probe = (id: string, errorType?: (typeof kinds)[number]) => {
      at += 1000;
      vi.setSystemTime(at);
      const r: ProbeResult = { deploymentId: id, healthy: !errorType, startedAt: at - 5, checkedAt: at, latencyMs: 5, headers: {}, tlsCertExpiresAt: T + 86_400_000, ...(errorType ? { errorType, error: 'no', status: 500 } : {}) };
      store.set(r);
      telemetry.recordProbe(s.byId.get(id)!, r);
    };
    for (const id of ['a', 'b', 'c']) probe(id);
    // `b` meets one error type after another: 14 series, then up to 23, while `a` and `c` stay as they were.
    for (const kind of kinds) {
      probe('b', kind);
      const served = await scrape(telemetry);
      expect(served, kind).toBe(library.serialize((await telemetry.prometheus.collect()).resourceMetrics));
    }
    const served = await scrape(telemetry);
    expect(served.match(/^llm_deployment_probes_total\{[^}]*model_id="b"/gm)).toHaveLength(kinds.length + 1);
    expect(served.match(/^llm_deployment_\w+\{[^}]*model_id="b"/gm)!.length).toBeGreaterThan(16);
    expect(served.match(/^llm_deployment_probes_total\{[^}]*model_id="c"/gm)).toHaveLength(1);
    await telemetry.shutdown();
  });
});

/** A reader that only collects on demand (the SDK's own aggregation, as the reference). */
class TestReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

describe('the GenAI duration histogram kept in our own state', () => {
  it('carries what the SDK histogram instrument carried: buckets, count, sum, min, max per attribute set', async () => {
    const rand = prng(7);
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const sdk = provider.getMeter('t').createHistogram('h', { advice: { explicitBucketBoundaries: GEN_AI_DURATION_BUCKETS } });
    const ours = new DurationHistogram(GEN_AI_DURATION_BUCKETS);
    // Distinct objects with equal content share a series, as the SDK's attribute hashing does.
    const attributeSets = [
      () => ({ 'gen_ai.operation.name': 'chat', 'server.address': 'a', 'server.port': 443 }),
      () => ({ 'server.port': 443, 'server.address': 'a', 'gen_ai.operation.name': 'chat' }),
      () => ({ 'gen_ai.operation.name': 'chat', 'server.address': 'b', 'error.type': 'timeout' }),
    ];
    const objects = attributeSets.flatMap((make) => [make(), make()]);
    for (let i = 0; i < 2000; i++) {
      const a = objects[Math.floor(rand() * objects.length)]!;
      // Exact bucket bounds, values past the last one, and a negative one (dropped by both).
      const v = i % 97 === 0 ? GEN_AI_DURATION_BUCKETS[i % GEN_AI_DURATION_BUCKETS.length]! : i % 501 === 0 ? -1 : rand() ** 3 * 120;
      sdk.record(v, a);
      ours.record(v, a);
    }
    const { resourceMetrics } = await reader.collect();
    const theirs = resourceMetrics.scopeMetrics[0]!.metrics[0] as HistogramMetricData;
    const mine = ours.metricData('h', '', '')!;
    const shape = (m: HistogramMetricData) => m.dataPoints.map((p) => ({ attributes: JSON.stringify(Object.entries(p.attributes).sort()), value: p.value }));
    expect(shape(mine)).toEqual(shape(theirs));
    expect(mine.dataPoints).toHaveLength(2);
    await provider.shutdown();
  });

  it('gets one series per host, model and outcome from recordProbe, however many deployments share them', async () => {
    // yaml(): d0..d7 on hosts h0..h3 and models gpt-4o / gpt-4o-mini by index parity: h0 and h2 always
    // have gpt-4o, h1 and h3 gpt-4o-mini, so 4 label sets, 2 deployments each.
    const s = buildSnapshot(parseConfig(yaml(Array.from({ length: 8 }, (_, i) => `d${i}`)), 'm.yaml', {}), 0);
    const telemetry = new Telemetry({ ...snapshotMetricSource(() => s, new MemoryStore(10)), env: {} });
    const probe = (id: string, latencyMs: number, errorType?: 'timeout' | 'auth') =>
      telemetry.recordProbe(s.byId.get(id)!, { deploymentId: id, healthy: !errorType, startedAt: T, checkedAt: T, latencyMs, headers: {}, ...(errorType ? { errorType } : {}) });
    for (let i = 0; i < 8; i++) probe(`d${i}`, 100 * (i + 1));
    probe('d0', 50, 'timeout');
    probe('d4', 70, 'timeout');
    probe('d4', 90, 'auth');
    const served = await scrape(telemetry);
    const counts = [...served.matchAll(/^gen_ai_client_operation_duration_seconds_count\{([^}]*)\} (\S+)$/gm)].map(([, labels, n]) => `${/server_address="([^"]+)"/.exec(labels!)![1]} ${/error_type="([^"]+)"/.exec(labels!)?.[1] ?? '-'} ${n}`);
    expect(counts.sort()).toEqual(['h0.example - 2', 'h0.example auth 1', 'h0.example timeout 2', 'h1.example - 2', 'h2.example - 2', 'h3.example - 2']);
    expect(served).toMatch(/^gen_ai_client_operation_duration_seconds_sum\{[^}]*server_address="h0\.example"[^}]*\} 0\.6$/m);
    await telemetry.shutdown();
  });

  it('folds attribute sets past the cardinality limit into one overflow series, as the SDK view with the same limit does', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'h', aggregationCardinalityLimit: 5 }] });
    const sdk = provider.getMeter('t').createHistogram('h', { advice: { explicitBucketBoundaries: GEN_AI_DURATION_BUCKETS } });
    const ours = new DurationHistogram(GEN_AI_DURATION_BUCKETS, 5);
    for (let i = 0; i < 40; i++) {
      const a = { 'server.address': `host-${i % 20}` };
      sdk.record(i / 10, a);
      ours.record(i / 10, a);
    }
    const { resourceMetrics } = await reader.collect();
    const theirs = resourceMetrics.scopeMetrics[0]!.metrics[0] as HistogramMetricData;
    const mine = ours.metricData('h', '', '')!;
    const shape = (m: HistogramMetricData) => m.dataPoints.map((p) => ({ attributes: JSON.stringify(Object.entries(p.attributes).sort()), value: p.value }));
    expect(mine.dataPoints).toHaveLength(5);
    expect(mine.dataPoints.at(-1)!.attributes).toEqual({ 'otel.metric.overflow': true });
    expect(shape(mine)).toEqual(shape(theirs));
    await provider.shutdown();
  });
});
