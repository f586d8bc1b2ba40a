import type { Deployment } from '../core/deployment.js';
import type { Thresholds } from '../core/result.js';
import type { Settings } from './settings.js';

/** How one deployment is probed and judged, with model_info overrides applied. */
export interface ProbePolicy extends Thresholds {
  /** Between two background probes. */
  intervalMs: number;
  /** Before a confirmation probe while the verdict is in doubt (never above the interval). */
  retryMs: number;
  /**
   * After this age its latest result is overdue and shown as `stale`. Undefined when nothing
   * schedules it (on-demand mode, or left out of background checks): then it is never stale.
   */
  staleAfterMs: number | undefined;
  /**
   * How long one result speaks for the deployment in uptime: until its next probe is due and
   * done (one interval, its timeout, a second of timer slack, and the lease in a fleet). Longer
   * without a result is unknown time (the exporter was down, or the probe never came).
   */
  coverMs: number;
  /** A successful probe slower than this is degraded; undefined: no threshold. */
  latencyThresholdMs: number | undefined;
}

/** Extra age a fleet result may reach: a dead replica's lease (timeout + 2 s) and the 5 s pull. */
const fleetSlackMs = (d: Deployment) => d.timeoutMs + 2000 + 5000;

/**
 * A deployment's policy. Its staleness threshold follows its own schedule: two of its intervals
 * plus its timeout (a probe due now may still be running), plus the lease in a fleet, unless
 * health_check_staleness_threshold says otherwise.
 */
export function policyOf(d: Deployment, s: Settings, scheduled: boolean): ProbePolicy {
  const intervalMs = (d.intervalS ?? s.intervalS) * 1000;
  const latencyS = d.latencyThresholdS ?? s.latencyThresholdS;
  const explicit = d.stalenessS ?? s.stalenessS;
  const staleAfterMs = !scheduled
    ? undefined
    : explicit !== undefined
      ? explicit * 1000
      : 2 * intervalMs + d.timeoutMs + (s.sharedRedisUrl ? fleetSlackMs(d) : 0);
  return {
    intervalMs,
    coverMs: intervalMs + d.timeoutMs + 1000 + (s.sharedRedisUrl ? fleetSlackMs(d) : 0),
    retryMs: Math.min((d.retryIntervalS ?? s.retryIntervalS) * 1000, intervalMs),
    failureThreshold: d.failureThreshold ?? s.failureThreshold,
    successThreshold: d.successThreshold ?? s.successThreshold,
    staleAfterMs,
    latencyThresholdMs: latencyS === undefined ? undefined : latencyS * 1000,
  };
}
