import { describe, expect, it } from 'vitest';
import { Limiter } from '../src/scheduler/limiter.js';

/** Issue 16, item 12: lowering health_check_concurrency by reload had no effect (waves of 16 went on). */
describe('the concurrency limit changed at run time', () => {
  function tasks(limiter: Limiter, n: number) {
    const release: Array<() => void> = [];
    let started = 0;
    // Each task takes its slot as the scheduler does: tryAcquire, else acquire; release when done.
    const task = async () => {
      if (!limiter.tryAcquire()) await limiter.acquire();
      try {
        await new Promise<void>((r) => { started++; release.push(r); });
      } finally {
        limiter.release();
      }
    };
    const done = Array.from({ length: n }, task);
    const settle = () => new Promise((r) => setImmediate(r));
    return { release, started: () => started, done, settle };
  }

  it('lowered: running tasks finish, and none starts until fewer than the new limit run', async () => {
    const limiter = new Limiter(4);
    const t = tasks(limiter, 10);
    await t.settle();
    expect([t.started(), limiter.active, limiter.waiting]).toEqual([4, 4, 6]);
    limiter.limit = 2;
    for (let i = 0; i < 3; i++) t.release[i]!();
    await t.settle();
    // 4 ran, 3 ended: 1 runs; one more may start to make 2, not 3 more as before.
    expect([t.started(), limiter.active]).toEqual([5, 2]);
    expect(limiter.peak).toBe(4);
  });

  it('raised: waiters start at once, up to the new limit', async () => {
    const limiter = new Limiter(2);
    const t = tasks(limiter, 8);
    await t.settle();
    expect(t.started()).toBe(2);
    limiter.limit = 5;
    await t.settle();
    expect([t.started(), limiter.active, limiter.waiting]).toEqual([5, 5, 3]);
    for (const r of t.release) r();
    await t.settle();
    for (const r of t.release) r();
    await Promise.all(t.done);
    expect([t.started(), limiter.active, limiter.peak]).toEqual([8, 0, 5]);
  });
});
