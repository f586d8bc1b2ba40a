/** A counting semaphore: at most `limit` tasks run at once, the rest wait in FIFO order. */
export class Limiter {
  #active = 0;
  /** Most tasks ever running at once (a test and benchmark aid). */
  peak = 0;
  readonly #queue: Array<() => void> = [];
  constructor(public limit: number) {
    if (!(limit >= 1)) throw new RangeError('limit must be ≥ 1');
  }
  get active() { return this.#active; }
  get waiting() { return this.#queue.length; }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#active++;
    if (this.#active > this.peak) this.peak = this.#active;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#queue.shift()?.();
    }
  }
}
