import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/core/result.js';
import { MemoryStore } from '../../src/store/memory.js';
import { DAY_MS, HOUR_MS } from '../../src/store/uptime.js';

/**
 * Two uptime features live side by side: the status page's verdicts per hour and day
 * (store/uptime.ts, store.uptime) and the persisted runs behind /health/uptime
 * (store/uptime-runs.ts, store.uptimeRuns). A restart reads back history rows and runs: both
 * must come back, so neither the bars nor the ratio start blank.
 */
const T = Date.UTC(2025, 0, 2, 12);
const row = (at: number, healthy: boolean): ProbeResult => ({ deploymentId: 'a', healthy, startedAt: at - 50, checkedAt: at, latencyMs: 50, headers: {} });

describe('a restored store', () => {
  it('refills the hourly and daily verdict buckets from the history read back, and keeps the runs apart', () => {
    const history = [row(T - 3 * HOUR_MS, true), row(T - 2 * HOUR_MS + 60_000, false), row(T - 60_000, true)];
    const latest: ProbeResult = { ...history[2]!, verdict: 'healthy', restored: true };
    const runs = [{ start: T - 3 * HOUR_MS, lastAt: T - 3 * HOUR_MS, until: T - 2 * HOUR_MS, healthy: true, probes: 1 }];
    const store = new MemoryStore();
    store.restore([latest], new Map([['a', history]]), T, { runs: new Map([['a', runs]]) });

    const bars = store.uptime('a');
    expect(bars).toBeDefined();
    const hour = (t: number) => bars!.hours.counts(Math.floor(t / HOUR_MS));
    expect(hour(T - 3 * HOUR_MS)).toEqual({ up: 1, down: 0 });
    expect(hour(T - 2 * HOUR_MS + 60_000)).toEqual({ up: 0, down: 1 });
    // The latest result is the last history row: counted once.
    expect(hour(T - 60_000)).toEqual({ up: 1, down: 0 });
    expect(bars!.days.counts(Math.floor(T / DAY_MS))).toEqual({ up: 2, down: 1 });

    expect(store.uptimeRuns('a')).toEqual(runs);
    expect(store.uptimeRuns('b')).toEqual([]);
    expect(store.uptime('b')).toBeUndefined();
  });

  it('counts new probes in both after the restore', () => {
    const store = new MemoryStore();
    store.restore([{ ...row(T - 60_000, true), restored: true }], new Map(), T);
    store.set(row(T + 1000, false));
    expect(store.uptime('a')!.hours.counts(Math.floor(T / HOUR_MS))).toEqual({ up: 0, down: 1 });
    expect(store.uptime('a')!.hours.counts(Math.floor((T - 60_000) / HOUR_MS))).toEqual({ up: 1, down: 0 });
    expect(store.uptimeRuns('a').map((s) => s.healthy)).toEqual([false]);
  });
});
