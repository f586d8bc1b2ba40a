import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { byLabel, dashboardPanels, panelQuery as panelQueryOf, single, type Panel } from './support/dashboard.js';
import { exporterScrapeConfig, startPrometheus, type TestPrometheus } from './support/prometheus.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { spawnReplica, type Replica } from './support/replica.js';
import { waitFor } from './support/tools.js';

/**
 * Issue 14, end to end: a real Prometheus scrapes two real replicas of the built exporter (one
 * fleet, sharing health checks through a real redis-server, probing a fake OpenAI upstream every
 * second), and every panel of examples/grafana/llm-health-dashboard.json must give the truth:
 * the deployments configured, the healthy and failing ones, and the probes per hour the upstream
 * really received. dashboard-over-two-replicas.test.ts checks the same queries against static
 * fakes of what replicas serve; this one checks that real replicas serve what those fakes assume.
 */

interface Fixture { model_name: string; model_id: string; model: string; healthy: boolean }

/** 4 deployments, all openai: one group half down, one group entirely down. */
const FLEET: Fixture[] = [
  { model_name: 'gpt', model_id: 'gpt-ok', model: 'ok-1', healthy: true },
  { model_name: 'gpt', model_id: 'gpt-5xx', model: 'server_error', healthy: false },
  { model_name: 'embed', model_id: 'embed-ok', model: 'ok-2', healthy: true },
  { model_name: 'claude', model_id: 'claude-401', model: 'unauthorized', healthy: false },
];
const INTERVAL_S = 1;
/** Grafana's $__rate_interval stand-in: 10 scrapes, about 10 probes of each deployment. */
const RATE_WINDOW_S = 10;
/** How far probes per hour may be from the upstream's real call rate (timer jitter, scrape lag, rate() extrapolation, a loaded 2-core machine). */
const TOLERANCE = 0.35;


describe('the Grafana dashboard over two real fleet replicas scraped by a real Prometheus', () => {
  let redis: TestRedis;
  let up: FakeUpstream;
  let replicas: Replica[] = [];
  let prom: TestPrometheus;
  let panels: Panel[];
  let dir: string;
  /** When both replicas showed every deployment checked: the rate window starts after it. */
  let settledAt: number;
  /** The instant every query is evaluated at (seconds), and the upstream's calls in its rate window. */
  let evalAt: number;
  let callsInWindow: Map<string, number>;
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const mark = (what: string) => { timings[what] = (Date.now() - t0) / 1000; };

  beforeAll(async () => {
    panels = await dashboardPanels();
    [redis, up] = await Promise.all([startRedis(), startFakeUpstream()]);
    dir = await mkdtemp(join(tmpdir(), 'lhe-dash-fleet-'));
    const file = join(dir, 'config.yaml');
    const list = FLEET.map((x) => `  - model_name: ${x.model_name}\n    litellm_params: { model: openai/${x.model}, api_base: "${up.openaiBase}" }\n    model_info: { id: ${x.model_id} }\n`).join('');
    await writeFile(file, `model_list:\n${list}general_settings:\n  background_health_checks: true\n  health_check_interval: ${INTERVAL_S}\n  use_shared_health_check: true\n  redis_url: "${redis.url}"\n`);
    // Info level: spawnReplica learns the address from the "listening" line.
    const spawned = await Promise.allSettled(['a', 'b'].map((id) => spawnReplica([file, '--log-level', 'info'], { REPLICA_ID: `replica-${id}` })));
    replicas = spawned.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of spawned) if (s.status === 'rejected') throw s.reason;
    mark('replicas listening');
    prom = await startPrometheus(exporterScrapeConfig(replicas.map((r) => r.address.replace('http://', ''))));
    mark('prometheus ready');
    // Every deployment checked, seen by both replicas (each copies the other's results from Redis).
    await waitFor(async () => {
      const bodies = await Promise.all(replicas.map(async (r) => (await r.json('/health')).body));
      return bodies.every((h) => h.healthy_count === 2 && h.unhealthy_count === 2 && h.pending_count === 0) || undefined;
    }, 15_000, 'both replicas show every deployment checked (2 healthy, 2 unhealthy, 0 pending)');
    settledAt = Date.now();
    mark('every deployment checked on both');
    // rate() needs its window full of scrapes of both replicas, all taken after that: the window
    // starts after both the first round and Prometheus's first scrape of each replica (its scrape
    // manager applies new targets up to 5 s late), and is evaluated once its last scrapes are in.
    const firstScrapes = await waitFor(async () => {
      const r = await prom.query('up{job="llm-health-exporter"}[1m]') as unknown as Array<{ values: Array<[number, string]> }>;
      return r.length === 2 ? r.map((x) => x.values[0]![0]) : undefined;
    }, 15_000, 'Prometheus scraped both replicas');
    mark('both replicas scraped');
    evalAt = Math.max(settledAt / 1000, ...firstScrapes) + 0.5 + RATE_WINDOW_S;
    await waitFor(async () => {
      if (Date.now() / 1000 < evalAt + 1.5) return undefined;
      const r = await query(`count_over_time(up{job="llm-health-exporter"}[${RATE_WINDOW_S}s]) >= ${RATE_WINDOW_S - 1}`);
      return r.length === 2 || undefined;
    }, (RATE_WINDOW_S + 10) * 1000, 'both replicas scraped for a full rate window after the first round');
    // What the upstream received over the same window: the truth of probes per hour.
    mark('rate window full');
    callsInWindow = new Map();
    for (const r of up.requests) {
      if (r.at > (evalAt - RATE_WINDOW_S) * 1000 && r.at <= evalAt * 1000) callsInWindow.set(r.model!, (callsInWindow.get(r.model!) ?? 0) + 1);
    }
  }, 40_000);

  afterAll(async () => {
    await prom?.close();
    await Promise.all(replicas.map((r) => r.stop()));
    await redis?.stop();
    await up?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (process.env.DASHBOARD_REPORT) console.log(JSON.stringify({ timings, total_s: (Date.now() - t0) / 1000 }));
  });

  /** An instant query at evalAt (so every test reads the same window). */
  const query = (q: string) => prom.query(q, evalAt);
  const panelQuery = (title: string, refId = 'A', modelName = '.*') => panelQueryOf(panels, RATE_WINDOW_S, title, refId, modelName);
  /** Calls per hour the upstream received over the window, for some models. */
  const perHour = (models: string[]) => (models.reduce((n, m) => n + (callsInWindow.get(m) ?? 0), 0) * 3600) / RATE_WINDOW_S;
  const report = (what: string, got: unknown, truth: unknown) => {
    if (process.env.DASHBOARD_REPORT) console.log(JSON.stringify({ panel: what, got, truth }));
  };
  /** Within TOLERANCE of the truth, and clearly not twice it. */
  const nearTruth = (what: string, got: number, truth: number) => {
    report(what, Math.round(got), Math.round(truth));
    expect(truth, `${what}: the upstream received calls in the window`).toBeGreaterThan(0);
    expect(Math.abs(got - truth) <= TOLERANCE * truth, `${what}: ${got.toFixed(0)}/h, upstream received ${truth.toFixed(0)}/h`).toBe(true);
    expect(got, `${what}: not the double count`).toBeLessThan(1.5 * truth);
  };

  it('the fleet shares the work: each deployment about once a second fleet-wide, both replicas probing', async () => {
    const total = [...callsInWindow.values()].reduce((a, b) => a + b, 0);
    report('upstream calls in window', total, FLEET.length * RATE_WINDOW_S / INTERVAL_S);
    expect(total).toBeGreaterThan(FLEET.length * (RATE_WINDOW_S / INTERVAL_S) * 0.6);
    expect(total).toBeLessThan(FLEET.length * (RATE_WINDOW_S / INTERVAL_S) * 1.4); // two uncoordinated replicas: 2×
    // Each replica's GenAI histogram counts only the probes it ran itself.
    const own = byLabel(await query(`sum by (instance) (increase(gen_ai_client_operation_duration_seconds_count[${RATE_WINDOW_S}s]))`), 'instance');
    expect(Object.keys(own)).toHaveLength(2);
    for (const [instance, n] of Object.entries(own)) expect({ instance, probed: n > 0 }).toEqual({ instance, probed: true });
  });

  it('each replica counts every fleet result it stores: the queries the dashboard replaced double-count', async () => {
    const healthyCount = single(await query('sum(llm_health_healthy_count)'));
    report('old: sum(llm_health_healthy_count)', healthyCount, 2);
    expect(healthyCount).toBe(4);
    // Each replica's llm_deployment_probes_total grows at the fleet's rate (its own probes and the copies).
    const perInstance = byLabel(await query(`sum by (instance) (rate(llm_deployment_probes_total[${RATE_WINDOW_S}s])) * 3600`), 'instance');
    const truth = perHour(FLEET.map((x) => x.model));
    report('per replica: sum(rate(llm_deployment_probes_total))*3600', perInstance, Math.round(truth));
    expect(Object.keys(perInstance)).toHaveLength(2);
    for (const v of Object.values(perInstance)) expect(Math.abs(v - truth) <= TOLERANCE * truth, `${v} vs ${truth}`).toBe(true);
  });

  it('counts each deployment once: deployments, healthy, unhealthy, pending, groups down, overdue', async () => {
    const truth: Record<string, number> = {
      'Deployments': FLEET.length,
      'Healthy deployments': FLEET.filter((x) => x.healthy).length,
      'Unhealthy deployments': FLEET.filter((x) => !x.healthy).length,
      'Pending deployments': 0,
      'Model groups with no healthy deployment': 1, // claude
      'Overdue deployments': 0,
    };
    const got = Object.fromEntries(await Promise.all(Object.keys(truth).map(async (title) => [title, single(await query(panelQuery(title)))] as const)));
    report('stats (All)', got, truth);
    expect(got).toEqual(truth);
  });

  it('counts one model group once when the variable selects it', async () => {
    const truth: Record<string, number> = {
      'Deployments': 2,
      'Healthy deployments': 1,
      'Unhealthy deployments': 1,
      'Pending deployments': 0,
      'Model groups with no healthy deployment': 0,
    };
    const got = Object.fromEntries(await Promise.all(Object.keys(truth).map(async (title) => [title, single(await query(panelQuery(title, 'A', 'gpt')))] as const)));
    report('stats (gpt)', got, truth);
    expect(got).toEqual(truth);
    expect(single(await query(panelQuery('Model groups with no healthy deployment', 'A', 'claude')))).toBe(1);
  });

  it('shows one row or line per deployment, not one per replica', async () => {
    const table = await query(panelQuery('Deployments (1 = healthy)'));
    const rows = Object.fromEntries(table.map((s) => [s.metric.model_id, Number(s.value[1])]));
    report('Deployments (1 = healthy)', rows, Object.fromEntries(FLEET.map((x) => [x.model_id, x.healthy ? 1 : 0])));
    expect(rows).toEqual(Object.fromEntries(FLEET.map((x) => [x.model_id, x.healthy ? 1 : 0])));
    expect(await query(panelQuery('Health over time'))).toHaveLength(FLEET.length);
    expect(await query(panelQuery('Probe duration (latest probe)'))).toHaveLength(FLEET.length);
  });

  it('probes per hour is the call rate the upstream really received, counted once (by provider, and the calls all replicas made)', async () => {
    const byProvider = byLabel(await query(panelQuery('Probes per hour (what they cost)', 'A')), 'provider');
    expect(Object.keys(byProvider)).toEqual(['openai']);
    const truth = perHour(FLEET.map((x) => x.model));
    nearTruth('Probes per hour A (openai)', byProvider.openai!, truth);
    nearTruth('Probes per hour B (all replicas\' calls)', single(await query(panelQuery('Probes per hour (what they cost)', 'B'))), truth);
    // Per deployment too: the dashboard's dedup (max over replicas) must not favour one deployment.
    const perDeployment = byLabel(await query(`max by (model_id) (sum by (instance, model_id) (rate(llm_deployment_probes_total[${RATE_WINDOW_S}s]))) * 3600`), 'model_id');
    for (const x of FLEET) nearTruth(`probes per hour of ${x.model_id}`, perDeployment[x.model_id]!, perHour([x.model]));
  });

  it('counts each failed probe once by error type', async () => {
    // The error type each failing deployment's probes are counted under.
    const failing = await query('max by (model_id, error_type) (llm_deployment_probes_total{result="unhealthy"})');
    expect(failing.map((s) => s.metric.model_id).sort()).toEqual(FLEET.filter((x) => !x.healthy).map((x) => x.model_id).sort());
    const typeOf = Object.fromEntries(failing.map((s) => [s.metric.model_id!, s.metric.error_type!]));
    const perWindow = byLabel(await query(panelQuery('Failed probes by error type')), 'error_type');
    expect(Object.keys(perWindow).sort()).toEqual([...new Set(Object.values(typeOf))].sort());
    for (const x of FLEET.filter((f) => !f.healthy)) {
      nearTruth(`Failed probes by error type (${typeOf[x.model_id]})`, (perWindow[typeOf[x.model_id]!]! * 3600) / RATE_WINDOW_S, perHour([x.model]));
    }
  });

  it('merges the replicas\' GenAI histograms into one p95 per provider', async () => {
    const p95 = byLabel(await query(panelQuery('GenAI operation duration p95 by provider')), 'gen_ai_provider_name');
    report('GenAI p95 (s)', p95, 'one finite value for openai, loopback latency');
    expect(Object.keys(p95)).toEqual(['openai']);
    expect(p95.openai).toBeGreaterThan(0);
    expect(p95.openai).toBeLessThan(5);
  });
});
