/**
 * Every probe in flight ends at its deadline or at shutdown, whichever comes first. One timer for
 * the earliest deadline and one listener per shutdown signal serve all of them: a timer, a
 * Timeout object and a listener on the long-lived shutdown signal per probe were a fifth of the
 * project's CPU per probe (issue 18).
 */

/** Why a watched probe is ended. */
export type EndReason = 'deadline' | 'shutdown';

/** A probe being watched; `end` is called at most once. */
export interface Watch {
  readonly at: number;
  readonly end: (why: EndReason) => void;
  readonly shutdown: AbortSignal | undefined;
  /** Place in the heap; -1 once released or ended. */
  index: number;
}

export interface DeadlineClock {
  now(): number;
  setTimer(fn: () => void, ms: number): { ref(): unknown; unref(): unknown };
  clearTimer(timer: unknown): void;
}

const realClock: DeadlineClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t as NodeJS.Timeout),
};

/** How late the timer may be before it is taken for lost. */
const OVERDUE_MS = 1000;

/** setTimeout's longest delay; a longer one fires at once (Node clamps it to 1 ms). */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class DeadlineSweep {
  /** A min-heap by deadline. */
  readonly #heap: Watch[] = [];
  #timer: { ref(): unknown; unref(): unknown } | undefined;
  /** When the timer fires (clock ms); never later than the heap's earliest deadline. */
  #timerAt = Infinity;
  /** The watches per shutdown signal, and the one listener that ends them. */
  readonly #byShutdown = new Map<AbortSignal, { watches: Set<Watch>; onAbort: () => void }>();
  readonly #clock: DeadlineClock;

  constructor(clock: DeadlineClock = realClock) {
    this.#clock = clock;
  }

  /** Probes watched now. */
  get size(): number { return this.#heap.length; }

  /**
   * Calls `end('deadline')` `timeoutMs` from now, or `end('shutdown')` when `shutdown` aborts
   * (at once when it already has), unless released first.
   */
  watch(timeoutMs: number, shutdown: AbortSignal | undefined, end: (why: EndReason) => void): Watch {
    const w: Watch = { at: this.#clock.now() + timeoutMs, end, shutdown, index: -1 };
    if (shutdown?.aborted) {
      end('shutdown');
      return w;
    }
    this.#push(w);
    if (shutdown) this.#listen(w, shutdown);
    const first = this.#heap[0]!.at;
    // Overdue: the timer was lost (a test swapped the timer functions under it); set it again.
    if (first < this.#timerAt || w.at - timeoutMs > this.#timerAt + OVERDUE_MS) this.#arm(first);
    else if (this.#heap.length === 1) this.#timer?.ref();
    return w;
  }

  /** The probe is over: its deadline and its shutdown listener are let go. */
  release(w: Watch): void {
    if (w.index < 0) return;
    this.#remove(w);
  }

  #end(w: Watch, why: EndReason): void {
    if (w.index < 0) return;
    this.#remove(w);
    w.end(why);
  }

  #listen(w: Watch, shutdown: AbortSignal): void {
    let entry = this.#byShutdown.get(shutdown);
    if (!entry) {
      // Added while any probe under this signal runs, removed when none does: nothing stays on
      // a long-lived signal between rounds (it would keep every probe's state alive).
      const watches = new Set<Watch>();
      const onAbort = () => { for (const x of [...watches]) this.#end(x, 'shutdown'); };
      entry = { watches, onAbort };
      this.#byShutdown.set(shutdown, entry);
      shutdown.addEventListener('abort', onAbort, { once: true });
    }
    entry.watches.add(w);
  }

  #unlisten(w: Watch): void {
    const s = w.shutdown;
    const entry = s && this.#byShutdown.get(s);
    if (!entry) return;
    entry.watches.delete(w);
    if (entry.watches.size) return;
    this.#byShutdown.delete(s);
    s.removeEventListener('abort', entry.onAbort);
  }

  #arm(at: number): void {
    if (this.#timer) this.#clock.clearTimer(this.#timer);
    const now = this.#clock.now();
    const delay = Math.min(Math.max(0, at - now), MAX_DELAY_MS);
    this.#timerAt = now + delay;
    this.#timer = this.#clock.setTimer(this.#fire, delay);
  }

  readonly #fire = (): void => {
    // The timer firing means its time has come, even where the clock read says a hair earlier
    // (timers and performance.now() are separate clocks; a test may fake only the timers).
    const now = Math.max(this.#clock.now(), this.#timerAt);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    while (this.#heap.length && this.#heap[0]!.at <= now) this.#end(this.#heap[0]!, 'deadline');
    if (this.#heap.length) this.#arm(this.#heap[0]!.at);
  };

  #remove(w: Watch): void {
    this.#unlisten(w);
    const h = this.#heap;
    const i = w.index;
    w.index = -1;
    const last = h.pop()!;
    // The timer stays set for a deadline that may no longer be watched; unref'd, it keeps no
    // process alive (a shutdown ends every watch here, not in release), and re-setting it per
    // probe is what this class saves.
    if (!h.length) this.#timer?.unref();
    if (last === w) return;
    h[i] = last;
    last.index = i;
    this.#down(i);
    this.#up(last.index);
  }

  #push(w: Watch): void {
    w.index = this.#heap.length;
    this.#heap.push(w);
    this.#up(w.index);
  }

  #up(i: number): void {
    const h = this.#heap;
    const w = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= w.at) break;
      h[i] = h[p]!;
      h[i]!.index = i;
      i = p;
    }
    h[i] = w;
    w.index = i;
  }

  #down(i: number): void {
    const h = this.#heap;
    const w = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
      if (h[c]!.at >= w.at) break;
      h[i] = h[c]!;
      h[i]!.index = i;
      i = c;
    }
    h[i] = w;
    w.index = i;
  }
}

/** The process's sweep, shared by every probe. */
export const deadlines = new DeadlineSweep();
