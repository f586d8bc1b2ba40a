import type { ErrorType } from './errors.js';
import type { ProbeSpend } from './usage.js';

/** A small, non-secret fact a plugin reports (shown in /health `details`). */
export type Detail = string | number | boolean;

/**
 * What is reported about a deployment, after the failure/success thresholds: `pending` until a
 * first verdict (never checked, or failures still under the threshold).
 */
export type Verdict = 'healthy' | 'unhealthy' | 'pending';

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
  /**
   * The verdict after this probe (`healthy` above is this probe's own outcome). Absent on a
   * result judged by no threshold (a fleet replica of an older version): read with verdictOf.
   */
  verdict?: Verdict;
  /** Failed / successful probes in a row, this one included. */
  consecutiveFailures?: number;
  consecutiveSuccesses?: number;
  /** What the probe's answered calls used and cost (absent: no call was answered). */
  spend?: ProbeSpend;
  /**
   * Loaded from the history database at start-up, not probed by this process: /health marks it
   * with its age until the deployment is probed again.
   */
  restored?: boolean;
  /** Epoch ms of the earliest certificate expiry the upstream presented (HTTPS probes that connected). */
  tlsCertExpiresAt?: number;
  /**
   * Derived when shown, never stored: a successful probe slower than the deployment's
   * health_check_latency_threshold (views/staleness.ts).
   */
  degraded?: boolean;
}

export function verdictOf(r: ProbeResult): Verdict {
  return r.verdict ?? (r.healthy ? 'healthy' : 'unhealthy');
}

export interface Thresholds {
  /** Failed probes in a row before `unhealthy`. */
  failureThreshold: number;
  /** Successful probes in a row before `unhealthy` turns `healthy` again. */
  successThreshold: number;
}

/**
 * The verdict after a probe, from the one before it (Gatus-style thresholds). A first success
 * is a verdict at once; a failure changes a verdict only once `failureThreshold` failures are in
 * a row; a recovery needs `successThreshold` successes in a row.
 */
export function judge(prev: ProbeResult | undefined, healthy: boolean, t: Thresholds): Pick<ProbeResult, 'verdict' | 'consecutiveFailures' | 'consecutiveSuccesses'> {
  const consecutiveFailures = healthy ? 0 : (prev?.consecutiveFailures ?? (prev && !prev.healthy ? 1 : 0)) + 1;
  const consecutiveSuccesses = healthy ? (prev?.consecutiveSuccesses ?? (prev?.healthy ? 1 : 0)) + 1 : 0;
  let verdict: Verdict = prev ? verdictOf(prev) : 'pending';
  if (!healthy && consecutiveFailures >= t.failureThreshold) verdict = 'unhealthy';
  else if (healthy && (verdict !== 'unhealthy' || consecutiveSuccesses >= t.successThreshold)) verdict = 'healthy';
  return { verdict, consecutiveFailures, consecutiveSuccesses };
}

/**
 * Whether the verdict is in doubt after this result: failures under the threshold, or a
 * recovery not yet confirmed. The scheduler then probes again after the retry interval instead
 * of a whole interval.
 */
export function inDoubt(r: ProbeResult, t: Thresholds): boolean {
  const v = verdictOf(r);
  if (!r.healthy) return v !== 'unhealthy' && (r.consecutiveFailures ?? 1) < t.failureThreshold;
  return v === 'unhealthy' && (r.consecutiveSuccesses ?? 1) < t.successThreshold;
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
