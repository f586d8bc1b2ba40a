import type { Snapshot } from '../config/snapshot.js';
import type { HealthStore } from '../store/types.js';
import { shownResult } from '../views/staleness.js';
import type { MetricSource } from './deployment-series.js';

/** What the metric producers read, each from the snapshot current at collection time. */
export function snapshotMetricSource(snapshot: () => Snapshot, store: HealthStore): MetricSource {
  return {
    deployments: () => snapshot().deployments,
    store,
    intervalS: () => (snapshot().backgroundOn ? snapshot().settings.intervalS : undefined),
    view: (id) => shownResult(snapshot(), store, id, Date.now()),
    listed: (id) => snapshot().listed.has(id),
    staleAfterS: (d) => { const ms = snapshot().policy(d).staleAfterMs; return ms === undefined ? undefined : ms / 1000; },
    latencyThresholdS: (d) => { const ms = snapshot().policy(d).latencyThresholdMs; return ms === undefined ? undefined : ms / 1000; },
    shownUntil: (d, now) => {
      const s = snapshot();
      // Graded from other deployments' results, or shaped by maintenance windows: ask each time.
      if (d.router || !s.settings.status.maintenance.empty) return -Infinity;
      const r = store.get(d.id);
      const staleMs = s.policy(d).staleAfterMs;
      // A fresh result turns stale once, past its threshold (withStaleness); a stale one stays so.
      return r && staleMs !== undefined && now - r.checkedAt <= staleMs ? r.checkedAt + staleMs : Infinity;
    },
  };
}
