import { verdictOf, type ProbeResult } from '../core/result.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Verdicts counted in one time bucket: probes after which the deployment was healthy / unhealthy. */
export interface BucketCounts { up: number; down: number }

const EMPTY: BucketCounts = Object.freeze({ up: 0, down: 0 });

/**
 * The latest `slots` buckets of `widthMs` (aligned to the epoch, so UTC hours and days), as
 * typed columns: 12 bytes a bucket. A result older than the bucket its slot holds is dropped.
 */
export class BucketRing {
  readonly #bucket: Int32Array;
  readonly #up: Uint32Array;
  readonly #down: Uint32Array;

  constructor(readonly widthMs: number, readonly slots: number) {
    this.#bucket = new Int32Array(slots).fill(-1);
    this.#up = new Uint32Array(slots);
    this.#down = new Uint32Array(slots);
  }

  add(t: number, up: boolean): void {
    const b = Math.floor(t / this.widthMs);
    const s = b % this.slots;
    if (this.#bucket[s] !== b) {
      if (b < this.#bucket[s]!) return;
      this.#bucket[s] = b;
      this.#up[s] = 0;
      this.#down[s] = 0;
    }
    if (up) this.#up[s]!++;
    else this.#down[s]!++;
  }

  /** The counts of bucket number `b` (floor(t / widthMs)); zero when it is not kept. */
  counts(b: number): BucketCounts {
    const s = b % this.slots;
    return this.#bucket[s] === b ? { up: this.#up[s]!, down: this.#down[s]! } : EMPTY;
  }
}

/**
 * One deployment's uptime: verdicts per hour for the last 24 hours and per day for the last 30
 * days (plus the current one of each), from every result stored. Not persisted itself: at
 * start-up it is refilled from the history rows the database gives back (MemoryStore.restore).
 * The persisted, run-based uptime ratio of /health/uptime is uptime-runs.ts.
 */
export class Uptime {
  readonly hours = new BucketRing(HOUR_MS, 25);
  readonly days = new BucketRing(DAY_MS, 31);

  /** Counts the verdict after a result; a result without one yet (pending) is not counted. */
  record(r: ProbeResult): void {
    const v = verdictOf(r);
    if (v === 'pending') return;
    this.hours.add(r.checkedAt, v === 'healthy');
    this.days.add(r.checkedAt, v === 'healthy');
  }
}
