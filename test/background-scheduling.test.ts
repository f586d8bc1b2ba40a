import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { byName, parsePromText } from './support/prom-text.js';
import { waitFor } from './support/tools.js';

let up: FakeUpstream | undefined;
let ex: TestExporter | undefined;
afterEach(async () => {
  await ex?.close();
  await up?.close();
  ex = undefined;
  up = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const entries = (base: string, names: string[], info = '') =>
  names.map((m) => `  - model_name: ${m}\n    litellm_params: { model: openai/${m}, api_base: "${base}" }\n    model_info: { id: ${m}${info} }\n`).join('');

describe('background health checks', () => {
  it('probe each deployment exactly once per interval after the first round, spread evenly across it', async () => {
    const N = 6;
    const I = 1200; // ms
    up = await startFakeUpstream();
    const names = Array.from({ length: N }, (_, i) => `m${i}`);
    ex = await startExporter(`model_list:\n${entries(up.openaiBase, names)}general_settings:\n  background_health_checks: true\n  health_check_interval: ${I / 1000}\n`);
    await waitFor(() => up!.requests.length >= N || undefined, 5000, 'first round');
    const t0 = Math.min(...up.requests.map((r) => r.at));
    // A window of 3 intervals that starts half a slot before the first spread probe.
    const slot = I / N;
    const from = t0 + I - slot / 2;
    const to = from + 3 * I;
    await sleep(to - Date.now() + 100);
    const inWindow = up.requests.filter((r) => r.at >= from && r.at < to);
    for (const m of names) expect({ m, probes: inWindow.filter((r) => r.model === m).length }).toEqual({ m, probes: 3 });
    // The first round is the only burst: before the window, exactly one probe each.
    expect(up.requests.filter((r) => r.at < from)).toHaveLength(N);
    // Spread: no more than ceil(N/k) starts in any 1/k slice of an interval (k = 3), slices
    // aligned half a slot before the slots so timer jitter cannot move a start across a border.
    const k = 3;
    for (let j = 0; j < 3 * k; j++) {
      const a = from + (j * I) / k;
      const starts = inWindow.filter((r) => r.at >= a && r.at < a + I / k).length;
      expect({ slice: j, starts }).toEqual({ slice: j, starts: Math.ceil(N / k) });
    }
  }, 15_000);

  it('never overlaps two probes of a deployment slower than its interval', async () => {
    const I = 1000; // the shortest interval a config may ask for
    up = await startFakeUpstream({ slowMs: 2 * I });
    ex = await startExporter(`model_list:\n${entries(up.openaiBase, ['slow'])}general_settings:\n  background_health_checks: true\n  health_check_interval: ${I / 1000}\n`);
    await sleep(7 * I);
    const probes = up.requests.filter((r) => r.model === 'slow');
    expect(probes.length).toBeGreaterThanOrEqual(3);
    expect(up.maxOpen).toBe(1);
    for (let i = 1; i < probes.length; i++) {
      expect(probes[i]!.at).toBeGreaterThanOrEqual(probes[i - 1]!.endedAt!);
      expect(probes[i]!.at - probes[i - 1]!.at).toBeGreaterThanOrEqual(I);
    }
  }, 20_000);

  it('hold health_check_concurrency across the whole fleet', async () => {
    up = await startFakeUpstream({ slowMs: 200 });
    const six = Array.from({ length: 6 }, (_, i) => `  - model_name: slow\n    litellm_params: { model: openai/slow, api_base: "${up!.openaiBase}" }\n    model_info: { id: s${i} }\n`).join('');
    ex = await startExporter(`model_list:\n${six}general_settings:\n  background_health_checks: true\n  health_check_concurrency: 2\n`);
    await waitFor(async () => (await fetch(`${ex!.url}/health/readiness`)).status === 200 || undefined, 5000, 'first round');
    expect(up.requests).toHaveLength(6);
    expect(up.maxOpen).toBe(2);
  });

  it('per deployment: disable_background_health_check, model groups and health_check_interval', async () => {
    up = await startFakeUpstream();
    ex = await startExporter(`model_list:
${entries(up.openaiBase, ['fast'], ', health_check_interval: 1')}${entries(up.openaiBase, ['normal'])}${entries(up.openaiBase, ['off'], ', disable_background_health_check: true')}${entries(up.openaiBase, ['other-group'])}general_settings:
  background_health_checks: true
  health_check_interval: 30
  background_health_check_model_groups: [fast, normal, off]
`);
    await waitFor(() => up!.count('fast') >= 3 || undefined, 10_000, 'three probes of the 1 s deployment');
    expect(up.count('off')).toBe(0);
    expect(up.count('other-group')).toBe(0);
    expect(up.count('normal')).toBe(1);
    const health: any = await (await fetch(`${ex.url}/health`)).json();
    expect(health.healthy_endpoints.map((e: any) => e.model_id).sort()).toEqual(['fast', 'normal']);
    expect(health.healthy_endpoints[0]).toHaveProperty('last_checked');
    expect(health.healthy_endpoints[0]).toHaveProperty('latency_ms');
  });

  it('health_check_skip_disabled_background_models leaves disabled deployments out of on-demand /health too', async () => {
    up = await startFakeUpstream();
    ex = await startExporter(`model_list:\n${entries(up.openaiBase, ['on'])}${entries(up.openaiBase, ['off'], ', disable_background_health_check: true')}general_settings:\n  health_check_skip_disabled_background_models: true\n`);
    const health: any = await (await fetch(`${ex.url}/health`)).json();
    expect(health.healthy_endpoints.map((e: any) => e.model_id)).toEqual(['on']);
    expect(up.count('off')).toBe(0);
  });
});

describe('history', () => {
  it('/health/history pages newest first with filters; /health/latest has one row per deployment; memory is bounded', async () => {
    up = await startFakeUpstream();
    ex = await startExporter(`model_list:\n${entries(up.openaiBase, ['good', 'server_error'])}general_settings:\n  health_check_min_interval: 0\n  health_check_history_size: 3\n`);
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
    up = await startFakeUpstream();
    ex = await startExporter(`model_list:\n${entries(up.openaiBase, ['good'])}`);
    for (const q of ['limit=0', 'limit=1001', 'status_filter=maybe', 'offset=-1']) {
      const res = await fetch(`${ex.url}/health/history?${q}`);
      expect(res.status).toBe(400);
      expect((await res.json() as any).error.param).toBe(q.split('=')[0]);
    }
  });
});

describe('hot reload', () => {
  it('keeps unchanged deployments\' results and history, drops removed ones everywhere, probes added ones soon', async () => {
    up = await startFakeUpstream();
    const dir = await mkdtemp(join(tmpdir(), 'lhe-reload-'));
    const file = join(dir, 'config.yaml');
    const general = 'general_settings:\n  background_health_checks: true\n  health_check_interval: 60\n  master_key: sk-reload\n';
    ex = await startExporter(`model_list:\n${entries(up.openaiBase, ['keep', 'server_error'])}${general}`, { file });
    const auth = { authorization: 'Bearer sk-reload' };
    await waitFor(async () => (await fetch(`${ex!.url}/health/readiness`)).status === 200 || undefined, 5000, 'first round');
    const before: any = await (await fetch(`${ex.url}/health/history?model_id=keep`, { headers: auth })).json();
    expect(before.total_records).toBe(1);

    await writeFile(file, `model_list:\n${entries(up.openaiBase, ['keep', 'added'])}${general}`);
    const res = await fetch(`${ex.url}/-/reload`, { method: 'POST', headers: auth });
    expect(await res.json()).toEqual({ status: 'reloaded', deployments: 2 });
    await waitFor(() => up!.count('added') === 1 || undefined, 3000, 'added deployment probed');

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
    up = await startFakeUpstream();
    const dir = await mkdtemp(join(tmpdir(), 'lhe-reload-bad-'));
    const file = join(dir, 'config.yaml');
    ex = await startExporter(`model_list:\n${entries(up.openaiBase, ['keep'])}`, { file });
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
    up = await startFakeUpstream();
    ex = await startExporter(`model_list: []\ngeneral_settings: { master_key: sk-m }\n`);
    expect((await fetch(`${ex.url}/-/reload`, { method: 'POST' })).status).toBe(401);
  });
});
