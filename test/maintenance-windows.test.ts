import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { closeWhenTestEnds, exporterForTest, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { byName, parsePromText, type Sample } from './support/prom-text.js';
import { run, waitFor } from './support/tools.js';

/**
 * Maintenance windows: a covered deployment costs nothing (zero requests at the fake upstream,
 * background, on demand and /health/probe), shows `maintenance` on the status page and badge and 1 in
 * llm_deployment_maintenance, is never shown stale, and the shipped alert rules, run by promtool
 * over the exporter's own series, stay quiet (and fire on the same series without the window).
 */
let up: FakeUpstream | undefined;
let ex: TestExporter | undefined;

const iso = (ms: number) => new Date(ms).toISOString();
const config = (base: string, windows = '', extra = '') => `model_list:
  - model_name: steady
    litellm_params: { model: openai/steady-model, api_base: "${base}" }
    model_info: { id: steady }
  - model_name: covered
    litellm_params: { model: openai/covered-model, api_base: "${base}" }
    model_info: { id: covered${extra} }
general_settings:
  background_health_checks: true
  health_check_interval: 1
  health_check_min_interval: 0
  status_page: public
${windows}`;
const json = async (path: string): Promise<any> => (await fetch(`${ex!.url}${path}`)).json();
const scrape = async () => parsePromText(await (await fetch(`${ex!.url}/metrics`)).text());
const coveredState = async () => (await json('/status.json')).groups.find((g: any) => g.model_name === 'covered').deployments[0];

describe('a maintenance window open from the start', () => {
  it('probes the covered deployment zero times, in the background and on demand, until the window ends', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    const end = Date.now() + 12_000;
    ex = await exporterForTest(config(up.openaiBase, `  maintenance_windows:
    - { name: provider-upgrade, start: "${iso(Date.now() - 60_000)}", end: "${iso(end)}", model_names: [covered] }
`, ', health_check_interval: 3600'));
    // Readiness does not wait for a deployment in maintenance.
    await waitFor(async () => (await fetch(`${ex!.url}/health/readiness`)).status === 200 || undefined, 10_000, 'ready');
    await waitFor(() => up!.count('steady-model') >= 3 || undefined, 15_000, 'three probes of the uncovered deployment');
    await fetch(`${ex.url}/health?model=covered`);
    await fetch(`${ex.url}/health?model_id=covered`);
    const debugProbe = await fetch(`${ex.url}/health/probe?model_id=covered&debug=true`);
    expect(debugProbe.status).toBe(409);
    expect(((await debugProbe.json()) as any).error.message).toContain('maintenance window "provider-upgrade"');
    expect(Date.now(), 'still inside the window (a very slow machine would end it first)').toBeLessThan(end);
    expect(up.count('covered-model')).toBe(0);
    expect(await coveredState()).toMatchObject({ state: 'maintenance', maintenance: { name: 'provider-upgrade', until: iso(end) } });
    const maintenance = byName(await scrape(), 'llm_deployment_maintenance');
    expect(maintenance.map((s) => [s.labels.model_id, s.value])).toEqual([['covered', 1]]);
    // Its interval is an hour: the probe after the window comes at the window's end, not an hour later.
    await waitFor(() => up!.count('covered-model') === 1 || undefined, 25_000, 'a probe when the window ends');
    const first = up.requests.find((r) => r.model === 'covered-model')!.at;
    expect(first).toBeGreaterThanOrEqual(end);
    expect(first - end).toBeLessThan(10_000);
    await waitFor(async () => (await coveredState()).state === 'healthy' || undefined, 10_000, 'healthy after the window');
    expect(byName(await scrape(), 'llm_deployment_maintenance').map((s) => s.value)).toEqual([0]);
  }, 60_000);
});

describe('a window opened over a deployment that is down', () => {
  it('stops its probes, says maintenance everywhere, and keeps the shipped alerts quiet', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    up.behaviourOf.set('covered-model', 'server_error');
    ex = await exporterForTest(config(up.openaiBase));
    await waitFor(async () => (await json('/health')).unhealthy_count === 1 || undefined, 10_000, 'the covered deployment down');

    const windowed = config(up.openaiBase, `  maintenance_windows:
    - { name: provider-upgrade, schedule: "* * * * *", duration: 2h, model_ids: [covered] }
`);
    ex.app.applyConfig(parseConfig(windowed, 'c.yaml', {}));
    // A probe already on its way when the window opened may still land; after it, none.
    await waitFor(() => up!.requests.every((r) => r.model !== 'covered-model' || r.endedAt !== undefined) || undefined, 10_000, 'no covered probe open');
    const before = up.count('covered-model');
    const steady = up.count('steady-model');
    await waitFor(() => up!.count('steady-model') >= steady + 3 || undefined, 15_000, 'three more probes of the uncovered deployment');
    await fetch(`${ex.url}/health?model=covered`);
    expect(up.count('covered-model')).toBe(before);

    expect((await coveredState()).state).toBe('maintenance');
    const badge = await (await fetch(`${ex.url}/badge/covered/status.svg`)).text();
    expect(badge).toContain('aria-label="covered: maintenance"');
    const health = await json('/health');
    // /health keeps its last verdict, marked, and never calls it stale.
    expect(health.unhealthy_endpoints.map((e: any) => [e.model_id, e.error_type, e.details])).toEqual([['covered', 'server_error', { maintenance: 'provider-upgrade' }]]);

    const samples = await scrape();
    const of = (name: string, id: string) => byName(samples, name).find((s) => s.labels.model_id === id);
    expect(of('llm_deployment_maintenance', 'covered')!.value).toBe(1);
    expect(of('llm_deployment_maintenance', 'steady')).toBeUndefined(); // no window names it
    expect(of('llm_deployment_healthy', 'covered')!.value).toBe(0);

    // The exporter's own series, held for 30 minutes: quiet while the window is open ...
    const quiet = await promtoolAlerts(samples);
    expect(quiet).toEqual({ passed: true, fired: [] });
    // ... and the same series without the window fire every rule about the deployment.
    const loud = await promtoolAlerts(samples.map((s) => (s.name === 'llm_deployment_maintenance' ? { ...s, value: 0 } : s)));
    expect(loud.fired.sort()).toEqual(['LLMDeploymentUnhealthy', 'LLMHealthProbesStale', 'LLMModelGroupDown', 'LLMUnhealthyDeployments']);

    // Closing the window (a reload without it) probes it again at once.
    ex.app.applyConfig(parseConfig(config(up.openaiBase), 'c.yaml', {}));
    await waitFor(() => up!.count('covered-model') > before || undefined, 10_000, 'a probe once the window is gone');
    expect((await coveredState()).state).toBe('unhealthy');
  }, 60_000);
});

const PER_DEPLOYMENT = ['llm_deployment_healthy', 'llm_deployment_maintenance', 'llm_deployment_last_probe_timestamp_seconds', 'llm_deployment_stale_after_seconds'];

/**
 * Runs alerts/llm-health.rules.yml under promtool over these samples held for 30 minutes (a
 * deployment with a maintenance series last probed at t=0, the others every 15 s), expecting no
 * alert: passed, or which alerts fired instead.
 */
async function promtoolAlerts(samples: Sample[]): Promise<{ passed: boolean; fired: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'promtool-'));
  try {
    const unprobed = new Set(samples.filter((s) => s.name === 'llm_deployment_maintenance').map((s) => s.labels.model_id));
    const series = samples.filter((s) => PER_DEPLOYMENT.includes(s.name)).map((s) => {
      const labels = Object.entries({ ...s.labels, instance: 'exp:4000', job: 'llm-health-exporter' }).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
      // The deployment in the window is no longer probed (its last probe stays at t=0); the others are, every 15 s.
      const values = s.name !== 'llm_deployment_last_probe_timestamp_seconds' ? `${s.value}x120` : unprobed.has(s.labels.model_id!) ? '0x120' : '0+15x120';
      return `      - series: '${s.name}{${labels}}'\n        values: '${values}'`;
    });
    const alerts = ['LLMDeploymentUnhealthy', 'LLMUnhealthyDeployments', 'LLMModelGroupDown', 'LLMHealthProbesStale'];
    await writeFile(join(dir, 'test.yml'), `rule_files:
  - ${join(PACKAGE_ROOT, 'alerts/llm-health.rules.yml')}
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
${series.join('\n')}
    alert_rule_test:
${alerts.flatMap((a) => ['10m', '30m'].map((t) => `      - { eval_time: ${t}, alertname: ${a}, exp_alerts: [] }`)).join('\n')}
`);
    const r = await run('promtool', ['test', 'rules', 'test.yml'], { cwd: dir });
    const fired = [...new Set([...(r.stdout + r.stderr).matchAll(/alertname: (\w+), time: 30m/g)].map((m) => m[1]!))];
    return { passed: r.code === 0, fired };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
