import type { ErrorType } from './errors.js';

/** A small, non-secret fact a plugin reports (shown in /health `details`). */
export type Detail = string | number | boolean;

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
