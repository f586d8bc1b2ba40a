import type { HistoryRow, ProbeResult } from '../core/result.js';
import type { UptimeSegment } from './uptime-runs.js';
import type { SpendLedger } from './spend.js';
import type { Uptime } from './uptime.js';

/** Running totals per deployment, for cumulative metrics. */
export interface ProbeStats {
  /** Epoch ms of the first result kept for this deployment (start of its counters). */
  since: number;
  lastSuccessAt?: number;
  /** Probes so far by outcome, first seen first: key "healthy" or the error type, and the count. */
  readonly outcomes: Iterable<readonly [string, number]>;
}

/** A deployment's last results, oldest first (index 0), read one row at a time. */
export interface History {
  readonly length: number;
  checkedAt(i: number): number;
  healthy(i: number): boolean;
  row(i: number): HistoryRow;
}

/** The single source of truth read by /health, metrics and the CLI. */
export interface HealthStore {
  /** Changes whenever what get/stats/history return changes (answers may be cached by it). */
  readonly version: number;
  /**
   * The ids whose entry changed after `version` (repeats possible); undefined when not known
   * (optional: readers then compare every entry).
   */
  changedSince?(version: number): readonly string[] | undefined;
  get(id: string): ProbeResult | undefined;
  stats(id: string): ProbeStats | undefined;
  /** The last results of a deployment, oldest first (bounded). */
  history(id: string): History;
  /** Verdicts per hour and day, for the status page's bars and badges (undefined: no result yet). */
  uptime(id: string): Uptime | undefined;
  /** A deployment's runs of equal outcomes over the last 30 days, oldest first (uptime-runs.ts). */
  uptimeRuns(id: string): readonly UptimeSegment[];
  /** What a deployment's probes spent, per day and since start (spend.ts); undefined: nothing stored. */
  spend(id: string): Pick<SpendLedger, 'days' | 'sinceStart'> | undefined;
  set(result: ProbeResult): void;
  delete(id: string): void;
  /** Drops every entry whose id is not in `ids` (config reload). */
  retain(ids: ReadonlySet<string>): void;
  values(): IterableIterator<ProbeResult>;
}
