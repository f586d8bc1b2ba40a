import { verdictOf, type ProbeResult } from '../core/result.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Verdicts counted in one time bucket: probes after which the deployment was healthy / unhealthy. */
export interface BucketCounts { up: number; down: number }

const EMPTY: BucketCounts = Object.freeze({ up: 0, down: 0 });

/**
 * The latest `slots` buckets of `widthMs` (aligned to the epoch, so UTC hours and days), as
 * one typed column of 3 × slots words: bucket number + 1 (0: none yet), then up and down counts.
 * 12 bytes a bucket; one view on a buffer the caller may share (Uptime: one buffer for both
 * rings, not six arrays: each array of more than 64 bytes has its own native allocation).
 */
export class BucketRing {
  /** [0, slots): bucket + 1; [slots, 2 slots): up; [2 slots, 3 slots): down. */
  readonly #cells: Uint32Array;

  constructor(readonly widthMs: number, readonly slots: number, buffer = new ArrayBuffer(slots * 12), byteOffset = 0) {
    this.#cells = new Uint32Array(buffer, byteOffset, slots * 3);
  }

  add(t: number, up: boolean): void {
    const b = Math.floor(t / this.widthMs);
    const s = b % this.slots;
    const c = this.#cells;
    if (c[s] !== b + 1) {
      if (b + 1 < c[s]!) return;
      c[s] = b + 1;
      c[this.slots + s] = 0;
      c[2 * this.slots + s] = 0;
    }
    c[(up ? 1 : 2) * this.slots + s]!++;
  }

  /** The counts of bucket number `b` (floor(t / widthMs)); zero when it is not kept. */
  counts(b: number): BucketCounts {
    const s = b % this.slots;
    const c = this.#cells;
    return c[s] === b + 1 ? { up: c[this.slots + s]!, down: c[2 * this.slots + s]! } : EMPTY;
  }
}

const HOUR_SLOTS = 25;
const DAY_SLOTS = 31;

/**
 * One deployment's uptime: verdicts per hour for the last 24 hours and per day for the last 30
 * days (plus the current one of each), from every result stored. Not persisted itself: at
 * start-up it is refilled from the history rows the database gives back (MemoryStore.restore).
 * The persisted, run-based uptime ratio of /health/uptime is uptime-runs.ts.
 */
export class Uptime {
  readonly hours: BucketRing;
  readonly days: BucketRing;

  constructor() {
    const buffer = new ArrayBuffer((HOUR_SLOTS + DAY_SLOTS) * 12);
    this.hours = new BucketRing(HOUR_MS, HOUR_SLOTS, buffer, 0);
    this.days = new BucketRing(DAY_MS, DAY_SLOTS, buffer, HOUR_SLOTS * 12);
  }

  /** Counts the verdict after a result; a result without one yet (pending) is not counted. */
  record(r: ProbeResult): void {
    const v = verdictOf(r);
    if (v === 'pending') return;
    this.hours.add(r.checkedAt, v === 'healthy');
    this.days.add(r.checkedAt, v === 'healthy');
  }
}
