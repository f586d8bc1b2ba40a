import type { Detail, ErrorType } from '../plugins/contract.js';

/** The latest outcome of probing one deployment. */
export interface ProbeResult {
  deploymentId: string;
  healthy: boolean;
  /** Epoch ms when the probe started and ended. */
  startedAt: number;
  checkedAt: number;
  latencyMs: number;
  errorType?: ErrorType;
  /** Redacted error text. */
  error?: string;
  /** HTTP status of the failure, reported as exception_status. */
  status?: number;
  retryAfterS?: number;
  /** Allow-listed response headers (x-ms-region, x-ratelimit-remaining-*). */
  headers: Record<string, string>;
  details?: Record<string, Detail>;
  /** The replica that ran the probe (fleet mode: results come from any replica). */
  checkedBy?: string;
}

/** Running totals per deployment, for cumulative metrics. */
export interface ProbeStats {
  /** Epoch ms of the first result kept for this deployment (start of its counters). */
  since: number;
  lastSuccessAt?: number;
  /** Probes so far by outcome: key "healthy" or the error type. */
  outcomes: ReadonlyMap<string, number>;
}

/** One kept history row: what /health/history shows of a past result. */
export interface HistoryRow {
  deploymentId: string;
  healthy: boolean;
  checkedAt: number;
  latencyMs: number;
  errorType?: ErrorType;
  error?: string;
  checkedBy?: string;
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
  set(result: ProbeResult): void;
  delete(id: string): void;
  /** Drops every entry whose id is not in `ids` (config reload). */
  retain(ids: ReadonlySet<string>): void;
  values(): IterableIterator<ProbeResult>;
}
