import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import type { ProbeResult } from '../core/result.js';
import type { HealthStore } from '../store/types.js';
import type { BodyParts, HealthBody } from './health-body.js';
import { healthReport, type HealthReport } from './health-report.js';
import { shownResult } from './staleness.js';

/** `timeout`: seconds to wait for the probes this call starts (targeted calls, on-demand mode). */
export interface HealthQuery { model?: string; model_id?: string; timeout?: number }

export interface ApiError { error: { message: string; type: string; param?: string; code: number } }

export interface HealthAnswer {
  statusCode: 200 | 404 | 503;
  body: HealthReport | ApiError;
}

/** The deployments a /health query is about, and whether they are probed now. */
export type HealthSelection =
  | { targets: readonly Deployment[]; targeted: boolean; probeNow: boolean }
  | { notFound: HealthAnswer };

/** True when a deployment matches `?model=`: its model group, its model or the model probed. */
export function matchesModel(d: Deployment, model: string): boolean {
  return d.modelName === model || d.model === model || d.probeModel === model;
}

/**
 * Which deployments /health answers for. Background mode answers from the store; `?model=` and
 * `?model_id=` (and every call in on-demand mode) probe now.
 */
export function selectHealthTargets(s: Snapshot, q: HealthQuery): HealthSelection {
  let targets = s.deployments;
  if (s.settings.skipDisabledOnDemand) targets = targets.filter((d) => !d.backgroundDisabled);
  if (q.model_id !== undefined) {
    targets = targets.filter((d) => d.id === q.model_id);
    if (!targets.length) return { notFound: notFound(`no deployment with model_id "${q.model_id}"`, 'model_id') };
  }
  if (q.model !== undefined) {
    const m = q.model;
    targets = targets.filter((d) => matchesModel(d, m));
    if (!targets.length) return { notFound: notFound(`no deployment matches model "${m}"`, 'model') };
  }
  const targeted = q.model !== undefined || q.model_id !== undefined;
  return { targets, targeted, probeNow: targeted || !s.backgroundOn };
}

/** Probes still running when a /health call stopped waiting for them (its timeout), and how long it waited. */
export interface StillRunning { ids: ReadonlySet<string>; waitedMs: number }

/**
 * The /health answer over the selected deployments; `cached` names those served from the last
 * probe, `running` those whose probe outlived the call's timeout: shown unhealthy (503 when
 * targeted and nothing else is healthy), saying the probe still runs. Its result is stored when
 * it ends, for the next call.
 */
export function healthAnswer(s: Snapshot, store: HealthStore, now: number, sel: { targets: readonly Deployment[]; targeted: boolean }, cached: ReadonlySet<string> = new Set(), running?: StillRunning): HealthAnswer {
  const shown = (id: string) => (running?.ids.has(id) ? stillRunning(id, store.get(id), now, running.waitedMs) : shownResult(s, store, id, now));
  const body = healthReport(sel.targets, shown, s.settings.details, (id) => sel.targeted || s.listed.has(id), cached, now);
  return { statusCode: sel.targeted && body.healthy_count === 0 ? 503 : 200, body };
}

/** What is shown for a deployment whose probe is still running when the caller's wait is over. */
export function stillRunning(id: string, last: ProbeResult | undefined, now: number, waitedMs: number): ProbeResult {
  const waitedS = Math.round(waitedMs / 100) / 10;
  return {
    deploymentId: id,
    healthy: false,
    verdict: 'unhealthy',
    startedAt: now - waitedMs,
    checkedAt: now,
    latencyMs: waitedMs,
    headers: {},
    errorType: 'timeout',
    error: `probe still running after ${waitedS}s (the wait this call allowed); its result is stored when it ends`,
    status: 503,
    details: { probe_running: true },
    consecutiveFailures: last?.consecutiveFailures ?? 0,
  };
}

/**
 * The background-mode /health body from the store (no query, nothing probed now), kept up to date
 * entry by entry (health-body.ts); undefined when this query probes or selects.
 */
export function storedHealthBody(cache: HealthBody, s: Snapshot, store: HealthStore, now: number, q: HealthQuery): BodyParts | undefined {
  if (q.model !== undefined || q.model_id !== undefined || !s.backgroundOn) return undefined;
  return cache.body(s, store, now);
}

export function notFound(message: string, param: string): HealthAnswer {
  return { statusCode: 404, body: { error: { message, type: 'not_found', param, code: 404 } } };
}
