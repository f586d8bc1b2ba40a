import { verdictOf, type ProbeResult } from '../core/result.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Verdicts counted in one time bucket: probes after which the deployment was healthy / unhealthy. */
export interface BucketCounts { up: number; down: number }

const EMPTY: BucketCounts = Object.freeze({ up: 0, down: 0 });

/**
 * Verdicts per bucket of `widthMs` (aligned to the epoch, so UTC hours and days): the latest
 * `slots` buckets, bucket b in slot b % slots. A later bucket takes its slot over; a result for
 * an earlier one than its slot holds is not counted.
 */
export interface BucketRing {
  readonly widthMs: number;
  readonly slots: number;
  /** The counts of bucket number `b` (floor(t / widthMs)); zero when it is not kept. */
  counts(b: number): BucketCounts;
}

const HOUR_SLOTS = 25;
const DAY_SLOTS = 31;
/** The cells of an Uptime nothing was recorded in (never written: a first bucket replaces it). */
const NO_CELLS: readonly number[] = Object.freeze([]);

/**
 * One deployment's uptime: verdicts per hour for the last 24 hours and per day for the last 30
 * days (plus the current one of each), from every result stored. Not persisted itself: at
 * start-up it is refilled from the history rows the database gives back (MemoryStore.restore).
 * The persisted, run-based uptime ratio of /health/uptime is uptime-runs.ts.
 */
export class Uptime {
  /**
   * Only the buckets written, as triples [bucket, up, down] in one array of small integers: the
   * hourly ones first (#hourly triples), then the daily ones; at most one per slot. A deployment
   * probed for an hour has one of each: 48 bytes of cells, where a column of every slot took 672
   * bytes in an ArrayBuffer of its own (~1 KB a deployment with the views, ~10 MB at 10,000).
   */
  #cells: readonly number[] = NO_CELLS;
  #hourly = 0;

  get hours(): BucketRing { return { widthMs: HOUR_MS, slots: HOUR_SLOTS, counts: (b) => this.#counts(0, this.#hourly, b) }; }
  get days(): BucketRing { return { widthMs: DAY_MS, slots: DAY_SLOTS, counts: (b) => this.#counts(this.#hourly, this.#cells.length / 3, b) }; }

  /** Counts the verdict after a result; a result without one yet (pending) is not counted. */
  record(r: ProbeResult): void {
    const v = verdictOf(r);
    if (v === 'pending') return;
    const up = v === 'healthy';
    if (this.#add(0, this.#hourly, HOUR_SLOTS, Math.floor(r.checkedAt / HOUR_MS), up)) this.#hourly++;
    this.#add(this.#hourly, this.#cells.length / 3, DAY_SLOTS, Math.floor(r.checkedAt / DAY_MS), up);
  }

  /** The counts of bucket `b` among triples [from, to). */
  #counts(from: number, to: number, b: number): BucketCounts {
    const c = this.#cells;
    for (let i = 3 * from; i < 3 * to; i += 3) if (c[i] === b) return { up: c[i + 1]!, down: c[i + 2]! };
    return EMPTY;
  }

  /**
   * Counts one verdict in bucket `b` of the ring whose triples are [from, to). Returns whether a
   * triple was added (at `to`). A bucket before the epoch is not counted.
   */
  #add(from: number, to: number, slots: number, b: number, up: boolean): boolean {
    if (!(b >= 0)) return false;
    const s = b % slots;
    const c = this.#cells as number[];
    for (let i = 3 * to - 3; i >= 3 * from; i -= 3) {
      if (c[i]! % slots !== s) continue;
      if (b < c[i]!) return false;
      if (b > c[i]!) {
        c[i] = b;
        c[i + 1] = 0;
        c[i + 2] = 0;
      }
      c[i + (up ? 1 : 2)]!++;
      return false;
    }
    // A slot not written yet: a copy one triple longer (a new bucket comes once an hour at most;
    // a push would reserve room for ~16 more numbers in every deployment's array).
    const next = new Array<number>(c.length + 3);
    for (let i = 0; i < 3 * to; i++) next[i] = c[i]!;
    next[3 * to] = b;
    next[3 * to + 1] = up ? 1 : 0;
    next[3 * to + 2] = up ? 0 : 1;
    for (let i = 3 * to; i < c.length; i++) next[i + 3] = c[i]!;
    this.#cells = next;
    return true;
  }
}
