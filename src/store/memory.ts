import { EMPTY_HISTORY, HistoryRing, StringTable } from './history-ring.js';
import type { HealthStore, History, ProbeStats } from './types.js';
import { UptimeLedger, type UptimeSegment } from './uptime-runs.js';
import { SpendLedger, type DaySpend } from './spend.js';
import type { ProbeResult } from '../core/result.js';
import { Uptime } from './uptime.js';

interface Entry {
  latest: ProbeResult;
  /** The last results, compact (see HistoryRing). */
  history: HistoryRing;
  /** Runs of equal outcomes over the last 30 days, for /health/uptime and the uptime ratio (persisted). */
  runs: UptimeLedger;
  spend: SpendLedger;
  stats: ProbeStats & { outcomes: Map<string, number> };
  /** Verdicts per hour and per day, for uptime bars and badges. */
  uptime: Uptime;
}

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
  stats(id: string) { return this.#entries.get(id)?.stats; }
  history(id: string): History { return this.#entries.get(id)?.history ?? EMPTY_HISTORY; }
  uptime(id: string): Uptime | undefined { return this.#entries.get(id)?.uptime; }
  uptimeRuns(id: string): readonly UptimeSegment[] { return this.#entries.get(id)?.runs.segments ?? []; }
  spend(id: string): SpendLedger | undefined { return this.#entries.get(id)?.spend; }

  set(result: ProbeResult) {
    this.#changed(result.deploymentId);
    let e = this.#entries.get(result.deploymentId);
    if (!e) {
      const history = new HistoryRing(result.deploymentId, this.#historySize, this.#strings);
      e = { latest: result, history, runs: new UptimeLedger(), spend: new SpendLedger(), stats: { since: result.startedAt, outcomes: new Map() }, uptime: new Uptime() };
      this.#entries.set(result.deploymentId, e);
    }
    e.latest = result;
    e.history.push(result);
    e.uptime.record(result);
    const key = result.healthy ? 'healthy' : (result.errorType ?? 'plugin_error');
    e.stats.outcomes.set(key, (e.stats.outcomes.get(key) ?? 0) + 1);
    if (result.healthy) e.stats.lastSuccessAt = result.checkedAt;
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
      const success = rows.findLast((row) => row.healthy)?.checkedAt ?? (r.healthy ? r.checkedAt : undefined);
      const stats: Entry['stats'] = { since: now, outcomes: new Map() };
      if (success !== undefined) stats.lastSuccessAt = success;
      const runs = new UptimeLedger();
      runs.restore(more.runs?.get(r.deploymentId) ?? []);
      const spend = new SpendLedger();
      spend.restore(more.spend?.get(r.deploymentId) ?? []);
      // The status page's hourly and daily bars start from the stored history rows (their
      // outcomes; history rows keep no threshold verdict), so a restart does not blank them.
      const uptime = new Uptime();
      for (const row of rows) uptime.record(row);
      if (rows[rows.length - 1]?.checkedAt !== r.checkedAt) uptime.record(r);
      this.#entries.set(r.deploymentId, { latest: r, history: ring, runs, spend, stats, uptime });
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
