import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { alertRules } from '../src/telemetry/metrics-doc.js';
import { METRIC_LIST, prometheusLabelName, type MetricSpec } from '../src/telemetry/metrics.js';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { makeCert, startFakeTlsUpstream, type FakeTlsUpstream, type TestCert } from './support/fake-tls.js';
import { byName, parsePromFamilies, parsePromText, type Sample } from './support/prom-text.js';
import { run, waitFor } from './support/tools.js';

const DEPLOYMENT_LABELS = ['model', 'model_id', 'model_name', 'mode', 'provider', 'server_address'].sort();

/** The samples of a metric: a histogram's are its _bucket, _count and _sum lines. */
function samplesOf(samples: Sample[], m: MetricSpec): Sample[] {
  const names = m.type === 'histogram' ? ['_bucket', '_count', '_sum'].map((suffix) => m.prometheus + suffix) : [m.prometheus];
  return samples.filter((s) => names.includes(s.name));
}

describe('GET /metrics', () => {
  let up: FakeUpstream;
  let tls: FakeTlsUpstream;
  let cert: TestCert;
  let ex: TestExporter;
  let yaml: string;
  beforeAll(async () => {
    up = await startFakeUpstream();
    cert = await makeCert(30);
    tls = await startFakeTlsUpstream(cert);
    const hostPort = up.url.replace('http://', '');
    yaml = `
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_base: "http://usr:pw-SECRET1@${hostPort}/v1?key=SECRET2", api_key: sk-SECRET3 }
    model_info: { id: good }
  - model_name: gpt
    litellm_params: { model: azure/eu, api_base: "${up.url}", api_key: SECRET4, api_version: "2024-10-21" }
    model_info: { id: az }
  - model_name: broken
    litellm_params: { model: openai/rate_limited, api_base: "${up.openaiBase}" }
    model_info: { id: bad }
  - model_name: tls
    litellm_params: { model: openai/gpt-4o, api_base: "${tls.openaiBase}", ssl_certificate: ${cert.certFile} }
    model_info: { id: tls, health_check_latency_threshold: 60 }
general_settings:
  background_health_checks: true
  health_check_interval: 300
  health_check_min_interval: 0
  # Give the notification and maintenance metrics their series (nothing is sent: the batch waits an hour).
  notification_group_wait: 3600
  notifications: [{ name: contract, url: "http://127.0.0.1:9/hook" }]
  maintenance_windows: [{ start: "2000-01-01T00:00:00Z", end: "2000-01-01T01:00:00Z" }]
`;
    ex = await startExporter(yaml);
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200, 5000, 'first round');
    await fetch(`${ex.url}/health?model=gpt`); // a second probe of the two gpt deployments
    await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(async () => { await ex.close(); await up.close(); await tls.close(); });

  const scrape = async () => {
    const res = await fetch(`${ex.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  it('serves exactly the metrics of src/telemetry/metrics.ts, each with its type, help and unit', async () => {
    const families = parsePromFamilies(await scrape());
    expect([...families.keys()].sort()).toEqual(METRIC_LIST.map((m) => m.prometheus).sort());
    for (const m of METRIC_LIST) {
      expect({ metric: m.prometheus, ...families.get(m.prometheus) }).toEqual({ metric: m.prometheus, help: m.help, type: m.type, ...(m.unit ? { unit: m.unit } : {}) });
    }
  });

  it('labels every series as the table says: its labels always, optional ones only, and nothing else', async () => {
    const samples = parsePromText(await scrape());
    for (const m of METRIC_LIST) {
      const series = samplesOf(samples, m);
      expect(series.length, `${m.prometheus} has series`).toBeGreaterThan(0);
      const always = m.labels.filter((l) => !l.onlyWhen).map((l) => prometheusLabelName(l.attribute));
      const seen = new Set<string>();
      for (const s of series) {
        const keys = Object.keys(s.labels).filter((k) => !(s.name.endsWith('_bucket') && k === 'le'));
        keys.forEach((k) => seen.add(k));
        expect(keys, `${s.name}{${keys.join(',')}}`).toEqual(expect.arrayContaining(always));
      }
      // This config exercises every optional label (a failed probe, an endpoint with a port).
      const listed = m.labels.map((l) => prometheusLabelName(l.attribute)).sort();
      if (m.moreLabels) expect([...seen].sort(), m.prometheus).toEqual(expect.arrayContaining(listed));
      else expect([...seen].sort(), m.prometheus).toEqual(listed);
    }
  });

  it('exports llm_deployment_healthy per deployment with the contracted labels', async () => {
    const healthy = byName(parsePromText(await scrape()), 'llm_deployment_healthy');
    expect(healthy.map((s) => [s.labels.model_id, s.value]).sort()).toEqual([['az', 1], ['bad', 0], ['good', 1], ['tls', 1]]);
    for (const s of healthy) expect(Object.keys(s.labels).sort()).toEqual(DEPLOYMENT_LABELS);
    expect(healthy.find((s) => s.labels.model_id === 'good')!.labels).toEqual({
      model_name: 'gpt', model_id: 'good', model: 'openai/gpt-4o', mode: 'chat', provider: 'openai', server_address: '127.0.0.1',
    });
  });

  it('exports durations, timestamps, counts and the interval', async () => {
    const samples = parsePromText(await scrape());
    const nowS = Date.now() / 1000;
    for (const s of byName(samples, 'llm_deployment_probe_duration_seconds')) expect(s.value).toBeGreaterThan(0);
    for (const s of byName(samples, 'llm_deployment_last_probe_timestamp_seconds')) expect(Math.abs(nowS - s.value)).toBeLessThan(60);
    expect(byName(samples, 'llm_deployment_last_success_timestamp_seconds').map((s) => s.labels.model_id).sort()).toEqual(['az', 'good', 'tls']);
    expect(byName(samples, 'llm_health_healthy_count')).toEqual([{ name: 'llm_health_healthy_count', labels: {}, value: 3 }]);
    // Over HTTPS only: the certificate's notAfter, to the second.
    expect(byName(samples, 'llm_deployment_tls_cert_expiry_timestamp_seconds').map((s) => [s.labels.model_id, s.value])).toEqual([['tls', cert.notAfter / 1000]]);
    // Only where a latency threshold is set; a fast probe is not degraded.
    expect(byName(samples, 'llm_deployment_degraded').map((s) => [s.labels.model_id, s.value])).toEqual([['tls', 0]]);
    expect(byName(samples, 'llm_health_unhealthy_count')).toEqual([{ name: 'llm_health_unhealthy_count', labels: {}, value: 1 }]);
    expect(byName(samples, 'llm_health_check_interval_seconds')[0]!.value).toBe(300);
  });

  it('counts probes by result and error_type in llm_deployment_probes_total', async () => {
    const probes = byName(parsePromText(await scrape()), 'llm_deployment_probes_total');
    const get = (id: string) => probes.filter((s) => s.labels.model_id === id).map((s) => [s.labels.result, s.labels.error_type, s.value]);
    expect(get('good')).toEqual([['healthy', '', 2]]);
    expect(get('bad')).toEqual([['unhealthy', 'rate_limited', 1]]);
  });

  it('exports the GenAI client operation duration histogram with semconv attributes and buckets', async () => {
    const samples = parsePromText(await scrape());
    const counts = byName(samples, 'gen_ai_client_operation_duration_seconds_count');
    const azure = counts.find((s) => s.labels.gen_ai_request_model === 'eu')!;
    expect(azure.labels).toMatchObject({ gen_ai_operation_name: 'chat', gen_ai_provider_name: 'azure.ai.openai', server_address: '127.0.0.1' });
    expect(azure.value).toBe(2);
    const failed = counts.find((s) => s.labels.gen_ai_request_model === 'rate_limited')!;
    expect(failed.labels.error_type).toBe('rate_limited');
    const les = byName(samples, 'gen_ai_client_operation_duration_seconds_bucket').filter((s) => s.labels.gen_ai_request_model === 'eu').map((s) => s.labels.le);
    expect(les.slice(0, 3)).toEqual(['0.01', '0.02', '0.04']);
    expect(les.at(-1)).toBe('+Inf');
  });

  it('carries no path, query, user info or key in any label or value', async () => {
    const text = await scrape();
    expect(text).not.toMatch(/SECRET|usr|\/v1|key=/);
  });

  it('passes promtool check metrics except its note on the three _count gauges named after /health', async () => {
    const r = await run('promtool', ['check', 'metrics'], { input: await scrape() });
    const problems = (r.stdout + r.stderr).trim().split('\n').filter(Boolean).sort();
    expect(problems).toEqual([
      'llm_health_healthy_count non-histogram and non-summary metrics should not have "_count" suffix',
      'llm_health_pending_count non-histogram and non-summary metrics should not have "_count" suffix',
      'llm_health_unhealthy_count non-histogram and non-summary metrics should not have "_count" suffix',
    ]);
  });

  it('drops every series of a deployment removed from the config', async () => {
    const without = yaml.replace(/  - model_name: broken[\s\S]*?id: bad \}\n/, '');
    ex.app.applyConfig(parseConfig(without, 'c.yaml', {}));
    const samples = parsePromText(await scrape());
    const perDeployment = samples.filter((s) => s.name.startsWith('llm_deployment_'));
    expect(perDeployment.length).toBeGreaterThan(0);
    expect(perDeployment.filter((s) => s.labels.model_id === 'bad')).toEqual([]);
    expect(byName(samples, 'llm_health_unhealthy_count')[0]!.value).toBe(0);
    const health: any = await (await fetch(`${ex.url}/health`)).json();
    expect(health.unhealthy_count).toBe(0);
  });
});

describe('/metrics at 10,000 deployments', () => {
  it('exports every deployment and histogram series without cardinality overflow', async () => {
    const n = 10_000;
    const entries = Array.from({ length: n }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/model-${i}, api_base: "http://10.0.${i % 250}.1/v1" }\n    model_info: { id: d${i} }\n`);
    const ex = await startExporter(`model_list:\n${entries.join('')}`);
    try {
      // Results written straight to the store: this measures the metric path, not probing.
      const now = Date.now();
      for (const d of ex.app.deployments) {
        const r = { deploymentId: d.id, healthy: d.id !== 'd7', startedAt: now, checkedAt: now, latencyMs: 12, headers: {} };
        ex.app.store.set(r);
        ex.app.telemetry.recordProbe(d, r);
      }
      const text = await (await fetch(`${ex.url}/metrics`)).text();
      expect(text).not.toContain('otel_metric_overflow');
      const samples = parsePromText(text);
      expect(byName(samples, 'llm_deployment_healthy')).toHaveLength(n);
      expect(byName(samples, 'gen_ai_client_operation_duration_seconds_count')).toHaveLength(n);
      expect(byName(samples, 'llm_health_unhealthy_count')[0]!.value).toBe(1);
    } finally {
      await ex.close();
    }
  }, 60_000);
});

describe('the metrics table', () => {
  const known = (name: string) => METRIC_LIST.some((m) => m.prometheus === name
    || (m.type === 'histogram' && ['_bucket', '_count', '_sum'].some((suffix) => name === m.prometheus + suffix)));
  const labelNames = new Set(METRIC_LIST.flatMap((m) => m.labels.map((l) => prometheusLabelName(l.attribute))));
  /** The names in a query that look like ours and are not label names (`by (gen_ai_provider_name)`). */
  const metricNamesIn = (promql: string) => [...promql.matchAll(/\b(?:llm|gen_ai)_[a-z0-9_]+/g)].map((m) => m[0]).filter((n) => !labelNames.has(n));

  it('has every metric the alert rules, the Grafana dashboard and docs/metrics.md query', async () => {
    const rules = alertRules(await readFile(join(PACKAGE_ROOT, 'alerts/llm-health.rules.yml'), 'utf8')).map((r) => r.expr);
    const dashboard = JSON.parse(await readFile(join(PACKAGE_ROOT, 'examples/grafana/llm-health-dashboard.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const panels = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const docs = [...(await readFile(join(PACKAGE_ROOT, 'docs/metrics.md'), 'utf8')).matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    for (const [source, queries] of [['alert rules', rules], ['dashboard', panels], ['docs/metrics.md', docs]] as const) {
      const names = queries.flatMap(metricNamesIn);
      expect(names.length, source).toBeGreaterThan(0);
      expect(names.filter((n) => !known(n)), `${source} queries metrics the table lacks`).toEqual([]);
    }
  });

  it('names each OTLP metric so that a collector writing Prometheus arrives at its Prometheus name', () => {
    // The collector's default translation: '.' to '_', unit "s" as a _seconds suffix, _total on counters.
    const translated = (m: MetricSpec & { otlp: string }) => {
      let name = m.otlp.replace(/\./g, '_');
      if (m.unit === 's' && !name.endsWith('_seconds')) name += '_seconds';
      if (m.type === 'counter') name += '_total';
      return name;
    };
    const withOtlpName = METRIC_LIST.filter((m): m is MetricSpec & { otlp: string } => m.otlp !== null);
    expect(withOtlpName.map(translated)).toEqual(withOtlpName.map((m) => m.prometheus));
  });

  it('keeps Prometheus names apart from OTLP names and every name unique', () => {
    const prometheus = METRIC_LIST.map((m) => m.prometheus);
    expect(new Set(prometheus).size).toBe(prometheus.length);
    for (const name of prometheus) expect(name).toMatch(/^[a-z_][a-z0-9_]*$/);
  });
});
