import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_TYPES } from '../src/core/errors.js';
import { MemoryStore } from '../src/store/memory.js';
import { HistoryRing, StringTable } from '../src/store/history-ring.js';
import type { ProbeResult } from '../src/core/result.js';

const result = fc.record({
  healthy: fc.boolean(),
  checkedAt: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
  // Mostly whole tenths, as the runner rounds them (packed with the row's codes); any other
  // number (fleet records, restored rows) is kept apart and must read back the same.
  latencyMs: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 600_000 }).map((x) => x / 10), weight: 4 },
    { arbitrary: fc.constantFrom(-0, 0.05, -1, 2 ** 28 / 10, 2 ** 28 / 10 - 0.1, 1e300, Infinity, NaN), weight: 1 },
    { arbitrary: fc.double(), weight: 1 },
  ),
  errorType: fc.option(fc.constantFrom(...ERROR_TYPES), { nil: undefined }),
  error: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  checkedBy: fc.option(fc.constantFrom('replica-a', 'replica-b', 'replica-c'), { nil: undefined }),
});

/** What /health/history must show of a result: the fields of a history row, nothing more. */
function shown(r: Omit<ProbeResult, 'startedAt' | 'headers'>) {
  return {
    deploymentId: r.deploymentId,
    healthy: r.healthy,
    checkedAt: r.checkedAt,
    latencyMs: r.latencyMs,
    ...(r.healthy ? {} : { ...(r.errorType ? { errorType: r.errorType } : {}), ...(r.error !== undefined ? { error: r.error } : {}) }),
    ...(r.checkedBy ? { checkedBy: r.checkedBy } : {}),
  };
}

describe('the store keeps each deployment\'s last results', () => {
  it('reads back exactly the newest history_size rows, oldest first, through pushes and resizes', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(
        result.map((r) => ({ push: r })),
        fc.integer({ min: 1, max: 40 }).map((size) => ({ size })),
      ), { maxLength: 150 }),
      // Up to 40: the columns start at 8 rows and double, so growth and wrap-around both happen.
      fc.integer({ min: 1, max: 40 }),
      (steps, initialSize) => {
        const store = new MemoryStore(initialSize);
        let size = initialSize;
        const all: ProbeResult[] = [];
        for (const step of steps) {
          if ('size' in step) {
            store.historySize = size = step.size;
            continue;
          }
          const r: ProbeResult = { deploymentId: 'd', startedAt: step.push.checkedAt - 5, headers: {}, ...step.push };
          all.push(r);
          store.set(r);
        }
        const h = store.history('d');
        // A shrink drops rows for good: what is left is the newest rows that survived each size.
        expect(h.length).toBeLessThanOrEqual(size);
        const rows = Array.from({ length: h.length }, (_, i) => h.row(i));
        const expected = all.slice(all.length - h.length).map(shown);
        expect(rows).toEqual(expected);
        rows.forEach((row, i) => {
          expect(h.checkedAt(i)).toBe(row.checkedAt);
          expect(h.healthy(i)).toBe(row.healthy);
        });
        if (all.length) expect(store.get('d')).toBe(all[all.length - 1]);
      },
    ), { numRuns: 400, seed: 11 });
  });

  it('counts every change in its version, so cached answers know when to rebuild', () => {
    const store = new MemoryStore(3);
    const v0 = store.version;
    store.set({ deploymentId: 'a', healthy: true, startedAt: 1, checkedAt: 2, latencyMs: 1, headers: {} });
    expect(store.version).toBeGreaterThan(v0);
    const v1 = store.version;
    store.retain(new Set(['a']));
    expect(store.version).toBe(v1);
    store.retain(new Set());
    expect(store.version).toBeGreaterThan(v1);
    expect(store.get('a')).toBeUndefined();
    expect(store.history('a').length).toBe(0);
  });
});

describe('history memory', () => {
  // Issue 16: health_check_history_size 10,000 at 10,000 deployments allocated 1.8 GB up front.
  it('grows with the rows that arrived, not with the configured size', () => {
    const ring = new HistoryRing('d', 10_000, new StringTable());
    expect(ring.capacity).toBe(10_000);
    expect(ring.allocated).toBeLessThanOrEqual(8);
    const at = (i: number): ProbeResult => ({ deploymentId: 'd', healthy: i % 3 !== 0, checkedAt: 1_800_000_000_000 + i, startedAt: 0, latencyMs: i, errorType: 'timeout', error: `e${i}`, headers: {} });
    for (let i = 0; i < 100; i++) ring.push(at(i));
    expect(ring.allocated).toBe(128);
    expect(ring.length).toBe(100);
    expect(ring.row(0)).toMatchObject({ checkedAt: 1_800_000_000_000, healthy: false, error: 'e0' });
    expect(ring.row(98)).toMatchObject({ checkedAt: 1_800_000_000_098, healthy: true });
    expect(ring.row(99)).toMatchObject({ checkedAt: 1_800_000_000_099, healthy: false, error: "e99" });
  });

  it('never allocates past its capacity, however many rows arrive', () => {
    const ring = new HistoryRing('d', 100, new StringTable());
    for (let i = 0; i < 1_000; i++) ring.push({ deploymentId: 'd', healthy: true, checkedAt: i, startedAt: 0, latencyMs: 1, headers: {} });
    expect(ring.allocated).toBe(100);
    expect(ring.length).toBe(100);
    expect(ring.checkedAt(0)).toBe(900);
    expect(ring.checkedAt(99)).toBe(999);
  });

  it('10,000 deployments with a history size of 10,000 start with a few MB, not gigabytes', () => {
    const store = new MemoryStore(10_000);
    for (let i = 0; i < 10_000; i++) store.set({ deploymentId: `d${i}`, healthy: true, checkedAt: 1, startedAt: 0, latencyMs: 1, headers: {} });
    let rows = 0;
    for (let i = 0; i < 10_000; i++) rows += (store.history(`d${i}`) as HistoryRing).allocated;
    // 8 rows × ~21 bytes each: under 2 MB of columns for the whole store.
    expect(rows).toBeLessThanOrEqual(80_000);
  });
});
