import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import type { HistoryRow } from '../core/result.js';
import { rowsWhere } from '../store/history-ring.js';
import type { HealthStore } from '../store/types.js';
import { matchesModel } from './health.js';
import { newestFirst } from './history-merge.js';
import { shownResult } from './staleness.js';

export interface HistoryQuery { model?: string; model_id?: string; status_filter?: 'healthy' | 'unhealthy'; limit: number; offset: number }

/** A history row (LiteLLM's column names); the error text only with health_check_details. */
export interface HistoryEntry {
  model_name: string;
  model_id: string;
  status: 'healthy' | 'unhealthy';
  response_time_ms: number;
  error_message: string | null;
  error_type: string | null;
  checked_at: string;
  checked_by: string | null;
}

export function historyEntry(d: Deployment, r: HistoryRow, details: boolean): HistoryEntry {
  return {
    model_name: d.modelName,
    model_id: d.id,
    status: r.healthy ? 'healthy' : 'unhealthy',
    response_time_ms: r.latencyMs,
    error_message: r.healthy || !details ? null : (r.error ?? null),
    error_type: r.healthy ? null : (r.errorType ?? null),
    checked_at: new Date(r.checkedAt).toISOString(),
    checked_by: r.checkedBy ?? null,
  };
}

/** /health/history: rows newest first over the deployments asked for, one page at a time. */
export function historyPage(s: Snapshot, store: HealthStore, q: HistoryQuery) {
  const ds = s.deployments.filter((d) =>
    (q.model_id === undefined || d.id === q.model_id) && (q.model === undefined || matchesModel(d, q.model)));
  const wanted = q.status_filter === undefined ? undefined : q.status_filter === 'healthy';
  const lists = ds.map((d) => {
    const h = store.history(d.id);
    return wanted === undefined ? h : rowsWhere(h, wanted);
  });
  const page = newestFirst(lists, q.offset, q.limit);
  return {
    health_checks: page.map(({ list, index }) => historyEntry(ds[list]!, lists[list]!.row(index), s.settings.details)),
    total_records: lists.reduce((n, l) => n + l.length, 0),
    limit: q.limit,
    offset: q.offset,
  };
}

/** /health/latest: the latest row of every deployment probed so far, by model_id (stale shown as such). */
export function latest(s: Snapshot, store: HealthStore, now: number) {
  const out: Record<string, HistoryEntry> = {};
  for (const d of s.deployments) {
    const r = shownResult(s, store, d.id, now);
    if (r) out[d.id] = historyEntry(d, r, s.settings.details);
  }
  return { latest_health_checks: out, total_models: Object.keys(out).length };
}
