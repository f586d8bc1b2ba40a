import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/core/result.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MAX_SEGMENTS, sumUptime, UptimeLedger, uptimeBetween } from '../../src/store/uptime-runs.js';
import { exporterForTest } from '../support/exporter.js';
import { byName, parsePromText } from '../support/prom-text.js';

const MIN = 60_000;
const H = 60 * MIN;
const result = (id: string, at: number, healthy: boolean): ProbeResult => ({
  deploymentId: id, healthy, startedAt: at - 100, checkedAt: at, latencyMs: 100, headers: {},
  ...(healthy ? {} : { errorType: 'server_error' as const, error: 'boom', status: 500 }),
});

/**
 * The script (minutes from T; each result speaks for 10 minutes unless a newer one comes first):
 *   0 up, 5 up, 10 down, 15 down, 20 up, [exporter down from ~21 to 50], 50 up, 55 up; now = 60.
 * By hand:
 *   up      0–10 (runs 0, 5; the 10 result ends it)        10 min
 *   down   10–20 (runs 10, 15)                              10 min
 *   up     20–30 (the 20 result, cover 10 min; nothing until 50)  10 min
 *   unknown 30–50 (the exporter was down: no result covers it)    20 min
 *   up     50–60 (runs 50, 55; now is 60)                   10 min
 */
const SCRIPT: Array<[number, boolean]> = [[0, true], [5, true], [10, false], [15, false], [20, true], [50, true], [55, true]];
const COVER = 10 * MIN;

function ledgerOf(t0: number): UptimeLedger {
  const l = new UptimeLedger();
  for (const [m, up] of SCRIPT) l.add(t0 + m * MIN, up, COVER);
  return l;
}

describe('uptime from runs of probe outcomes (pure)', () => {
  const T = Date.UTC(2025, 0, 1);
  const runs = ledgerOf(T).segments;
  const now = T + 60 * MIN;

  it('merges equal outcomes into runs and starts a new run after a gap longer than the cover', () => {
    expect(runs.map((r) => [(r.start - T) / MIN, (r.lastAt - T) / MIN, r.healthy, r.probes])).toEqual([
      [0, 5, true, 2], [10, 15, false, 2], [20, 20, true, 1], [50, 55, true, 2],
    ]);
  });

  it('matches the hand-computed figures: the gap while the exporter was down is unknown, not up', () => {
    expect(uptimeBetween(runs, now - H, now)).toEqual({ healthyMs: 30 * MIN, unhealthyMs: 10 * MIN, unknownMs: 20 * MIN, probes: 7, ratio: 0.75 });
    // Counting the gap as up would have said 50/60; as down, 30/60. It is neither.
    expect(uptimeBetween(runs, now - 24 * H, now)).toEqual({ healthyMs: 30 * MIN, unhealthyMs: 10 * MIN, unknownMs: 24 * H - 40 * MIN, probes: 7, ratio: 0.75 });
  });

  it('a window starting inside a run counts only its part of the run, and the probes in it', () => {
    // [12, 60): down 12–20 (8 min; the 15 result), up 20–30, unknown 30–50, up 50–60 (50, 55).
    const f = uptimeBetween(runs, T + 12 * MIN, now);
    expect(f).toEqual({ healthyMs: 20 * MIN, unhealthyMs: 8 * MIN, unknownMs: 20 * MIN, probes: 4, ratio: 20 / 28 });
    // [30, 60): only the last run is known.
    expect(uptimeBetween(runs, T + 30 * MIN, now)).toEqual({ healthyMs: 10 * MIN, unhealthyMs: 0, unknownMs: 20 * MIN, probes: 2, ratio: 1 });
    // Before the first probe: nothing known.
    expect(uptimeBetween(runs, T - H, T)).toEqual({ healthyMs: 0, unhealthyMs: 0, unknownMs: H, probes: 0, ratio: null });
  });

  it('the last run stops counting when its cover ends, however late "now" is', () => {
    expect(uptimeBetween(runs, now - H + 30 * MIN, now + 30 * MIN)).toMatchObject({ healthyMs: 15 * MIN, unknownMs: 45 * MIN, probes: 2 });
  });

  it('a model group sums its deployments (the healthy share of deployment-time)', () => {
    const other = new UptimeLedger();
    other.add(T, false, COVER); // down 0–10, then nothing
    const g = sumUptime([uptimeBetween(runs, now - H, now), uptimeBetween(other.segments, now - H, now)]);
    expect(g).toEqual({ healthyMs: 30 * MIN, unhealthyMs: 20 * MIN, unknownMs: 70 * MIN, probes: 8, ratio: 0.6 });
  });

  it('keeps at most MAX_SEGMENTS runs and none older than 30 days', () => {
    const l = new UptimeLedger();
    for (let i = 0; i < MAX_SEGMENTS + 10; i++) l.add(T + i * MIN, i % 2 === 0, COVER);
    expect(l.segments).toHaveLength(MAX_SEGMENTS);
    expect(l.segments[0]!.start).toBe(T + 10 * MIN);
    l.add(T + 40 * 24 * H, true, COVER);
    expect(l.segments).toHaveLength(1);
  });
});

describe('/health/uptime and llm_deployment_uptime_ratio', () => {

  /** Two deployments of one group: `a` plays the script from 100 minutes ago, `b` failed once then. */
  const yaml = `
model_list:
  - model_name: g
    litellm_params: { model: openai/a, api_base: "http://127.0.0.1:9/v1" }
    model_info: { id: a }
  - model_name: g
    litellm_params: { model: openai/b, api_base: "http://127.0.0.1:9/v1" }
    model_info: { id: b }
general_settings:
  health_check_interval: 539
`;
  // Cover = interval 539 s + timeout 60 s + 1 s = 10 minutes, as in the script.
  const play = (store: MemoryStore, t0: number) => {
    for (const [m, up] of SCRIPT) store.set(result('a', t0 + m * MIN, up));
    store.set(result('b', t0, false));
  };
  /**
   * With the script started 100 minutes ago and no "now" to cut it, `a` is known up 0–10, 20–30,
   * 50–65 (35 min) and down 10–20 (10 min). The last hour starts at minute 40, inside the gap: it
   * holds only the 50–65 run. Every window edge falls where nothing is known, so the figures do
   * not move with the few milliseconds between setting them and reading them.
   */
  const expectFigures = (body: any) => {
    const a = body.deployments.find((d: { model_id: string }) => d.model_id === 'a').uptime;
    expect(a['1h']).toEqual({ ratio: 1, healthy_s: 900, unhealthy_s: 0, unknown_s: 2700, probes: 2 });
    expect(a['24h']).toEqual({ ratio: 0.777778, healthy_s: 2100, unhealthy_s: 600, unknown_s: 86_400 - 2700, probes: 7 });
    expect(a['30d']).toMatchObject({ ratio: 0.777778, healthy_s: 2100, unhealthy_s: 600, probes: 7 });
    const b = body.deployments.find((d: { model_id: string }) => d.model_id === 'b').uptime;
    expect(b['1h']).toEqual({ ratio: null, healthy_s: 0, unhealthy_s: 0, unknown_s: 3600, probes: 0 });
    expect(b['24h']).toEqual({ ratio: 0, healthy_s: 0, unhealthy_s: 600, unknown_s: 86_400 - 600, probes: 1 });
    const g = body.model_groups[0];
    expect(g).toMatchObject({ model_name: 'g', deployments: 2 });
    expect(g.uptime['1h']).toEqual({ ratio: 1, healthy_s: 900, unhealthy_s: 0, unknown_s: 6300, probes: 2 });
    expect(g.uptime['24h']).toEqual({ ratio: 0.636364, healthy_s: 2100, unhealthy_s: 1200, unknown_s: 2 * 86_400 - 3300, probes: 8 });
  };

  it('answer the hand-computed figures, per deployment, per group and per window', async () => {
    const ex = await exporterForTest(yaml);
    play(ex.app.store, Date.now() - 100 * MIN);
    const res = await fetch(`${ex.url}/health/uptime`);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.windows).toEqual(['1h', '24h', '7d', '30d']);
    expectFigures(body);
    expect((await fetch(`${ex.url}/health/uptime?model=nope`)).status).toBe(404);
    const only: any = await (await fetch(`${ex.url}/health/uptime?model_id=b`)).json();
    expect(only.deployments.map((d: { model_id: string }) => d.model_id)).toEqual(['b']);
    expect(only.deployments[0].uptime['24h']).toMatchObject({ ratio: 0, unhealthy_s: 600, probes: 1 });

    const ratio = byName(parsePromText(await (await fetch(`${ex.url}/metrics`)).text()), 'llm_deployment_uptime_ratio');
    const of = (id: string, w: string) => ratio.find((s) => s.labels.model_id === id && s.labels.window === w)?.value;
    expect(of('a', '1h')).toBe(1);
    expect(of('b', '1h')).toBeUndefined(); // nothing known in the last hour: no series, not 0
    for (const w of ['24h', '7d', '30d']) {
      expect(of('a', w)).toBeCloseTo(35 / 45, 9);
      expect(of('b', w)).toBe(0);
    }
    expect(ratio).toHaveLength(7);
  });

  it('survive a restart with a data directory, the time it was down counted unknown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lhe-uptime-'));
    let ex = await exporterForTest(yaml, { dataDir: dir });
    play(ex.app.store, Date.now() - 100 * MIN);
    await ex.close();
    ex = await exporterForTest(yaml, { dataDir: dir });
    expectFigures(await (await fetch(`${ex.url}/health/uptime`)).json());
    // A probe after the restart, 35 minutes past the cover of the last one: a new run, the gap unknown.
    ex.app.store.set(result('a', Date.now(), true));
    const a = (await (await fetch(`${ex.url}/health/uptime?model_id=a`)).json() as any).deployments[0].uptime['1h'];
    expect(a).toMatchObject({ ratio: 1, unhealthy_s: 0, probes: 3 });
    expect(a.healthy_s).toBeGreaterThanOrEqual(900);
    expect(a.healthy_s).toBeLessThan(905);
  });
});
