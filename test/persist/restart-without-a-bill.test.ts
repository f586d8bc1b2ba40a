import Database from 'better-sqlite3';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DB_FILE } from '../../src/persist/select.js';
import { ProbeGrid } from '../../src/scheduler/grid.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { spawnReplica, type Replica } from '../support/replica.js';
import { waitFor } from '../support/tools.js';

/**
 * The built exporter as a real process with a data directory, stopped by SIGTERM and by SIGKILL
 * and started again: the fake upstream counts every call. Three deployments at a 1-hour interval
 * must never be called again; one at 8 s must be called on its grid slot, not at start-up.
 */
const DUE_INTERVAL_MS = 8000;
const FRESH = ['fresh-a', 'fresh-b', 'fresh-c'];

describe('restart without a bill (real process, SQLite in a data directory)', () => {
  let up: FakeUpstream;
  let dir: string;
  let file: string;
  let replica: Replica | undefined;
  beforeAll(async () => {
    up = await startFakeUpstream();
    dir = await mkdtemp(join(tmpdir(), 'lhe-restart-'));
    file = join(dir, 'config.yaml');
    await writeFile(file, `
model_list:
${FRESH.map((m) => `  - model_name: ${m}\n    litellm_params: { model: openai/${m}, api_base: ${up.openaiBase} }\n    model_info: { id: ${m} }`).join('\n')}
  - model_name: due
    litellm_params: { model: openai/due, api_base: ${up.openaiBase} }
    model_info: { id: due, health_check_interval: ${DUE_INTERVAL_MS / 1000} }
general_settings:
  background_health_checks: true
  health_check_interval: 3600
`);
  });
  afterAll(async () => { await replica?.stop('SIGKILL'); await up.close(); });

  const start = async () => {
    replica = await spawnReplica([file, '--data-dir', dir, '--log-level', 'info']);
    return replica;
  };
  const ready = (r: Replica) => waitFor(async () => (await r.json('/health/readiness')).status === 200 || undefined, 30_000, 'readiness 200');
  /** What the database holds now (read through WAL while the exporter runs). */
  const stored = () => {
    const db = new Database(join(dir, DEFAULT_DB_FILE), { readonly: true, fileMustExist: true });
    try {
      return {
        latest: new Map((db.prepare('SELECT deployment_id, checked_at FROM llm_health_latest').all() as Array<{ deployment_id: string; checked_at: number }>).map((r) => [r.deployment_id, r.checked_at])),
        rows: (db.prepare('SELECT count(*) AS n FROM llm_health_history').get() as { n: number }).n,
        origin: Number((db.prepare("SELECT value FROM llm_health_meta WHERE key = 'grid_origin'").get() as { value: string } | undefined)?.value),
        /** When the exporter started `due`'s latest stored probe: what its next slot is reckoned from. */
        dueStartedAt: (db.prepare("SELECT max(started_at) AS t FROM llm_health_history WHERE deployment_id = 'due'").get() as { t: number | null }).t,
      };
    } finally {
      db.close();
    }
  };
  /**
   * The slot the `due` deployment's next probe belongs to after one the exporter started at
   * `last` (its own clock: the upstream sees the request later, by seconds under load), by the
   * scheduler's own grid: `due` is the 4th of 4 background deployments, so its phase is 3/4 of its interval.
   */
  const slotAfter = (last: number, origin: number) => {
    const grid = new ProbeGrid();
    grid.origin = origin;
    grid.assign([...FRESH, 'due'].map((id) => ({ id })), () => DUE_INTERVAL_MS);
    return grid.nextDue('due', DUE_INTERVAL_MS, last);
  };
  /**
   * `at` is the probe of `slot`: never early (1 s for the clocks), and late by less than half an
   * interval. Late, not off the grid, is all a loaded machine does to it: 3.5 s once under
   * test-under-load, so no tighter bound than that.
   */
  const onSlot = (at: number, slot: number) => {
    expect(at - slot).toBeGreaterThanOrEqual(-1000);
    expect(at - slot).toBeLessThan(DUE_INTERVAL_MS / 2);
  };
  const dueCalls = () => up.requests.filter((r) => r.model === 'due').map((r) => r.at);

  it('SIGTERM then SIGKILL: no call for fresh deployments, the due one on its grid slot, history and latest kept', { timeout: 120_000 }, async () => {
    // First run: the start-up round probes all four.
    let r = await start();
    await ready(r);
    await waitFor(() => (stored().latest.size === 4 ? true : undefined), 15_000, 'four latest rows written');
    const origin = stored().origin;
    expect(origin).toBeGreaterThan(0);
    expect(up.requests).toHaveLength(4);
    const firstDue = dueCalls()[0]!;
    const firstDueStarted = stored().dueStartedAt!;
    expect(await r.stop('SIGTERM')).toBe(0);

    // Second run, after SIGTERM: answers at once from what was stored, calls nobody at start-up.
    up.reset();
    r = await start();
    await ready(r);
    const health = (await r.json('/health')).body;
    expect(health.healthy_count).toBe(4);
    // Under load the second start can reach `due`'s grid slot before this read: then its entry
    // is its new probe's, rightly not restored (test-under-load saw it once).
    const dueProbed = dueCalls().length > 0;
    for (const e of health.healthy_endpoints) if (!(dueProbed && e.model_name === 'due')) expect(e).toMatchObject({ restored: true });
    expect(up.requests.filter((q) => FRESH.includes(q.model!))).toHaveLength(0);
    // `due` waits for its slot: never sooner than one interval after its last probe, on the grid.
    await waitFor(() => (dueCalls().length ? true : undefined), 4 * DUE_INTERVAL_MS, 'the due deployment probed again');
    const second = dueCalls()[0]!;
    expect(second - firstDue).toBeGreaterThanOrEqual(DUE_INTERVAL_MS - 1000);
    onSlot(second, slotAfter(firstDueStarted, origin));
    await waitFor(() => (stored().latest.get('due')! >= second ? true : undefined), 15_000, 'the due result written');
    const before = (await r.json('/health/history?limit=1000')).body;
    expect(before.total_records).toBe(stored().rows);

    // Killed without warning: everything committed survives (WAL), nothing fresh is probed again.
    // (A loaded machine may have reached `due`'s next slot by now: the kill follows its latest call.)
    const lastBeforeKill = Math.max(...dueCalls());
    const lastStartedBeforeKill = stored().dueStartedAt!;
    expect(await r.stop('SIGKILL')).toBe(null);
    up.reset();
    r = await start();
    await ready(r);
    const after = (await r.json('/health/history?limit=1000')).body;
    const newest = Date.parse(before.health_checks[0].checked_at);
    expect(after.health_checks.filter((h: { checked_at: string }) => Date.parse(h.checked_at) <= newest)).toEqual(before.health_checks);
    expect(up.requests.filter((q) => FRESH.includes(q.model!))).toHaveLength(0);
    await waitFor(() => (dueCalls().length ? true : undefined), 4 * DUE_INTERVAL_MS, 'the due deployment probed after SIGKILL');
    const third = dueCalls()[0]!;
    expect(third - lastBeforeKill).toBeGreaterThanOrEqual(DUE_INTERVAL_MS - 1000);
    onSlot(third, slotAfter(lastStartedBeforeKill, origin));
    expect(up.requests.filter((q) => FRESH.includes(q.model!))).toHaveLength(0);
    expect(await r.stop('SIGTERM')).toBe(0);
    replica = undefined;
  });
});
