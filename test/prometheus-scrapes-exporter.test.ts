import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { exporterScrapeConfig, startPrometheus, type TestPrometheus } from './support/prometheus.js';
import { waitFor } from './support/tools.js';

/**
 * A real Prometheus server (Debian's prometheus package) scrapes the exporter's /metrics on
 * loopback and loads our alert rules; we ask it, through its HTTP API, what it sees.
 */
describe('a real Prometheus scraping the exporter', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  let prom: TestPrometheus;
  let promUrl: string;

  beforeAll(async () => {
    up = await startFakeUpstream();
    ex = await startExporter(`
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase} }
    model_info: { id: gpt-ok }
  - model_name: gpt
    litellm_params: { model: openai/server_error, api_base: ${up.openaiBase} }
    model_info: { id: gpt-5xx }
  - model_name: claude
    litellm_params: { model: openai/unauthorized, api_base: ${up.openaiBase} }
    model_info: { id: claude-401 }
general_settings:
  background_health_checks: true
  health_check_interval: 300
`, { logLevel: 'warn' });
    prom = await startPrometheus(exporterScrapeConfig([ex.url.replace('http://', '')]));
    promUrl = prom.url;
  }, 40_000);

  afterAll(async () => {
    await prom?.close();
    await ex?.close();
    await up?.close();
  });

  const query = (q: string) => prom.query(q);

  it('scrapes the target successfully', async () => {
    const upSeries = await waitFor(async () => {
      const r = await query('up{job="llm-health-exporter"}');
      return r.length && r[0]!.value[1] === '1' ? r : undefined;
    }, 15_000, 'up == 1');
    expect(upSeries[0]!.metric.instance).toBe(ex.url.replace('http://', ''));
  }, 20_000);

  it('sees llm_health_unhealthy_count and llm_deployment_healthy matching the upstream', async () => {
    const unhealthy = await waitFor(async () => {
      const r = await query('llm_health_unhealthy_count');
      return r.length ? r : undefined;
    }, 15_000, 'llm_health_unhealthy_count');
    expect(unhealthy[0]!.value[1]).toBe('2');
    const perDeployment = await query('llm_deployment_healthy');
    expect(Object.fromEntries(perDeployment.map((s) => [s.metric.model_id, s.value[1]]))).toEqual({ 'gpt-ok': '1', 'gpt-5xx': '0', 'claude-401': '0' });
    const groups = await query('max by (model_name) (llm_deployment_healthy)');
    expect(Object.fromEntries(groups.map((s) => [s.metric.model_name, s.value[1]]))).toEqual({ gpt: '1', claude: '0' });
  }, 20_000);

  it('loads the alert rules and evaluates them against the scraped series', async () => {
    const rules = await waitFor(async () => {
      const res = await fetch(`${promUrl}/api/v1/rules`);
      const body = (await res.json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; state?: string; alerts?: Array<{ labels: Record<string, string> }> }> }> } };
      const all = body.data.groups.flatMap((g) => g.rules);
      const evaluated = all.find((r) => r.name === 'LLMDeploymentUnhealthy')?.state === 'pending';
      return all.length === 8 && all.every((r) => r.health === 'ok') && evaluated ? all : undefined;
    }, 15_000, 'rules evaluated');
    expect(rules.map((r) => r.name).sort()).toEqual(['LLMDeploymentDegraded', 'LLMDeploymentUnhealthy', 'LLMHealthExporterDown', 'LLMHealthProbesStale', 'LLMModelGroupDown', 'LLMTLSCertificateExpiringSoon', 'LLMTLSCertificateExpiryImminent', 'LLMUnhealthyDeployments']);
    // Pending (their `for:` has not elapsed), for exactly the failing deployments.
    const pending = rules.find((r) => r.name === 'LLMDeploymentUnhealthy')!;
    expect(pending.state).toBe('pending');
    expect(pending.alerts!.map((a) => a.labels.model_id).sort()).toEqual(['claude-401', 'gpt-5xx']);
  }, 20_000);

  it('answers every query of the Grafana dashboard (valid PromQL over our metric names)', async () => {
    const dashboard = JSON.parse(await readFile(join(PACKAGE_ROOT, 'examples/grafana/llm-health-dashboard.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    for (const expr of exprs) {
      const q = expr.replaceAll('$model_name', '.*').replaceAll('$__rate_interval', '1m');
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { status: string; error?: string };
      expect({ expr, status: body.status, error: body.error }).toEqual({ expr, status: 'success', error: undefined });
    }
    const table = await query('max by (model_name, model, model_id, provider, server_address, mode) (llm_deployment_healthy{model_name=~".*"})');
    expect(table).toHaveLength(3);
  }, 20_000);

  it('answers every PromQL example of docs/metrics.md', async () => {
    const doc = await readFile(join(PACKAGE_ROOT, 'docs/metrics.md'), 'utf8');
    const examples = [...doc.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const expr of examples) {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string };
      expect({ expr, status: body.status, error: body.error }).toEqual({ expr, status: 'success', error: undefined });
    }
    // Two documented aggregations, checked for their answer over this config.
    const perGroup = await query(examples.find((e) => e.startsWith('sum by (model_name)'))!);
    expect(Object.fromEntries(perGroup.map((s) => [s.metric.model_name, s.value[1]]))).toEqual({ gpt: '1', claude: '0' });
    const deployments = await query(examples.find((e) => e.startsWith('max by (model_name, model_id)'))!);
    expect(deployments).toHaveLength(3);
  }, 20_000);
});
