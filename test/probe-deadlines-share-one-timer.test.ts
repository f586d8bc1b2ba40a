import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { ProbePlugin } from '../src/core/plugin.js';
import { DeadlineSweep, type DeadlineClock, type EndReason } from '../src/scheduler/deadlines.js';
import { runProbe } from '../src/scheduler/runner.js';

/**
 * Probes in flight end at their deadlines through one shared timer (scheduler/deadlines.ts),
 * not a timer and a shutdown listener each (issue 18). A probe whose plugin never settles must
 * still end at its deadline, typed timeout.
 */
const deployments = parseConfig(`model_list:
  - model_name: short
    litellm_params: { model: openai/gpt-4o-mini }
    model_info: { id: short, health_check_timeout: 0.05 }
  - model_name: long
    litellm_params: { model: openai/gpt-4o-mini }
    model_info: { id: long, health_check_timeout: 0.15 }
`, 'c.yaml', {}).deployments;

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('probe deadlines', () => {
  it('twenty hanging probes hold one timer between them, and each ends at its own deadline, the shorter first', async () => {
    const aborted: unknown[] = [];
    const hangs: ProbePlugin = {
      mode: 'chat',
      probe: (_t, ctx) => new Promise<never>(() => { ctx.signal.addEventListener('abort', () => aborted.push(ctx.signal.reason)); }),
    };
    const plugins = new Map([['chat', hangs]]);
    const shutdown = new AbortController();
    const before = timers();
    const ended: string[] = [];
    const pending = Array.from({ length: 20 }, (_, i) => {
      const d = deployments[i % 2]!;
      return runProbe(d, { plugins, signal: shutdown.signal }).then((r) => { ended.push(d.id); return r; });
    });
    expect(timers() - before).toBeLessThanOrEqual(1);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);

    const results = await Promise.all(pending);
    expect(results.every((r) => r.errorType === 'timeout' && r.error === 'Timeout exceeded' && r.status === 408)).toBe(true);
    expect(ended).toEqual([...Array(10).fill('short'), ...Array(10).fill('long')]);
    // The plugin's own signal aborted too, with the reason the result gives.
    expect(aborted).toHaveLength(20);
    expect(aborted.every((e) => (e as Error).message === 'Timeout exceeded')).toBe(true);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });
});

/** A clock the test moves by hand; the sweep's one timer is `armed`. */
function manualClock() {
  let now = 0;
  let armed: { fn: () => void; at: number } | undefined;
  const timer = { ref() { return timer; }, unref() { return timer; } };
  const clock: DeadlineClock = {
    now: () => now,
    setTimer: (fn, ms) => { armed = { fn, at: now + ms }; return timer; },
    clearTimer: () => { armed = undefined; },
  };
  return {
    clock,
    get armedAt() { return armed?.at; },
    /** Moves the clock to `t`, firing the timer when it is due. */
    advance(t: number) {
      now = t;
      if (armed && armed.at <= t) { const { fn } = armed; armed = undefined; fn(); }
    },
    /** Moves the clock without firing anything (a timer lost under a test's fake timers). */
    setNow(t: number) { now = t; },
    /** The timer fires while the clock reads `t` (which may be a hair before its time). */
    fireWhileClockReads(t: number) {
      now = t;
      const fn = armed!.fn;
      armed = undefined;
      fn();
    },
  };
}

describe('DeadlineSweep', () => {
  it('ends each watch at its deadline, earliest first, re-arming for an earlier one added later; released ones never end', () => {
    const m = manualClock();
    const sweep = new DeadlineSweep(m.clock);
    const ended: Array<[string, EndReason, number]> = [];
    const watch = (name: string, ms: number) => sweep.watch(ms, undefined, (why) => ended.push([name, why, m.clock.now()]));

    watch('b', 300);
    expect(m.armedAt).toBe(300);
    watch('a', 100); // earlier than the armed timer: re-armed
    expect(m.armedAt).toBe(100);
    const c = watch('c', 200);
    watch('d', 300);
    expect(sweep.size).toBe(4);
    sweep.release(c);

    m.advance(100);
    expect(ended).toEqual([['a', 'deadline', 100]]);
    expect(m.armedAt).toBe(300); // c was released: nothing at 200
    m.advance(250);
    expect(ended).toHaveLength(1);
    m.advance(300);
    expect(ended.map(([n]) => n).sort()).toEqual(['a', 'b', 'd']);
    expect(sweep.size).toBe(0);
    expect(m.armedAt).toBeUndefined();
  });

  it('a timer that fires by its own clock ends what it was set for, even if the clock read lags', () => {
    const m = manualClock();
    const sweep = new DeadlineSweep(m.clock);
    const ended: string[] = [];
    sweep.watch(50, undefined, () => ended.push('x'));
    expect(m.armedAt).toBe(50);
    // Timers and performance.now() are separate clocks: the timer may fire while the clock reads 49.6.
    m.fireWhileClockReads(49.6);
    expect(ended).toEqual(['x']);
    expect(sweep.size).toBe(0);
  });

  it('a timer that never fired (lost) is set again by the next watch, and what is overdue ends', () => {
    const m = manualClock();
    const sweep = new DeadlineSweep(m.clock);
    const ended: string[] = [];
    sweep.watch(100, undefined, () => ended.push('lost'));
    m.setNow(5000);
    sweep.watch(100, undefined, () => ended.push('next'));
    expect(m.armedAt).toBe(5000);
    m.advance(5000);
    expect(ended).toEqual(['lost']);
    m.advance(5100);
    expect(ended).toEqual(['lost', 'next']);
  });

  it('after a shutdown ends every watch, the timer keeps no process alive (SIGTERM exits at once, not at the next deadline)', () => {
    const sweep = new DeadlineSweep(); // real timers
    const shutdown = new AbortController();
    const before = timers();
    const w = sweep.watch(60_000, shutdown.signal, () => {});
    expect(timers() - before).toBe(1);
    shutdown.abort();
    sweep.release(w); // the runner's finally, after the watch was already ended
    expect(sweep.size).toBe(0);
    expect(timers() - before).toBe(0);
  });

  it('one listener per shutdown signal while anything under it is watched; shutdown ends them all', () => {
    const m = manualClock();
    const sweep = new DeadlineSweep(m.clock);
    const shutdown = new AbortController();
    const ended: EndReason[] = [];
    const ws = Array.from({ length: 5 }, () => sweep.watch(1000, shutdown.signal, (why) => ended.push(why)));
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    sweep.release(ws[0]!);
    shutdown.abort();
    expect(ended).toEqual(['shutdown', 'shutdown', 'shutdown', 'shutdown']);
    expect(sweep.size).toBe(0);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    // Watched after shutdown: ended at once, nothing kept.
    sweep.watch(1000, shutdown.signal, (why) => ended.push(why));
    expect(ended).toHaveLength(5);
    expect(sweep.size).toBe(0);
  });
});
