/**
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in FIFO order. The limit
 * may change at run time (a reload of health_check_concurrency): lowering it lets running tasks
 * finish and starts no new one until fewer than the new limit run; raising it starts waiters at once.
 */
export class Limiter {
  #active = 0;
  #limit: number;
  /** Most tasks ever running at once (a test and benchmark aid). */
  peak = 0;
  readonly #queue: Array<() => void> = [];
  constructor(limit: number) {
    this.#limit = checked(limit);
  }
  get active() { return this.#active; }
  get waiting() { return this.#queue.length; }
  get limit() { return this.#limit; }
  set limit(n: number) {
    this.#limit = checked(n);
    this.#drain();
  }

  /** Takes a free slot (true), or takes none (false: `acquire` waits for one). */
  tryAcquire(): boolean {
    if (this.#active >= this.#limit) return false;
    this.#active++;
    if (this.#active > this.peak) this.peak = this.#active;
    return true;
  }

  /** Waits in line for a slot; it is handed over already counted (see #drain), so nothing can overtake it. */
  acquire(): Promise<void> {
    return new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  /** Gives back a slot taken by tryAcquire or acquire. */
  release(): void {
    this.#active--;
    this.#drain();
  }

  #drain(): void {
    while (this.#active < this.#limit && this.#queue.length) {
      this.#active++;
      if (this.#active > this.peak) this.peak = this.#active;
      this.#queue.shift()!();
    }
  }
}

function checked(limit: number): number {
  if (!(limit >= 1)) throw new RangeError('limit must be ≥ 1');
  return limit;
}
