import type { Deployment } from '../core/deployment.js';
import { latestStart, type CronSpec } from './cron.js';

/** The longest window (and so how far back an occurrence can still cover now). */
export const MAX_WINDOW_MS = 31 * 86_400_000;
const LOOKBACK_DAYS = 32;
const MINUTE = 60_000;

export interface Occurrence { start: number; end: number }

/** What a window covers: named model groups and ids, or (neither given) every deployment. */
export interface WindowScope { modelNames?: readonly string[]; modelIds?: readonly string[] }

export type WindowTiming =
  | { kind: 'fixed'; start: number; end: number }
  | { kind: 'schedule'; cron: CronSpec; durationMs: number; timeZone: string };

/** One general_settings.maintenance_windows entry, compiled. */
export class MaintenanceWindow {
  readonly #names: ReadonlySet<string> | undefined;
  readonly #ids: ReadonlySet<string> | undefined;
  /** The latest start at or before a minute, memoized: every probe and scrape asks. */
  #cache: { minute: number; start: number | undefined } | undefined;

  constructor(readonly name: string, readonly timing: WindowTiming, scope: WindowScope = {}) {
    this.#names = scope.modelNames ? new Set(scope.modelNames) : undefined;
    this.#ids = scope.modelIds ? new Set(scope.modelIds) : undefined;
  }

  appliesTo(d: Deployment): boolean {
    if (!this.#names && !this.#ids) return true;
    return (this.#names?.has(d.modelName) ?? false) || (this.#ids?.has(d.id) ?? false);
  }

  /** The latest occurrence that started at or before `t` (it may have ended). */
  latestBefore(t: number): Occurrence | undefined {
    const tm = this.timing;
    if (tm.kind === 'fixed') return tm.start <= t ? { start: tm.start, end: tm.end } : undefined;
    const minute = Math.floor(t / MINUTE);
    if (this.#cache?.minute !== minute) {
      // Starts fall on whole minutes, so the latest one at or before t is the latest at or before
      // the start of t's minute: one search per window and minute.
      this.#cache = { minute, start: latestStart(tm.cron, tm.timeZone, minute * MINUTE, LOOKBACK_DAYS) };
    }
    const start = this.#cache.start;
    return start === undefined ? undefined : { start, end: start + tm.durationMs };
  }

  /** The occurrence covering `t` ([start, end)), if any. */
  at(t: number): Occurrence | undefined {
    const o = this.latestBefore(t);
    return o && t < o.end ? o : undefined;
  }

  /** Whether an occurrence overlaps [from, to): the latest one starting before `to` ends last. */
  overlaps(from: number, to: number): boolean {
    const o = this.latestBefore(to - 1);
    return o !== undefined && o.end > from;
  }
}

/** Every maintenance window of a config, asked per deployment and instant. */
export class MaintenanceCalendar {
  constructor(readonly windows: readonly MaintenanceWindow[] = []) {}

  get empty(): boolean { return this.windows.length === 0; }

  /** Whether any window could ever cover this deployment (it gets a maintenance series). */
  scopes(d: Deployment): boolean {
    return this.windows.some((w) => w.appliesTo(d));
  }

  /** The window covering `d` at `now` that ends last, and when it ends; undefined: not covered. */
  covering(d: Deployment, now: number): { name: string; until: number } | undefined {
    let found: { name: string; until: number } | undefined;
    for (const w of this.windows) {
      if (!w.appliesTo(d)) continue;
      const o = w.at(now);
      if (o && (!found || o.end > found.until)) found = { name: w.name, until: o.end };
    }
    return found;
  }

  /** When the latest window over `d` that is over now ended (a result is not overdue before it). */
  lastEnded(d: Deployment, now: number): number | undefined {
    let last: number | undefined;
    for (const w of this.windows) {
      if (!w.appliesTo(d)) continue;
      const o = w.latestBefore(now);
      if (o && o.end <= now && (last === undefined || o.end > last)) last = o.end;
    }
    return last;
  }

  /** Whether a window over `d` overlaps [from, to) (uptime bars without probes show maintenance). */
  overlaps(d: Deployment, from: number, to: number): boolean {
    return this.windows.some((w) => w.appliesTo(d) && w.overlaps(from, to));
  }

  /** Which windows are open at `now`, as a short key: answers cached across a change differ. */
  activeKey(now: number): string {
    if (this.empty) return '';
    return `:m${this.windows.map((w) => (w.at(now) ? 1 : 0)).join('')}`;
  }
}
