import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProbeResult, Verdict } from '../src/core/result.js';
import { DAY_MS, HOUR_MS, Uptime } from '../src/store/uptime.js';

/** The former layout, kept as the model: every slot as a column, bucket + 1 (0: none), up, down. */
class ColumnRing {
  readonly cells: Uint32Array;
  constructor(readonly widthMs: number, readonly slots: number) { this.cells = new Uint32Array(3 * slots); }
  add(t: number, up: boolean): void {
    const b = Math.floor(t / this.widthMs);
    const s = b % this.slots;
    const c = this.cells;
    if (c[s] !== b + 1) {
      if (b + 1 < c[s]!) return;
      c[s] = b + 1;
      c[this.slots + s] = 0;
      c[2 * this.slots + s] = 0;
    }
    c[(up ? 1 : 2) * this.slots + s]!++;
  }
  counts(b: number) {
    const s = b % this.slots;
    return this.cells[s] === b + 1 ? { up: this.cells[this.slots + s]!, down: this.cells[2 * this.slots + s]! } : { up: 0, down: 0 };
  }
}

const T0 = 1_780_000_000_000;
// Steps mostly forward, some far (past every slot), some back (late fleet results, some from
// before what a slot now holds).
const step = fc.record({
  dt: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 2 * HOUR_MS }), weight: 4 },
    { arbitrary: fc.integer({ min: -3 * HOUR_MS, max: 0 }), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: 40 * DAY_MS }), weight: 1 },
    { arbitrary: fc.integer({ min: -40 * DAY_MS, max: -HOUR_MS }), weight: 1 },
  ),
  verdict: fc.constantFrom<Verdict | undefined>('healthy', 'unhealthy', 'pending', undefined),
  healthy: fc.boolean(),
});

describe('uptime buckets: only the written ones are kept', () => {
  it('counts exactly what a column per slot counted, for every bucket asked', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
      const u = new Uptime();
      const hours = new ColumnRing(HOUR_MS, 25);
      const days = new ColumnRing(DAY_MS, 31);
      let t = T0;
      const seen: number[] = [];
      for (const s of steps) {
        t += s.dt;
        seen.push(t);
        const r: ProbeResult = { deploymentId: 'd', healthy: s.healthy, startedAt: t - 5, checkedAt: t, latencyMs: 5, headers: {} };
        if (s.verdict) r.verdict = s.verdict;
        u.record(r);
        const v = s.verdict ?? (s.healthy ? 'healthy' : 'unhealthy');
        if (v !== 'pending') {
          hours.add(t, v === 'healthy');
          days.add(t, v === 'healthy');
        }
      }
      // Every bucket a result fell in, its neighbours, and the windows the views read at the end.
      for (const at of [...seen, t + 30 * DAY_MS]) {
        const h = Math.floor(at / HOUR_MS);
        const d = Math.floor(at / DAY_MS);
        for (let k = -30; k <= 1; k++) {
          expect(u.hours.counts(h + k)).toEqual(hours.counts(h + k));
          expect(u.days.counts(d + k)).toEqual(days.counts(d + k));
        }
      }
    }), { numRuns: 300, seed: 18 });
  });

  it('holds one triple per bucket written, not a column per slot', () => {
    const u = new Uptime();
    expect(u.hours.counts(Math.floor(T0 / HOUR_MS))).toEqual({ up: 0, down: 0 });
    for (let i = 0; i < 10; i++) u.record({ deploymentId: 'd', healthy: i !== 3, startedAt: T0 + i, checkedAt: T0 + i * 20_000, latencyMs: 1, headers: {} });
    expect(u.hours.counts(Math.floor(T0 / HOUR_MS))).toEqual({ up: 9, down: 1 });
    expect(u.days.counts(Math.floor(T0 / DAY_MS))).toEqual({ up: 9, down: 1 });
    expect(u.hours).toMatchObject({ widthMs: HOUR_MS, slots: 25 });
    expect(u.days).toMatchObject({ widthMs: DAY_MS, slots: 31 });
  });
});
