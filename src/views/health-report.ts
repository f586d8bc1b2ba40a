import type { Deployment } from '../core/deployment.js';
import { REPORTED_HEADERS } from '../core/operation.js';
import { verdictOf, type ProbeResult } from '../core/result.js';

/**
 * One /health entry, built from an allow-list of fields, never by deleting secrets from a copy
 * of the params (LiteLLM leaked extra_headers and session tokens that way). The response JSON
 * schema in routes/health.ts repeats the same list, so an unlisted field cannot be serialised.
 */
export type HealthEntry = Record<string, string | number | boolean | Record<string, string | number | boolean>>;

/**
 * LiteLLM's /health body, plus the deployments without a verdict yet (never checked, or failures
 * still under the failure threshold): listed as pending, never hidden and never counted healthy.
 */
export interface HealthReport {
  healthy_endpoints: HealthEntry[];
  unhealthy_endpoints: HealthEntry[];
  pending_endpoints: HealthEntry[];
  healthy_count: number;
  unhealthy_count: number;
  pending_count: number;
}

/** An entry for a deployment; `r` undefined: not checked yet. */
export function healthEntry(d: Deployment, r: ProbeResult | undefined, details: boolean, cached = false, now?: number): HealthEntry {
  const e: HealthEntry = { model: d.probeModel, model_id: d.id, model_name: d.modelName };
  // Served from the last probe because health_check_min_interval had not passed.
  if (cached) e.cached = true;
  // Read back from the history database after a restart, not probed by this process yet.
  if (r?.restored) {
    e.restored = true;
    if (now !== undefined) e.age_s = Math.max(0, Math.round((now - r.checkedAt) / 1000));
  }
  // A verdict, not a detail: kept with health_check_details: false too.
  if (r?.degraded) e.degraded = true;
  if (!details) {
    if (r && !r.healthy) e.exception_status = r.status ?? 500;
    return e;
  }
  e.mode = d.mode;
  e.custom_llm_provider = d.provider;
  if (d.publicApiBase) e.api_base = d.publicApiBase;
  if (d.apiVersion) e.api_version = d.apiVersion;
  if (d.probeStrategy !== 'generate') e.probe = d.probeStrategy;
  if (!r) return e;
  e.consecutive_failures = r.consecutiveFailures ?? (r.healthy ? 0 : 1);
  for (const k of REPORTED_HEADERS) {
    const v = r.headers[k];
    if (typeof v === 'string') e[k] = v;
  }
  e.last_checked = new Date(r.checkedAt).toISOString();
  if (r.checkedBy) e.checked_by = r.checkedBy;
  e.latency_ms = r.latencyMs;
  if (r.tlsCertExpiresAt !== undefined) e.tls_cert_expires_at = new Date(r.tlsCertExpiresAt).toISOString();
  if (r.details && Object.keys(r.details).length) e.details = r.details;
  if (!r.healthy) {
    e.error = r.error ?? 'unhealthy';
    e.error_type = r.errorType ?? 'plugin_error';
    e.exception_status = r.status ?? 500;
    if (r.retryAfterS !== undefined) e.retry_after_s = r.retryAfterS;
  }
  return e;
}

/**
 * The /health body over `deployments`, by verdict. One without a result is listed as pending
 * when `listed` says it should have one (it is scheduled, or about to be probed); others without
 * a result are left out (a deployment nothing probes has no health to report).
 */
export function healthReport(
  deployments: readonly Deployment[],
  lookup: (id: string) => ProbeResult | undefined,
  details: boolean,
  listed: (id: string) => boolean,
  cached: ReadonlySet<string> = new Set(),
  now?: number,
): HealthReport {
  const lists: Record<ReturnType<typeof verdictOf>, HealthEntry[]> = { healthy: [], unhealthy: [], pending: [] };
  for (const d of deployments) {
    const r = lookup(d.id);
    if (!r && !listed(d.id)) continue;
    lists[r ? verdictOf(r) : 'pending'].push(healthEntry(d, r, details, cached.has(d.id), now));
  }
  return {
    healthy_endpoints: lists.healthy,
    unhealthy_endpoints: lists.unhealthy,
    pending_endpoints: lists.pending,
    healthy_count: lists.healthy.length,
    unhealthy_count: lists.unhealthy.length,
    pending_count: lists.pending.length,
  };
}
