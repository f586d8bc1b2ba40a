import { describe, expect, it } from 'vitest';
import { TurnTimer } from '../src/scheduler/turn-timer.js';

/**
 * Resolves once every timer due within `ms` has fired (timers fire in order of expiry) and the
 * check phase after them has run the immediates they queued. The timer alone is not enough: on a
 * loaded machine it can expire in the same timers phase as the ones it waits for, and the test
 * then read the result before their immediates ran.
 */
async function after(ms: number): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, ms));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('TurnTimer (the background loop starts due probes from it, a batch per tick)', () => {
  it('a due time and a next turn asked together give one tick, not two (the caller re-arms from it)', async () => {
    let ticks = 0;
    const t = new TurnTimer(() => ticks++);
    t.at(0, 0);
    t.next();
    await after(10);
    expect(ticks).toBe(1);
  });

  it('a due timer ticks in the check phase: after the immediate queued before it in the same turn', async () => {
    const order: string[] = [];
    const t = new TurnTimer(() => order.push('tick'));
    // Same delay, the TurnTimer's set second, so it fires second (in the same timers phase or a
    // later one): the first queues an immediate, the TurnTimer queues its tick behind it.
    setTimeout(() => setImmediate(() => order.push('immediate')), 0);
    t.at(0, 0);
    await after(10);
    expect(order).toEqual(['immediate', 'tick']);
  });

  it('keeps the sooner of two due times, and stop() cancels both kinds of tick', async () => {
    let ticks = 0;
    const t = new TurnTimer(() => ticks++);
    t.at(5, 0);
    t.at(60_000, 0);
    await after(20);
    expect(ticks).toBe(1);
    t.at(5, 0);
    t.next();
    t.stop();
    await after(20);
    expect(ticks).toBe(1);
  });
});
