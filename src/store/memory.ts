import { EMPTY_HISTORY, HistoryRing, StringTable } from './history-ring.js';
import type { HealthStore, History, ProbeStats } from './types.js';
import { UptimeLedger, type UptimeSegment } from './uptime-runs.js';
import { SpendLedger, type DaySpend } from './spend.js';
import type { ProbeResult } from '../core/result.js';
import { Uptime } from './uptime.js';

/**
 * One deployment's results, and its counters since `since` (the entry is its ProbeStats: a
 * separate stats object and its Map took ~300 bytes a deployment).
 */
class Entry implements ProbeStats {
  lastSuccessAt: number | undefined = undefined;
  /** Probes by outcome as [key, count, key, count, ...], first seen first (a Map of one key took ~180 bytes). */
  #outcomes: (string | number)[] = NO_OUTCOMES;

  constructor(
    public latest: ProbeResult,
    /** The last results, compact (see HistoryRing). */
    public history: HistoryRing,
    /** Runs of equal outcomes over the last 30 days, for /health/uptime and the uptime ratio (persisted). */
    readonly runs: UptimeLedger,
    readonly spend: SpendLedger,
    /** Verdicts per hour and per day, for uptime bars and badges. */
    readonly uptime: Uptime,
    readonly since: number,
  ) {}

  get outcomes(): Iterable<[string, number]> { return pairs(this.#outcomes); }

  /** Counts one probe with this outcome ("healthy" or the error type). */
  count(outcome: string): void {
    const o = this.#outcomes;
    for (let i = 0; i < o.length; i += 2) {
      if (o[i] === outcome) {
        o[i + 1] = (o[i + 1] as number) + 1;
        return;
      }
    }
    // A new key: one more pair, no room reserved beyond it (most deployments see one or two keys).
    this.#outcomes = o.concat(outcome, 1);
  }
}
function* pairs(o: readonly (string | number)[]): Generator<[string, number]> {
  for (let i = 0; i < o.length; i += 2) yield [o[i] as string, o[i + 1] as number];
}
/** The outcomes of an entry before its first count (never written: the first key replaces it). */
const NO_OUTCOMES = Object.freeze([]) as unknown as (string | number)[];

/**
 * How long one result speaks for its deployment when nothing says otherwise: the default
 * interval (300 s) plus the default timeout (60 s) plus a second.
 */
export const DEFAULT_COVER_MS = 361_000;

/** Changes remembered by id (changedSince): a reader further behind reads every entry. */
const CHANGE_LOG = 4096;

/** The in-memory store: latest result, bounded history, uptime runs and counters per deployment. */
export class MemoryStore implements HealthStore {
  readonly #entries = new Map<string, Entry>();
  readonly #strings = new StringTable();
  #version = 0;
  /** The ids of the last changes, in order: change v (version after it) at slot v % CHANGE_LOG. */
  readonly #changes: Array<string | undefined> = new Array<string | undefined>(CHANGE_LOG);
  /** Versions from this one on are in #changes (earlier ones: a change that names no id, or overwritten). */
  #changesFrom = 0;
  #historySize: number;
  /** Called after each set with the uptime run it joined and its day of spend (the persistence writer queues them); never on restore. */
  onSet: ((r: ProbeResult, run: UptimeSegment | undefined, day: DaySpend | undefined) => void) | undefined;
  readonly #coverMs: (id: string) => number | undefined;

  /** `coverMs`: how long a deployment's result speaks for it in uptime (its interval, timeout and slack). */
  constructor(historySize = 100, coverMs: (id: string) => number | undefined = () => undefined) {
    this.#historySize = historySize;
    this.#coverMs = coverMs;
  }

  /** Results kept per deployment: memory is bounded by deployments × historySize. */
  get historySize() { return this.#historySize; }
  set historySize(n: number) {
    if (n === this.#historySize) return;
    this.#historySize = n;
    for (const e of this.#entries.values()) e.history = e.history.resized(n);
    this.#changed(undefined);
  }

  get version() { return this.#version; }

  /**
   * The ids whose entry changed after `version` (repeats possible), oldest first; undefined when
   * that is no longer known (too many changes since, or a change of every entry): read them all.
   */
  changedSince(version: number): string[] | undefined {
    if (version < this.#changesFrom || version > this.#version) return undefined;
    const ids: string[] = [];
    for (let v = version + 1; v <= this.#version; v++) ids.push(this.#changes[v % CHANGE_LOG]!);
    return ids;
  }

  /** A new version for a change of one entry (`id`) or of all (undefined). */
  #changed(id: string | undefined): void {
    this.#version++;
    if (id === undefined) this.#changesFrom = this.#version;
    else {
      this.#changes[this.#version % CHANGE_LOG] = id;
      this.#changesFrom = Math.max(this.#changesFrom, this.#version - CHANGE_LOG + 1);
    }
  }
  get(id: string) { return this.#entries.get(id)?.latest; }
  stats(id: string): ProbeStats | undefined { return this.#entries.get(id); }
  history(id: string): History { return this.#entries.get(id)?.history ?? EMPTY_HISTORY; }
  uptime(id: string): Uptime | undefined { return this.#entries.get(id)?.uptime; }
  uptimeRuns(id: string): readonly UptimeSegment[] { return this.#entries.get(id)?.runs.segments ?? []; }
  spend(id: string): SpendLedger | undefined { return this.#entries.get(id)?.spend; }

  set(result: ProbeResult) {
    this.#changed(result.deploymentId);
    let e = this.#entries.get(result.deploymentId);
    if (!e) {
      const history = new HistoryRing(result.deploymentId, this.#historySize, this.#strings);
      e = new Entry(result, history, new UptimeLedger(), new SpendLedger(), new Uptime(), result.startedAt);
      this.#entries.set(result.deploymentId, e);
    }
    e.latest = result;
    e.history.push(result);
    e.uptime.record(result);
    e.count(result.healthy ? 'healthy' : (result.errorType ?? 'plugin_error'));
    if (result.healthy) e.lastSuccessAt = result.checkedAt;
    const run = e.runs.add(result.checkedAt, result.healthy, this.#coverMs(result.deploymentId) ?? DEFAULT_COVER_MS);
    const day = result.spend ? e.spend.add(result.checkedAt, result.spend) : undefined;
    this.onSet?.(result, run, day);
  }

  /**
   * Puts results read back from the database in place (start-up, before any probe): each latest
   * result with its history rows, uptime runs and days of spend (oldest first). Counters start again at `now`; nothing is
   * handed to onSet, so nothing is written back.
   */
  restore(
    latest: readonly ProbeResult[],
    history: ReadonlyMap<string, readonly ProbeResult[]>,
    now: number,
    more: { runs?: ReadonlyMap<string, readonly UptimeSegment[]>; spend?: ReadonlyMap<string, readonly DaySpend[]> } = {},
  ) {
    for (const r of latest) {
      const ring = new HistoryRing(r.deploymentId, this.#historySize, this.#strings);
      const rows = history.get(r.deploymentId) ?? [];
      for (const row of rows.slice(-this.#historySize)) ring.push(row);
      const runs = new UptimeLedger();
      runs.restore(more.runs?.get(r.deploymentId) ?? []);
      const spend = new SpendLedger();
      spend.restore(more.spend?.get(r.deploymentId) ?? []);
      // The status page's hourly and daily bars start from the stored history rows (their
      // outcomes; history rows keep no threshold verdict), so a restart does not blank them.
      const uptime = new Uptime();
      for (const row of rows) uptime.record(row);
      if (rows[rows.length - 1]?.checkedAt !== r.checkedAt) uptime.record(r);
      const e = new Entry(r, ring, runs, spend, uptime, now);
      e.lastSuccessAt = rows.findLast((row) => row.healthy)?.checkedAt ?? (r.healthy ? r.checkedAt : undefined);
      this.#entries.set(r.deploymentId, e);
    }
    this.#changed(undefined);
  }

  delete(id: string) {
    if (this.#entries.delete(id)) this.#changed(id);
  }

  retain(ids: ReadonlySet<string>) {
    for (const id of this.#entries.keys()) if (!ids.has(id)) this.delete(id);
  }

  *values() {
    for (const e of this.#entries.values()) yield e.latest;
  }
}
