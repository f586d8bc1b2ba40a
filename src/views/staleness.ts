import { verdictOf, type ProbeResult } from '../core/result.js';
import type { Snapshot } from '../config/snapshot.js';
import type { HealthStore } from '../store/types.js';
import { strategyRouterResult } from './strategy-router.js';

/**
 * A result older than the staleness threshold is shown as what it is: unknown health, reported
 * unhealthy with error type "stale", never as a fresh healthy one. (Background and fleet mode:
 * a stuck scheduler or a fleet that lost every replica must not look green.)
 */
export function withStaleness(r: ProbeResult | undefined, now: number, staleAfterMs: number | undefined): ProbeResult | undefined {
  if (!r || staleAfterMs === undefined || now - r.checkedAt <= staleAfterMs) return r;
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
 * the deployments it routes to.
 */
export function shownResult(s: Snapshot, store: Pick<HealthStore, 'get'>, id: string, now: number): ProbeResult | undefined {
  const d = s.byId.get(id);
  if (d?.router) return strategyRouterResult(s, d, (x) => withStaleness(store.get(x.id), now, s.policy(x).staleAfterMs), now);
  const policy = d && s.policy(d);
  return withLatencyVerdict(withStaleness(store.get(id), now, policy?.staleAfterMs), policy?.latencyThresholdMs);
}
