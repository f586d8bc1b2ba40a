import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { createLogger } from '../src/cli/logger.js';
import { parseConfig } from '../src/config/load.js';
import { buildSnapshot } from '../src/config/snapshot.js';
import { MemoryStore } from '../src/store/memory.js';
import { StaleWatch } from '../src/telemetry/stale-watch.js';
import { closeWhenTestEnds, exporterForTest, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { byName, parsePromText } from './support/prom-text.js';
import { waitFor } from './support/tools.js';

/**
 * Issue 14's reproductions: each failed on the code before it (a longer per-deployment interval
 * shown stale, a first round hiding the broken deployment, one failed probe flipping the
 * verdict, silence on state changes).
 */
let up: FakeUpstream | undefined;
let ex: TestExporter | undefined;

const entry = (base: string, name: string, info = '') =>
  `  - model_name: ${name}\n    litellm_params: { model: openai/${name}, api_base: "${base}" }\n    model_info: { id: ${name}${info} }\n`;
const health = async (): Promise<any> => (await fetch(`${ex!.url}/health`)).json();
const metricValue = async (name: string, id: string) => {
  const series = byName(parsePromText(await (await fetch(`${ex!.url}/metrics`)).text()), name);
  return series.find((s) => s.labels.model_id === id)?.value;
};
const sink = () => {
  const chunks: string[] = [];
  return { stream: new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }), text: () => chunks.join('') };
};

describe('a deployment with its own longer interval', () => {
  it('stays fresh and listed between its probes, even when the global interval is short', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    ex = await exporterForTest(`model_list:\n${entry(up.openaiBase, 'ok')}${entry(up.openaiBase, 'hourly', ', health_check_interval: 3600')}general_settings:
  background_health_checks: true
  health_check_interval: 1
`);
    // Three global intervals pass: the old threshold (2 × the global interval) is long gone.
    await waitFor(() => up!.count('ok') >= 4 || undefined, 15_000, 'four probes of the 1 s deployment');
    expect(up.count('hourly')).toBe(1);
    const body = await health();
    expect(body.healthy_endpoints.map((e: any) => e.model_id).sort()).toEqual(['hourly', 'ok']);
    expect(body.unhealthy_count).toBe(0);
    const latest: any = await (await fetch(`${ex.url}/health/latest`)).json();
    expect(Object.keys(latest.latest_health_checks).sort()).toEqual(['hourly', 'ok']);
    expect(await metricValue('llm_deployment_healthy', 'hourly')).toBe(1);
    expect(await metricValue('llm_deployment_stale_after_seconds', 'hourly')).toBe(2 * 3600 + 60);
  }, 30_000);
});

describe('during the first background round', () => {
  it('lists the deployment not checked yet as pending, and --health exits non-zero', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    ex = await exporterForTest(`model_list:\n${entry(up.openaiBase, 'ok')}${entry(up.openaiBase, 'hang', ', health_check_timeout: 30')}general_settings:
  background_health_checks: true
  health_check_interval: 300
`);
    await waitFor(async () => (await health()).healthy_count === 1 || undefined, 10_000, 'the healthy one checked');
    const body = await health();
    expect(body.pending_endpoints.map((e: any) => e.model_id)).toEqual(['hang']);
    expect([body.healthy_count, body.unhealthy_count, body.pending_count]).toEqual([1, 0, 1]);
    expect(body.pending_endpoints[0]).not.toHaveProperty('last_checked');
    expect(await metricValue('llm_deployment_healthy', 'hang')).toBeUndefined(); // unknown, not unhealthy
    const pending = byName(parsePromText(await (await fetch(`${ex.url}/metrics`)).text()), 'llm_health_pending_count');
    expect(pending[0]!.value).toBe(1);
    const out = sink();
    const code = await main(['--health', '--url', ex.url], out.stream, sink().stream);
    expect(code).toBe(1);
    expect(out.text()).toMatch(/PENDING\s+hang/);
    expect(out.text()).toContain('1 healthy, 0 unhealthy, 1 pending');
  }, 20_000);
});

describe('failure and success thresholds', () => {
  it('one failed probe changes no verdict; a confirmation probe follows after the retry interval; the confirmed outage returns to the interval', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    const I = 3000;
    ex = await exporterForTest(`model_list:\n${entry(up.openaiBase, 'flaky')}general_settings:
  background_health_checks: true
  health_check_interval: ${I / 1000}
  health_check_failure_threshold: 2
  health_check_retry_interval: 1
`, { logLevel: 'info' });
    await waitFor(() => up!.count('flaky') >= 1 || undefined, 10_000, 'first probe');
    up.behaviourOf.set('flaky', 'server_error');

    // The first failure: still reported healthy, with the failure counted.
    const first = await waitFor(async () => {
      const b = await health();
      return b.healthy_endpoints[0]?.consecutive_failures === 1 ? b : undefined;
    }, 15_000, 'one failure under the threshold');
    expect(first.unhealthy_count).toBe(0);
    expect(await metricValue('llm_deployment_healthy', 'flaky')).toBe(1);
    expect(await metricValue('llm_deployment_consecutive_failures', 'flaky')).toBe(1);

    // The confirmation: after the retry interval, not a whole interval; then unhealthy.
    const confirmed = await waitFor(async () => ((await health()).unhealthy_count === 1 ? true : undefined), 15_000, 'confirmed');
    expect(confirmed).toBe(true);
    const starts = up.requests.filter((r) => r.model === 'flaky').map((r) => r.at);
    expect(starts.length).toBe(3);
    // Measured where requests arrive: the retry is due 1 s after the previous probe *started*,
    // and each request's trip to the upstream varies by a few ms.
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(1000 - 100);
    expect(starts[2]! - starts[1]!).toBeLessThan(I);
    expect(await metricValue('llm_deployment_healthy', 'flaky')).toBe(0);

    // Confirmed: back to the interval (a dead upstream is not retried in a storm).
    await waitFor(() => up!.count('flaky') >= 4 || undefined, 15_000, 'the next probe');
    const later = up.requests.filter((r) => r.model === 'flaky').map((r) => r.at);
    expect(later[3]! - later[2]!).toBeGreaterThanOrEqual(I - 300); // the grid's slack: a tenth of the interval

    // Recovery is one state change, logged as such; each line names the deployment.
    up.behaviourOf.delete('flaky');
    await waitFor(async () => ((await health()).healthy_count === 1 ? true : undefined), 15_000, 'recovered');
    const lines = ex.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const down = lines.find((l) => l.msg === 'deployment unhealthy');
    expect(down).toMatchObject({ level: 40, model_name: 'flaky', model: 'openai/flaky', api_base_host: '127.0.0.1', model_id: 'flaky', error_type: 'server_error' });
    expect(lines.filter((l) => l.msg === 'deployment unhealthy')).toHaveLength(1);
    expect(lines.find((l) => l.msg === 'deployment recovered')).toMatchObject({ level: 30, model_name: 'flaky' });
    // The failure under the threshold is no news: only at debug (not logged at info).
    expect(lines.filter((l) => l.msg === 'probe failed')).toHaveLength(0);
  }, 60_000);
});

describe('an on-demand probe that fails under the threshold', () => {
  it('gets its confirmation probe after the retry interval, not at the next slot', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    ex = await exporterForTest(`model_list:\n${entry(up.openaiBase, 'flaky')}general_settings:
  background_health_checks: true
  health_check_interval: 3600
  health_check_min_interval: 0
  health_check_failure_threshold: 2
  health_check_retry_interval: 1
`);
    await waitFor(() => up!.count('flaky') >= 1 || undefined, 10_000, 'first probe');
    up.behaviourOf.set('flaky', 'server_error');
    const targeted = await fetch(`${ex.url}/health?model_id=flaky`);
    expect(targeted.status).toBe(200); // one failure: still healthy
    expect(((await targeted.json()) as any).healthy_endpoints[0].consecutive_failures).toBe(1);
    await waitFor(async () => ((await health()).unhealthy_count === 1 ? true : undefined), 15_000, 'confirmed by the background loop');
    expect(up.count('flaky')).toBe(3);
  }, 30_000);
});

describe('going stale', () => {
  it('is logged once at warn, naming the deployment, and again only after it was fresh', () => {
    const config = parseConfig(`model_list:\n${entry('http://127.0.0.1:9/v1', 'm')}general_settings: { background_health_checks: true, health_check_interval: 60 }\n`, 'c.yaml', {});
    const s = buildSnapshot(config, 0);
    const store = new MemoryStore(5);
    const out = sink();
    let now = 1_000_000;
    const watch = new StaleWatch({ snapshot: () => s, store, logger: createLogger('info', out.stream), now: () => now });
    store.set({ deploymentId: 'm', healthy: true, startedAt: now, checkedAt: now, latencyMs: 1, headers: {} });
    watch.check();
    expect(out.text()).toBe('');
    now += 181_000; // 2 × 60 s + the 60 s timeout
    watch.check();
    watch.check();
    const lines = out.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'deployment stale', model_name: 'm', model: 'openai/m', error_type: 'stale' });
    store.set({ deploymentId: 'm', healthy: true, startedAt: now, checkedAt: now, latencyMs: 1, headers: {} });
    watch.check();
    now += 181_000;
    watch.check();
    expect(out.text().trim().split('\n')).toHaveLength(2);
  });
});
