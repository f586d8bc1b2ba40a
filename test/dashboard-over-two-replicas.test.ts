import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byLabel, dashboardPanels, panelQuery as panelQueryOf, single, type Panel } from './support/dashboard.js';
import { exporterScrapeConfig, startPrometheus, type TestPrometheus } from './support/prometheus.js';
import { waitFor } from './support/tools.js';

/**
 * Issue 14: with two fleet replicas scraped, the dashboard showed 28 healthy deployments for 15
 * and doubled the probes per hour. Here a real Prometheus scrapes two fake replicas serving what
 * two replicas of one fleet serve (src/telemetry/deployment-metrics.ts, src/fleet/sync.ts):
 * - the same per-deployment gauges (every replica shows the fleet's latest results), told apart by
 *   `instance`;
 * - `llm_deployment_probes_total` counting every result the replica stored: the probes it ran
 *   and every newer result of the others it copied from Redis (pullFleetResults), so each
 *   replica's counter grows at the fleet's probe rate, from its own starting value;
 * - the GenAI histogram recording only the probes the replica ran itself (onResult), so the
 *   replicas' counts add up to the fleet's.
 * Every panel of examples/grafana/llm-health-dashboard.json must give the truth of the fixture.
 */

type Verdict = 'healthy' | 'unhealthy' | 'pending';

interface FleetDeployment {
  model_name: string;
  model_id: string;
  model: string;
  provider: string;
  server_address: string;
  /** gen_ai.provider.name of the GenAI histogram. */
  genAiProvider: string;
  verdict: Verdict;
  consecutiveFailures: number;
  /** Probes per hour the whole fleet makes of it, by how they end ('healthy' or the error type): the truth the dashboard must show. */
  probes: Record<string, number>;
  /** The part of them replica A runs; replica B runs the rest. */
  shareA: number;
  lastProbeAgoS: number;
  staleAfterS: number;
}

const d = (
  model_name: string, model_id: string, model: string, genAiProvider: string, server_address: string,
  verdict: Verdict, perHour: number, more: Partial<FleetDeployment> = {},
): FleetDeployment => ({
  model_name, model_id, model, provider: model.split('/')[0]!, server_address, genAiProvider, verdict,
  consecutiveFailures: verdict === 'healthy' ? 0 : verdict === 'pending' ? 1 : 4,
  probes: { [verdict === 'healthy' ? 'healthy' : 'server_error']: perHour },
  shareA: 0.6, lastProbeAgoS: 40, staleAfterS: 362, ...more,
});
const perHourOf = (x: FleetDeployment) => Object.values(x.probes).reduce((a, b) => a + b, 0);

/** 15 deployments: 12 healthy, 2 unhealthy, 1 pending; one model group down; one overdue. */
const FLEET: FleetDeployment[] = [
  d('gpt', 'a1', 'openai/gpt-4o', 'openai', 'api.openai.com', 'healthy', 12),
  d('gpt', 'a4', 'openai/gpt-4o-mini', 'openai', 'api.openai.com', 'healthy', 60, { staleAfterS: 92, lastProbeAgoS: 20, shareA: 0.5 }),
  d('gpt', 'b2', 'azure/gpt-4o', 'azure.ai.openai', 'eu.openai.azure.com', 'healthy', 12),
  d('gpt', 'b3', 'azure/gpt-4o-us', 'azure.ai.openai', 'us.openai.azure.com', 'unhealthy', 12, { shareA: 0.25 }),
  d('claude', 'c1', 'anthropic/claude-sonnet-4', 'anthropic', 'api.anthropic.com', 'healthy', 12),
  d('claude', 'c2', 'bedrock/claude-sonnet-4', 'aws.bedrock', 'bedrock-runtime.us-east-1.amazonaws.com', 'healthy', 12),
  d('llama', 'l1', 'ollama/llama3', 'ollama', '10.0.0.7', 'unhealthy', 12, { probes: { connection: 12 }, consecutiveFailures: 9 }),
  d('gemini', 'g1', 'gemini/gemini-2.5-pro', 'gcp.gemini', 'generativelanguage.googleapis.com', 'pending', 0, { probes: { timeout: 0 } }),
  d('embed', 'e1', 'openai/text-embedding-3-small', 'openai', 'api.openai.com', 'healthy', 12),
  d('embed', 'e2', 'cohere/embed-english-v3.0', 'cohere', 'api.cohere.com', 'healthy', 12, { shareA: 0.4 }),
  d('mistral', 'm1', 'mistral/mistral-large', 'mistral_ai', 'api.mistral.ai', 'healthy', 12),
  // Healthy, with a rate-limited probe now and then: its probes are split over two series.
  d('mistral', 'm2', 'azure/mistral-large', 'azure.ai.openai', 'eu.models.ai.azure.com', 'healthy', 12, { probes: { healthy: 10, rate_limited: 2 } }),
  // Hourly deployments (model_info.health_check_interval 3600): probed 20 minutes ago, not overdue.
  d('batch', 'h1', 'openai/gpt-4.1', 'openai', 'api.openai.com', 'healthy', 1, { lastProbeAgoS: 1200, staleAfterS: 3662, shareA: 1 }),
  d('batch', 'h2', 'azure/gpt-4.1', 'azure.ai.openai', 'eu.openai.azure.com', 'healthy', 1, { lastProbeAgoS: 600, staleAfterS: 3662, shareA: 0 }),
  // Every 300 s, and nobody has probed it for 20 minutes: overdue, its counters no longer grow.
  d('rerank', 'r1', 'cohere/rerank-v3.5', 'cohere', 'api.cohere.com', 'healthy', 0, { lastProbeAgoS: 1200 }),
];

const labelText = (labels: Record<string, string>) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;

/** What replica `replica` serves at `now` (ms), `elapsedS` seconds after the test started. */
function replicaMetrics(replica: 'a' | 'b', now: number, elapsedS: number): string {
  const lines: string[] = [];
  // Counters carry the time their value was computed at: Prometheus would otherwise stamp them with
  // the scrape's start, and on a loaded machine the few ms between the two vary enough from scrape
  // to scrape to move rate() over a 5 s window by more than 2%.
  const at = ` ${Math.round(now)}`;
  const family = (name: string, type: string, samples: Array<[Record<string, string>, number]>) => {
    lines.push(`# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labelText(labels)} ${value}${type === 'counter' ? at : ''}`);
  };
  const base = (x: FleetDeployment) => ({ model_name: x.model_name, model_id: x.model_id, model: x.model, mode: 'chat', provider: x.provider, server_address: x.server_address });
  const withVerdict = FLEET.filter((x) => x.verdict !== 'pending');
  family('llm_deployment_healthy', 'gauge', withVerdict.map((x) => [base(x), x.verdict === 'healthy' ? 1 : 0]));
  family('llm_deployment_consecutive_failures', 'gauge', FLEET.map((x) => [base(x), x.consecutiveFailures]));
  family('llm_deployment_probe_duration_seconds', 'gauge', FLEET.map((x) => [base(x), 0.5]));
  family('llm_deployment_last_probe_timestamp_seconds', 'gauge', FLEET.map((x) => [base(x), now / 1000 - x.lastProbeAgoS]));
  family('llm_deployment_stale_after_seconds', 'gauge', FLEET.map((x) => [base(x), x.staleAfterS]));
  // Each replica's counter: the fleet's probes it stored, from where it started (B started later).
  const started = replica === 'a' ? 1000 : 400;
  const outcomeLabels = (outcome: string) => ({ result: outcome === 'healthy' ? 'healthy' : 'unhealthy', error_type: outcome === 'healthy' ? '' : outcome });
  family('llm_deployment_probes_total', 'counter', FLEET.flatMap((x) => {
    // Deployments failing now succeeded before (unless pending: never yet): that series no longer grows.
    const outcomes = x.verdict === 'pending' ? x.probes : { healthy: 0, ...x.probes };
    return Object.entries(outcomes).map(([outcome, perHour]): [Record<string, string>, number] => [{ ...base(x), ...outcomeLabels(outcome) }, started + (perHour / 3600) * elapsedS]);
  }));
  const counts = { healthy: 0, unhealthy: 0, pending: 0 };
  for (const x of FLEET) counts[x.verdict]++;
  family('llm_health_healthy_count', 'gauge', [[{}, counts.healthy]]);
  family('llm_health_unhealthy_count', 'gauge', [[{}, counts.unhealthy]]);
  family('llm_health_pending_count', 'gauge', [[{}, counts.pending]]);
  family('llm_health_check_interval_seconds', 'gauge', [[{}, 300]]);
  // The GenAI histogram: only the probes this replica ran, each 0.5 s long.
  lines.push('# TYPE gen_ai_client_operation_duration_seconds histogram');
  for (const [x, outcome, perHour] of FLEET.flatMap((x) => Object.entries(x.probes).map(([o, n]) => [x, o, n] as const))) {
    const share = replica === 'a' ? x.shareA : 1 - x.shareA;
    const count = started / 4 + share * (perHour / 3600) * elapsedS;
    const labels = {
      gen_ai_operation_name: 'chat', gen_ai_provider_name: x.genAiProvider, gen_ai_request_model: x.model.split('/')[1]!,
      server_address: x.server_address, ...(outcome === 'healthy' ? {} : { error_type: outcome }),
    };
    const name = 'gen_ai_client_operation_duration_seconds';
    for (const [le, value] of [['0.32', 0], ['0.64', count], ['+Inf', count]] as const) lines.push(`${name}_bucket${labelText({ ...labels, le })} ${value}${at}`);
    lines.push(`${name}_sum${labelText(labels)} ${count * 0.5}${at}`, `${name}_count${labelText(labels)} ${count}${at}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The truth of the fixture. */
const truth = {
  deployments: FLEET.length,
  healthy: FLEET.filter((x) => x.verdict === 'healthy').length,
  unhealthy: FLEET.filter((x) => x.verdict === 'unhealthy').length,
  pending: FLEET.filter((x) => x.verdict === 'pending').length,
  /** Groups with a verdict for some deployment, and every verdict unhealthy (pending ones do not count). */
  groupsDown: [...new Set(FLEET.map((x) => x.model_name))].filter((g) => {
    const verdicts = FLEET.filter((x) => x.model_name === g && x.verdict !== 'pending');
    return verdicts.length > 0 && verdicts.every((x) => x.verdict === 'unhealthy');
  }).length,
  overdue: FLEET.filter((x) => x.lastProbeAgoS > x.staleAfterS).length,
  perHourByProvider: FLEET.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x.provider]: (acc[x.provider] ?? 0) + perHourOf(x) }), {}),
  perHour: FLEET.reduce((n, x) => n + perHourOf(x), 0),
  failedPerHourByErrorType: FLEET.flatMap((x) => Object.entries(x.probes)).filter(([o]) => o !== 'healthy')
    .reduce<Record<string, number>>((acc, [o, n]) => ({ ...acc, [o]: (acc[o] ?? 0) + n }), {}),
};

const RATE_WINDOW_S = 5;


describe('the Grafana dashboard over two fleet replicas scraped by a real Prometheus', () => {
  const servers: Server[] = [];
  let prom: TestPrometheus;
  let panels: Panel[];
  const t0 = Date.now();

  beforeAll(async () => {
    panels = await dashboardPanels();
    const targets: string[] = [];
    for (const replica of ['a', 'b'] as const) {
      const server = createServer((req, res) => {
        if (req.url !== '/metrics') { res.writeHead(404).end(); return; }
        const now = Date.now();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(replicaMetrics(replica, now, (now - t0) / 1000));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      targets.push(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    prom = await startPrometheus(exporterScrapeConfig(targets));
    // rate() needs its window full of scrapes of both replicas.
    await waitFor(async () => {
      const r = await prom.query(`count_over_time(up{job="llm-health-exporter"}[${RATE_WINDOW_S + 1}s])`);
      return r.length === 2 && r.every((s) => Number(s.value[1]) >= RATE_WINDOW_S + 1) ? r : undefined;
    }, 20_000, 'both replicas scraped for a full rate window');
  }, 40_000);

  afterAll(async () => {
    await prom?.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const panelQuery = (title: string, refId = 'A', modelName = '.*') => panelQueryOf(panels, RATE_WINDOW_S, title, refId, modelName);
  /** Equal keys, values within 2% (rate() over scrapes taken a few ms after their timestamps). */
  const near = (actual: Record<string, number>, expected: Record<string, number>) => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) {
      const a = actual[k]!;
      expect(Math.abs(a - v) <= 0.02 * Math.abs(v) + 1e-9, `${k}: ${a}, expected ${v}`).toBe(true);
    }
  };

  it('is the fixture of the issue: 15 deployments, 12 healthy, 2 unhealthy, 1 pending, 1 group down, 1 overdue', () => {
    expect(truth).toMatchObject({ deployments: 15, healthy: 12, unhealthy: 2, pending: 1, groupsDown: 1, overdue: 1, perHour: 182 });
  });

  it('the queries it replaced double-count: 24 healthy for 12, twice the probes per hour', async () => {
    expect(single(await prom.query('sum(llm_health_healthy_count)'))).toBe(2 * truth.healthy);
    const old = byLabel(await prom.query(`sum by (provider) (rate(llm_deployment_probes_total[${RATE_WINDOW_S}s])) * 3600`), 'provider');
    near(old, Object.fromEntries(Object.entries(truth.perHourByProvider).map(([k, v]) => [k, 2 * v])));
  });

  it('counts each deployment once: deployments, healthy, unhealthy, pending, groups down, overdue', async () => {
    const stats: Array<[string, number]> = [
      ['Deployments', truth.deployments],
      ['Healthy deployments', truth.healthy],
      ['Unhealthy deployments', truth.unhealthy],
      ['Pending deployments', truth.pending],
      ['Model groups with no healthy deployment', truth.groupsDown],
      ['Overdue deployments', truth.overdue],
    ];
    const got = Object.fromEntries(await Promise.all(stats.map(async ([title]) => [title, single(await prom.query(panelQuery(title)))] as const)));
    expect(got).toEqual(Object.fromEntries(stats));
  });

  it('counts one model group once when the variable selects it', async () => {
    const gpt = FLEET.filter((x) => x.model_name === 'gpt');
    const stats: Array<[string, number]> = [
      ['Deployments', gpt.length],
      ['Healthy deployments', gpt.filter((x) => x.verdict === 'healthy').length],
      ['Unhealthy deployments', gpt.filter((x) => x.verdict === 'unhealthy').length],
      ['Pending deployments', 0],
      ['Model groups with no healthy deployment', 0],
    ];
    const got = Object.fromEntries(await Promise.all(stats.map(async ([title]) => [title, single(await prom.query(panelQuery(title, 'A', 'gpt')))] as const)));
    expect(got).toEqual(Object.fromEntries(stats));
    expect(single(await prom.query(panelQuery('Model groups with no healthy deployment', 'A', 'llama')))).toBe(1);
  });

  it('counts each probe once in probes per hour: by provider, and the calls all replicas made', async () => {
    near(byLabel(await prom.query(panelQuery('Probes per hour (what they cost)', 'A')), 'provider'), truth.perHourByProvider);
    near({ all: single(await prom.query(panelQuery('Probes per hour (what they cost)', 'B'))) }, { all: truth.perHour });
  });

  it('counts each failed probe once by error type', async () => {
    const perWindow = byLabel(await prom.query(panelQuery('Failed probes by error type')), 'error_type');
    near(Object.fromEntries(Object.entries(perWindow).map(([k, v]) => [k, (v * 3600) / RATE_WINDOW_S])), { ...truth.failedPerHourByErrorType });
  });

  it('shows one row or line per deployment, not one per replica', async () => {
    const table = await prom.query(panelQuery('Deployments (1 = healthy)'));
    expect(table.map((s) => s.metric.model_id).sort()).toEqual(FLEET.filter((x) => x.verdict !== 'pending').map((x) => x.model_id).sort());
    expect(table.filter((s) => s.value[1] === '0').map((s) => s.metric.model_id).sort()).toEqual(['b3', 'l1']);
    expect(await prom.query(panelQuery('Health over time'))).toHaveLength(FLEET.length - truth.pending);
    expect(await prom.query(panelQuery('Probe duration (latest probe)'))).toHaveLength(FLEET.length);
  });

  it('merges the replicas\' GenAI histograms into the true p95 (every probe took 0.5 s)', async () => {
    const p95 = byLabel(await prom.query(panelQuery('GenAI operation duration p95 by provider')), 'gen_ai_provider_name');
    const providers = [...new Set(FLEET.filter((x) => perHourOf(x) > 0).map((x) => x.genAiProvider))];
    // A provider with no probe in the window has no quantile.
    expect(p95['gcp.gemini']).toBeNaN();
    delete p95['gcp.gemini'];
    // Linear interpolation inside the (0.32, 0.64] bucket: 0.32 + 0.95 × 0.32.
    near(Object.fromEntries(Object.entries(p95).map(([k, v]) => [k, v * 1000])), Object.fromEntries(providers.map((p) => [p, 624])));
  });

  it('the alert rules see each deployment and model group once (pending alerts of this Prometheus)', async () => {
    type Rule = { name: string; health: string; alerts?: Array<{ labels: Record<string, string>; state: string }> };
    const rules = await waitFor(async () => {
      const body = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Rule[] }> } };
      const all = body.data.groups.flatMap((g) => g.rules);
      return all.length === 8 && all.every((r) => r.health === 'ok') && all.find((r) => r.name === 'LLMHealthProbesStale')?.alerts?.length ? all : undefined;
    }, 10_000, 'rules evaluated');
    const alerted = (name: string, label: string) => rules.find((r) => r.name === name)!.alerts!.map((a) => a.labels[label]).sort();
    expect(alerted('LLMDeploymentUnhealthy', 'model_id')).toEqual(['b3', 'l1']);
    expect(alerted('LLMUnhealthyDeployments', 'model_name')).toEqual(['gpt', 'llama']);
    expect(alerted('LLMModelGroupDown', 'model_name')).toEqual(['llama']);
    expect(alerted('LLMHealthProbesStale', 'model_id')).toEqual(['r1']);
    expect(rules.find((r) => r.name === 'LLMHealthExporterDown')!.alerts).toEqual([]);
  });
});
