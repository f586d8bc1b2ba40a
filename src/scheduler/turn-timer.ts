/**
 * Calls `tick` at a time or in the next event-loop turn, only ever from the check phase and with
 * one tick pending at most, so the poll phase, where requests are served, runs between any two
 * ticks. (A due timer's tick and an immediate's once ran in the same turn, starting two batches of
 * probes back to back: test/single-flight-and-concurrency-cap.)
 */
export class TurnTimer {
  readonly #tick: () => void;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #immediate: NodeJS.Immediate | undefined;

  constructor(tick: () => void) {
    this.#tick = tick;
  }

  /** A tick at `at` (ms on the caller's clock, which reads `now`), unless one comes sooner. */
  at(at: number, now: number): void {
    // A tick is already waiting for the check phase; the caller re-arms from it.
    if (this.#immediate || (this.#timer && at >= this.#timerAt)) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.next();
    }, Math.min(Math.max(0, at - now), 2 ** 31 - 1));
  }

  /** A tick in the next check phase, in place of a due timer: the caller re-arms from the tick. */
  next(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#immediate ??= setImmediate(() => {
      this.#immediate = undefined;
      this.#tick();
    });
  }

  stop(): void {
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    this.#timer = this.#immediate = undefined;
    this.#timerAt = Infinity;
  }
}
