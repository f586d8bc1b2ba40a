import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_TYPES } from '../src/core/errors.js';
import type { ProbeResult } from '../src/core/result.js';
import { MemoryStore } from '../src/store/memory.js';

const probe = fc.record({
  id: fc.constantFrom('a', 'b', 'c'),
  healthy: fc.boolean(),
  errorType: fc.option(fc.constantFrom(...ERROR_TYPES), { nil: undefined }),
  dt: fc.integer({ min: 1, max: 600_000 }),
});

describe('the store counts probes per deployment and outcome', () => {
  it('as a Map counting in first-seen order would, with the last success and the start of the counters', () => {
    fc.assert(fc.property(fc.array(probe, { maxLength: 120 }), (probes) => {
      const store = new MemoryStore(5);
      const model = new Map<string, { since: number; lastSuccessAt?: number; outcomes: Map<string, number> }>();
      let t = 1_780_000_000_000;
      for (const p of probes) {
        t += p.dt;
        const r: ProbeResult = { deploymentId: p.id, healthy: p.healthy, startedAt: t - 7, checkedAt: t, latencyMs: 7, headers: {} };
        if (!p.healthy && p.errorType) r.errorType = p.errorType;
        store.set(r);
        let m = model.get(p.id);
        if (!m) model.set(p.id, m = { since: t - 7, outcomes: new Map() });
        const key = p.healthy ? 'healthy' : (p.errorType ?? 'plugin_error');
        m.outcomes.set(key, (m.outcomes.get(key) ?? 0) + 1);
        if (p.healthy) m.lastSuccessAt = t;
      }
      for (const id of ['a', 'b', 'c']) {
        const m = model.get(id);
        const s = store.stats(id);
        if (!m) {
          expect(s).toBeUndefined();
          continue;
        }
        expect(s!.since).toBe(m.since);
        expect(s!.lastSuccessAt).toBe(m.lastSuccessAt);
        expect([...s!.outcomes]).toEqual([...m.outcomes]);
        // Read twice: the pairs are the same each time.
        expect([...s!.outcomes]).toEqual([...m.outcomes]);
      }
    }), { numRuns: 300, seed: 18 });
  });

  it('start again at the restore time, with the last success from the restored rows', () => {
    const store = new MemoryStore(5);
    const at = 1_780_000_000_000;
    const rows: ProbeResult[] = [
      { deploymentId: 'a', healthy: true, startedAt: at - 9, checkedAt: at - 5, latencyMs: 4, headers: {} },
      { deploymentId: 'a', healthy: false, errorType: 'timeout', startedAt: at - 4, checkedAt: at, latencyMs: 4, headers: {} },
    ];
    store.restore([rows[1]!, { deploymentId: 'b', healthy: false, startedAt: at, checkedAt: at, latencyMs: 1, headers: {} }], new Map([['a', rows]]), at + 100);
    expect(store.stats('a')).toMatchObject({ since: at + 100, lastSuccessAt: at - 5 });
    expect([...store.stats('a')!.outcomes]).toEqual([]);
    expect(store.stats('b')!.lastSuccessAt).toBeUndefined();
    store.set({ deploymentId: 'a', healthy: false, errorType: 'timeout', startedAt: at + 200, checkedAt: at + 300, latencyMs: 100, headers: {} });
    store.set({ deploymentId: 'a', healthy: true, startedAt: at + 400, checkedAt: at + 500, latencyMs: 100, headers: {} });
    expect([...store.stats('a')!.outcomes]).toEqual([['timeout', 1], ['healthy', 1]]);
    expect(store.stats('a')!.lastSuccessAt).toBe(at + 500);
  });
});
