import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { ProbePlugin } from '../src/core/plugin.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { MemoryStore } from '../src/store/memory.js';
import { closeWhenTestEnds, exporterForTest, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { byName, parsePromText } from './support/prom-text.js';
import { waitFor } from './support/tools.js';

let up: FakeUpstream | undefined;
let ex: TestExporter | undefined;

// Names quoted: `on` and `off` unquoted are booleans to YAML 1.1 (LiteLLM's PyYAML), as here.
const entries = (base: string, names: string[], info = '') =>
  names.map((m) => `  - model_name: "${m}"\n    litellm_params: { model: openai/${m}, api_base: "${base}" }\n    model_info: { id: "${m}"${info} }\n`).join('');

describe('background health checks', () => {
  it('probe each deployment exactly once per interval after the first round, spread evenly across it', async () => {
    // On an injected clock: vitest's fake clock drives both the scheduler's `now` and its timers,
    // so no timer fires late and the counts below are exact on any machine. (Over real HTTP and
    // real timers, a loaded machine delays probes; the next test checks what holds there.)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2025, 0, 1) });
    try {
      const N = 6;
      const I = 1200; // ms
      const names = Array.from({ length: N }, (_, i) => `m${i}`);
      const config = parseConfig(`model_list:\n${entries('http://upstream.invalid/v1', names)}`, 'c.yaml', {});
      const requests: Array<{ model: string; at: number }> = [];
      const chat: ProbePlugin = { mode: 'chat', probe: async (t) => { requests.push({ model: t.id, at: Date.now() }); return { healthy: true }; } };
      const s = new Scheduler({ store: new MemoryStore(), plugins: new Map([['chat', chat]]), concurrency: 16, now: () => Date.now() });
      const firstRound = s.startBackground({ deployments: config.deployments, intervalS: () => I / 1000 });
      await vi.advanceTimersByTimeAsync(0);
      await firstRound;
      expect(requests).toHaveLength(N);
      const t0 = Math.min(...requests.map((r) => r.at));
      // A window of 3 intervals that starts half a slot before the first spread probe.
      const slot = I / N;
      const from = t0 + I - slot / 2;
      const to = from + 3 * I;
      await vi.advanceTimersByTimeAsync(to - Date.now() + 100);
      await s.stop();
      const inWindow = requests.filter((r) => r.at >= from && r.at < to);
      for (const m of names) expect({ m, probes: inWindow.filter((r) => r.model === m).length }).toEqual({ m, probes: 3 });
      // The first round is the only burst: before the window, exactly one probe each.
      expect(requests.filter((r) => r.at < from)).toHaveLength(N);
      // Spread: no more than ceil(N/k) starts in any 1/k slice of an interval (k = 3).
      const k = 3;
      for (let j = 0; j < 3 * k; j++) {
        const a = from + (j * I) / k;
        const starts = inWindow.filter((r) => r.at >= a && r.at < a + I / k).length;
        expect({ slice: j, starts }).toEqual({ slice: j, starts: Math.ceil(N / k) });
      }
      // And on their slots exactly: deployment i at i × I/N into each interval.
      for (const [i, m] of names.entries()) {
        expect(inWindow.filter((r) => r.model === m).map((r) => r.at - t0)).toEqual([1, 2, 3].map((n) => n * I + i * slot));
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('over real HTTP on a busy machine: the first round at once, then each deployment no more often than its interval, the rounds spread out', async () => {
    const N = 6;
    const I = 1200; // ms
    // A background probe starts at least one interval less the grid's slack after the previous
    // one (grid.ts: slack = I/10). That bound holds however late timers fire, so it is what we
    // assert here, on the times the fake upstream records; the exact grid is the test above.
    const minGap = I - I / 10;
    const startedAt = Date.now();
    up = closeWhenTestEnds(await startFakeUpstream());
    const names = Array.from({ length: N }, (_, i) => `m${i}`);
    ex = await exporterForTest(`model_list:\n${entries(up.openaiBase, names)}general_settings:\n  background_health_checks: true\n  health_check_interval: ${I / 1000}\n`);
    const times = (m: string) => up!.requests.filter((r) => r.model === m).map((r) => r.at).sort((a, b) => a - b);
    // Wait for the events (the first round and three more probes each), not for a fixed time:
    // a late timer may skip a slot on a loaded machine (grid.ts), which delays but never adds.
    await waitFor(() => names.every((m) => times(m).length >= 4) || undefined, 12 * I, 'three probes each after the first round');
    const end = Date.now();
    // Never more often than configured: every probe started in [startedAt, end], starts at least
    // minGap apart. Probing twice per interval would make about twice this many.
    const most = Math.floor((end - startedAt) / minGap) + 1;
    for (const m of names) expect({ m, atMost: times(m).length <= most }).toEqual({ m, atMost: true });
    const firsts = names.map((m) => times(m)[0]!);
    const seconds = names.map((m) => times(m)[1]!);
    // The first round is the only burst: every deployment's first probe comes before any second one...
    expect(Math.max(...firsts)).toBeLessThan(Math.min(...seconds));
    // ...and the next round is spread over the interval (its starts span (N-1)/N of it, 1000 ms),
    // not a second burst (a few ms). A quarter interval leaves room for a stalled event loop.
    expect(Math.max(...seconds) - Math.min(...seconds)).toBeGreaterThan(I / 4);
  }, 20_000);

  it('never overlaps two probes of a deployment slower than its interval', async () => {
    const I = 1000; // the shortest interval a config may ask for
    up = closeWhenTestEnds(await startFakeUpstream({ slowMs: 2 * I }));
    ex = await exporterForTest(`model_list:\n${entries(up.openaiBase, ['slow'])}general_settings:\n  background_health_checks: true\n  health_check_interval: ${I / 1000}\n`);
    // Wait for the third probe to end (the event), not a fixed 7 intervals that a loaded machine may need more than.
    await waitFor(() => up!.requests.filter((r) => r.model === 'slow' && r.endedAt !== undefined).length >= 3 || undefined, 20 * I, 'three probes of slow');
    const probes = up.requests.filter((r) => r.model === 'slow');
    expect(probes.length).toBeGreaterThanOrEqual(3);
    expect(up.maxOpen).toBe(1);
    for (let i = 1; i < probes.length; i++) {
      expect(probes[i]!.at).toBeGreaterThanOrEqual(probes[i - 1]!.endedAt!);
      expect(probes[i]!.at - probes[i - 1]!.at).toBeGreaterThanOrEqual(I);
    }
  }, 20_000);

  it('hold health_check_concurrency across the whole fleet', async () => {
    up = closeWhenTestEnds(await startFakeUpstream({ slowMs: 200 }));
    const six = Array.from({ length: 6 }, (_, i) => `  - model_name: slow\n    litellm_params: { model: openai/slow, api_base: "${up!.openaiBase}" }\n    model_info: { id: s${i} }\n`).join('');
    ex = await exporterForTest(`model_list:\n${six}general_settings:\n  background_health_checks: true\n  health_check_concurrency: 2\n`);
    await waitFor(async () => (await fetch(`${ex!.url}/health/readiness`)).status === 200 || undefined, 5000, 'first round');
    expect(up.requests).toHaveLength(6);
    expect(up.maxOpen).toBe(2);
  });

  it('per deployment: disable_background_health_check, model groups and health_check_interval', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    const startedAt = Date.now();
    ex = await exporterForTest(`model_list:
${entries(up.openaiBase, ['fast'], ', health_check_interval: 1')}${entries(up.openaiBase, ['normal'])}${entries(up.openaiBase, ['off'], ', disable_background_health_check: true')}${entries(up.openaiBase, ['other-group'])}general_settings:
  background_health_checks: true
  health_check_interval: 30
  background_health_check_model_groups: [fast, normal, "off"]
`);
    // Wait for fast's fourth probe (the event) instead of sleeping: on a loaded machine late
    // timers skip slots. The first round (every deployment at once) came before, so the counts
    // of the others are final.
    await waitFor(() => up!.count('fast') >= 4 || undefined, 15_000, 'fast probed at its own 1 s interval');
    const elapsed = Date.now() - startedAt;
    expect(up.count('off')).toBe(0);
    expect(up.count('other-group')).toBe(0);
    expect(up.count('normal')).toBe(1);
    // And never more often than its own interval: starts at least 1 s less the slack (0.1 s) apart.
    expect(up.count('fast')).toBeLessThanOrEqual(Math.floor(elapsed / 900) + 1);
    const health: any = await (await fetch(`${ex.url}/health`)).json();
    expect(health.healthy_endpoints.map((e: any) => e.model_id).sort()).toEqual(['fast', 'normal']);
    expect(health.healthy_endpoints[0]).toHaveProperty('last_checked');
    expect(health.healthy_endpoints[0]).toHaveProperty('latency_ms');
  }, 25_000);

  it('health_check_skip_disabled_background_models leaves disabled deployments out of on-demand /health too', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    ex = await exporterForTest(`model_list:\n${entries(up.openaiBase, ['on'])}${entries(up.openaiBase, ['off'], ', disable_background_health_check: true')}general_settings:\n  health_check_skip_disabled_background_models: true\n`);
    const health: any = await (await fetch(`${ex.url}/health`)).json();
    expect(health.healthy_endpoints.map((e: any) => e.model_id)).toEqual(['on']);
    expect(up.count('off')).toBe(0);
  });
});

describe('history', () => {
  it('/health/history pages newest first with filters; /health/latest has one row per deployment; memory is bounded', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    ex = await exporterForTest(`model_list:\n${entries(up.openaiBase, ['good', 'server_error'])}general_settings:\n  health_check_min_interval: 0\n  health_check_history_size: 3\n`);
    for (let i = 0; i < 5; i++) await fetch(`${ex.url}/health`);
    const all: any = await (await fetch(`${ex.url}/health/history`)).json();
    expect(all.total_records).toBe(6); // 2 deployments × the last 3
    expect(all).toMatchObject({ limit: 100, offset: 0 });
    const times = all.health_checks.map((r: any) => r.checked_at);
    expect([...times].sort().reverse()).toEqual(times);
    const bad: any = await (await fetch(`${ex.url}/health/history?model_id=server_error&status_filter=unhealthy&limit=2&offset=1`)).json();
    expect(bad).toMatchObject({ total_records: 3, limit: 2, offset: 1 });
    expect(bad.health_checks).toHaveLength(2);
    expect(bad.health_checks[0]).toEqual({
      model_name: 'server_error', model_id: 'server_error', status: 'unhealthy', response_time_ms: expect.any(Number),
      error_message: expect.stringContaining('500'), error_type: 'server_error', checked_at: expect.any(String), checked_by: expect.any(String),
    });
    const byModel: any = await (await fetch(`${ex.url}/health/history?model=good&status_filter=unhealthy`)).json();
    expect(byModel.total_records).toBe(0);
    const latest: any = await (await fetch(`${ex.url}/health/latest`)).json();
    expect(latest.total_models).toBe(2);
    expect(Object.keys(latest.latest_health_checks).sort()).toEqual(['good', 'server_error']);
    expect(latest.latest_health_checks.good.status).toBe('healthy');
  });

  it('answers 400 naming the parameter for a bad limit or status_filter', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    ex = await exporterForTest(`model_list:\n${entries(up.openaiBase, ['good'])}`);
    for (const q of ['limit=0', 'limit=1001', 'status_filter=maybe', 'offset=-1']) {
      const res = await fetch(`${ex.url}/health/history?${q}`);
      expect(res.status).toBe(400);
      expect((await res.json() as any).error.param).toBe(q.split('=')[0]);
    }
  });
});

describe('hot reload', () => {
  it('keeps unchanged deployments\' results and history, drops removed ones everywhere, probes added ones soon', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    const dir = await mkdtemp(join(tmpdir(), 'lhe-reload-'));
    const file = join(dir, 'config.yaml');
    const general = 'general_settings:\n  background_health_checks: true\n  health_check_interval: 60\n  master_key: sk-reload\n';
    ex = await exporterForTest(`model_list:\n${entries(up.openaiBase, ['keep', 'server_error'])}${general}`, { file });
    const auth = { authorization: 'Bearer sk-reload' };
    await waitFor(async () => (await fetch(`${ex!.url}/health/readiness`)).status === 200 || undefined, 5000, 'first round');
    const before: any = await (await fetch(`${ex.url}/health/history?model_id=keep`, { headers: auth })).json();
    expect(before.total_records).toBe(1);

    await writeFile(file, `model_list:\n${entries(up.openaiBase, ['keep', 'added'])}${general}`);
    const res = await fetch(`${ex.url}/-/reload`, { method: 'POST', headers: auth });
    expect(await res.json()).toEqual({ status: 'reloaded', deployments: 2 });
    await waitFor(() => up!.count('added') === 1 || undefined, 10_000, 'added deployment probed');

    const health: any = await (await fetch(`${ex.url}/health`, { headers: auth })).json();
    expect([...health.healthy_endpoints, ...health.unhealthy_endpoints].map((e: any) => e.model_id).sort()).toEqual(['added', 'keep']);
    const after: any = await (await fetch(`${ex.url}/health/history?model_id=keep`, { headers: auth })).json();
    expect(after.health_checks).toEqual(before.health_checks); // kept, and not probed again
    expect(up.count('keep')).toBe(1);
    const removed: any = await (await fetch(`${ex.url}/health/history?model_id=server_error`, { headers: auth })).json();
    expect(removed.total_records).toBe(0);
    const metrics = parsePromText(await (await fetch(`${ex.url}/metrics`)).text());
    expect(metrics.filter((s) => s.labels.model_id === 'server_error')).toEqual([]);
    expect(byName(metrics, 'llm_health_unhealthy_count')[0]!.value).toBe(0);
  });

  it('refuses an invalid config: 400 with its errors, config_error in readiness, the old config keeps running', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    const dir = await mkdtemp(join(tmpdir(), 'lhe-reload-bad-'));
    const file = join(dir, 'config.yaml');
    ex = await exporterForTest(`model_list:\n${entries(up.openaiBase, ['keep'])}`, { file });
    await writeFile(file, 'model_list:\n  - model_name: broken\n    litellm_params: {}\n');
    const res = await fetch(`${ex.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(400);
    const body: any = await res.json();
    expect(body.error.issues).toEqual(['model_list[0].litellm_params.model: Required']);
    const ready: any = await (await fetch(`${ex.url}/health/readiness`)).json();
    expect(ready.config_error).toBe('model_list[0].litellm_params.model: Required');
    const health: any = await (await fetch(`${ex.url}/health`)).json();
    expect(health.healthy_endpoints.map((e: any) => e.model_id)).toEqual(['keep']);
    expect(ex.logs()).toContain('config reload refused');
  });

  it('POST /-/reload needs the master key', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    ex = await exporterForTest(`model_list: []\ngeneral_settings: { master_key: sk-m }\n`);
    expect((await fetch(`${ex.url}/-/reload`, { method: 'POST' })).status).toBe(401);
  });
});
