import type { HistoryRow, ProbeResult } from '../core/result.js';
import type { Uptime } from './uptime.js';

/** Running totals per deployment, for cumulative metrics. */
export interface ProbeStats {
  /** Epoch ms of the first result kept for this deployment (start of its counters). */
  since: number;
  lastSuccessAt?: number;
  /** Probes so far by outcome: key "healthy" or the error type. */
  outcomes: ReadonlyMap<string, number>;
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
  get(id: string): ProbeResult | undefined;
  stats(id: string): ProbeStats | undefined;
  /** The last results of a deployment, oldest first (bounded). */
  history(id: string): History;
  /** Verdicts per hour and day (undefined: no result yet). */
  uptime(id: string): Uptime | undefined;
  set(result: ProbeResult): void;
  delete(id: string): void;
  /** Drops every entry whose id is not in `ids` (config reload). */
  retain(ids: ReadonlySet<string>): void;
  values(): IterableIterator<ProbeResult>;
}
