import type { MaintenanceCalendar } from '../config/maintenance.js';
import type { Deployment } from '../core/deployment.js';
import { DAY_MS, HOUR_MS, type BucketRing, type Uptime } from '../store/uptime.js';

/** The windows uptime is shown over: hourly buckets for 24 h, daily ones for 7 and 30 days (UTC). */
export const UPTIME_WINDOWS = ['24h', '7d', '30d'] as const;
export type UptimeWindow = (typeof UPTIME_WINDOWS)[number];

const SHAPE: Record<UptimeWindow, { widthMs: number; count: number; ring: (u: Uptime) => BucketRing }> = {
  '24h': { widthMs: HOUR_MS, count: 24, ring: (u) => u.hours },
  '7d': { widthMs: DAY_MS, count: 7, ring: (u) => u.days },
  '30d': { widthMs: DAY_MS, count: 30, ring: (u) => u.days },
};

/** One bar: verdicts counted in its bucket, and whether a maintenance window explains a gap. */
export interface Bar { up: number; down: number; maintenance: boolean }

/** Where a window's bars start (the oldest bucket) and how wide each is. */
export function barFrame(window: UptimeWindow, now: number): { start: number; widthMs: number; count: number } {
  const { widthMs, count } = SHAPE[window];
  return { start: (Math.floor(now / widthMs) - count + 1) * widthMs, widthMs, count };
}

/**
 * Memoizes which bars of a frame overlap a maintenance window, per set of windows: every
 * deployment under the same windows shares one answer (a schedule is searched once per bar).
 */
export class MaintenanceBars {
  readonly #memo = new Map<string, boolean[]>();
  constructor(private readonly calendar: MaintenanceCalendar) {}

  of(d: Deployment, start: number, widthMs: number, count: number): boolean[] | undefined {
    if (this.calendar.empty) return undefined;
    const key = `${start}:${widthMs}:${count}:${this.calendar.windows.map((w) => (w.appliesTo(d) ? 1 : 0)).join('')}`;
    let flags = this.#memo.get(key);
    if (!flags) {
      flags = Array.from({ length: count }, (_, i) => this.calendar.overlaps(d, start + i * widthMs, start + (i + 1) * widthMs));
      this.#memo.set(key, flags);
    }
    return flags;
  }
}

/** A deployment's bars over a window, oldest first; the last is the current (partial) bucket. */
export function barsOf(uptime: Uptime | undefined, d: Deployment, window: UptimeWindow, now: number, maintenance?: MaintenanceBars): Bar[] {
  const { start, widthMs, count } = barFrame(window, now);
  const ring = uptime && SHAPE[window].ring(uptime);
  const flags = maintenance?.of(d, start, widthMs, count);
  const first = Math.floor(start / widthMs);
  return Array.from({ length: count }, (_, i) => {
    const c = ring?.counts(first + i) ?? { up: 0, down: 0 };
    return { up: c.up, down: c.down, maintenance: c.up + c.down === 0 && (flags?.[i] ?? false) };
  });
}

/** Healthy verdicts over all verdicts in the bars (0–1), or null without any. */
export function ratioOf(bars: readonly Bar[]): number | null {
  let up = 0;
  let all = 0;
  for (const b of bars) {
    up += b.up;
    all += b.up + b.down;
  }
  return all === 0 ? null : up / all;
}
