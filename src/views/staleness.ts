import { verdictOf, type ProbeResult } from '../core/result.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import type { HealthStore } from '../store/types.js';
import { strategyRouterResult } from './strategy-router.js';

/**
 * A result older than the staleness threshold is shown as what it is: unknown health, reported
 * unhealthy with error type "stale", never as a fresh healthy one. (Background and fleet mode:
 * a stuck scheduler or a fleet that lost every replica must not look green.)
 */
export function withStaleness(r: ProbeResult | undefined, now: number, staleAfterMs: number | undefined, pausedUntil = 0): ProbeResult | undefined {
  // A maintenance window paused its probes: its age counts from the window's end.
  if (!r || staleAfterMs === undefined || now - Math.max(r.checkedAt, pausedUntil) <= staleAfterMs) return r;
  const ageS = Math.round((now - r.checkedAt) / 1000);
  return {
    ...r,
    healthy: false,
    verdict: 'unhealthy',
    errorType: 'stale',
    error: `stale: last checked ${ageS}s ago (threshold ${Math.round(staleAfterMs / 1000)}s)${r.healthy ? '' : `; last error: ${r.error ?? ''}`}`,
    status: 503,
    details: { ...r.details, stale: true },
  };
}

/**
 * A healthy result whose probe took longer than the latency threshold is marked degraded: still
 * healthy (LiteLLM clients keep routing to it), but too slow. A failed or stale one is not.
 */
export function withLatencyVerdict(r: ProbeResult | undefined, latencyThresholdMs: number | undefined): ProbeResult | undefined {
  if (!r || latencyThresholdMs === undefined || !r.healthy || verdictOf(r) !== 'healthy' || r.latencyMs <= latencyThresholdMs) return r;
  return { ...r, degraded: true };
}

/** A deployment's staleness threshold in this snapshot (undefined: never stale). */
export function staleAfterMs(s: Snapshot, id: string): number | undefined {
  const d = s.byId.get(id);
  return d ? s.policy(d).staleAfterMs : undefined;
}

/**
 * A deployment's stored result as every output shows it: overdue ones (by its own schedule) as
 * stale, slow ones (by its latency threshold) as degraded; a strategy router's from the results of
 * the deployments it routes to. During a maintenance window the last result is shown as it was
 * (never stale: nothing probes it), marked with the window in `details.maintenance`.
 */
export function shownResult(s: Snapshot, store: Pick<HealthStore, 'get'>, id: string, now: number): ProbeResult | undefined {
  const d = s.byId.get(id);
  if (d?.router) return strategyRouterResult(s, d, (x) => timely(s, store.get(x.id), x, now), now);
  return withLatencyVerdict(timely(s, store.get(id), d, now), d && s.policy(d).latencyThresholdMs);
}

/** A stored result with its staleness, which a maintenance window suspends (and restarts at its end). */
function timely(s: Snapshot, r: ProbeResult | undefined, d: Deployment | undefined, now: number): ProbeResult | undefined {
  const staleMs = d && s.policy(d).staleAfterMs;
  const maintenance = s.settings.status.maintenance;
  if (!d || maintenance.empty) return withStaleness(r, now, staleMs);
  const covering = maintenance.covering(d, now);
  if (covering) return r && { ...r, details: { ...r.details, maintenance: covering.name } };
  return withStaleness(r, now, staleMs, maintenance.lastEnded(d, now));
}
