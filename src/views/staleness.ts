import type { ProbeResult } from '../core/result.js';
import type { Snapshot } from '../config/snapshot.js';
import type { HealthStore } from '../store/types.js';

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

/** A deployment's staleness threshold in this snapshot (undefined: never stale). */
export function staleAfterMs(s: Snapshot, id: string): number | undefined {
  const d = s.byId.get(id);
  return d ? s.policy(d).staleAfterMs : undefined;
}

/**
 * A deployment's stored result as every output shows it: overdue ones (by its own schedule) as
 * stale; during a maintenance window the last result as it was (never stale: nothing probes it),
 * marked with the window in `details.maintenance`.
 */
export function shownResult(s: Snapshot, store: Pick<HealthStore, 'get'>, id: string, now: number): ProbeResult | undefined {
  const r = store.get(id);
  const maintenance = s.settings.status.maintenance;
  const d = maintenance.empty ? undefined : s.byId.get(id);
  if (!d) return withStaleness(r, now, staleAfterMs(s, id));
  const covering = maintenance.covering(d, now);
  if (covering) return r && { ...r, details: { ...r.details, maintenance: covering.name } };
  return withStaleness(r, now, staleAfterMs(s, id), maintenance.lastEnded(d, now));
}
