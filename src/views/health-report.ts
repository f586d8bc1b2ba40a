import type { Deployment } from '../core/deployment.js';
import { REPORTED_HEADERS } from '../core/operation.js';
import type { ProbeResult } from '../core/result.js';

/**
 * One /health entry, built from an allow-list of fields, never by deleting secrets from a copy
 * of the params (LiteLLM leaked extra_headers and session tokens that way). The response JSON
 * schema in routes/health.ts repeats the same list, so an unlisted field cannot be serialised.
 */
export type HealthEntry = Record<string, string | number | boolean | Record<string, string | number | boolean>>;

export interface HealthReport {
  healthy_endpoints: HealthEntry[];
  unhealthy_endpoints: HealthEntry[];
  healthy_count: number;
  unhealthy_count: number;
}

export function healthEntry(d: Deployment, r: ProbeResult, details: boolean, cached = false): HealthEntry {
  const e: HealthEntry = { model: d.probeModel, model_id: d.id, model_name: d.modelName };
  // Served from the last probe because health_check_min_interval had not passed.
  if (cached) e.cached = true;
  if (!details) {
    if (!r.healthy) e.exception_status = r.status ?? 500;
    return e;
  }
  e.mode = d.mode;
  e.custom_llm_provider = d.provider;
  if (d.publicApiBase) e.api_base = d.publicApiBase;
  if (d.apiVersion) e.api_version = d.apiVersion;
  if (d.probeStrategy === 'models_list') e.probe = 'models_list';
  for (const k of REPORTED_HEADERS) {
    const v = r.headers[k];
    if (typeof v === 'string') e[k] = v;
  }
  e.last_checked = new Date(r.checkedAt).toISOString();
  if (r.checkedBy) e.checked_by = r.checkedBy;
  e.latency_ms = r.latencyMs;
  if (r.details && Object.keys(r.details).length) e.details = r.details;
  if (!r.healthy) {
    e.error = r.error ?? 'unhealthy';
    e.error_type = r.errorType ?? 'plugin_error';
    e.exception_status = r.status ?? 500;
    if (r.retryAfterS !== undefined) e.retry_after_s = r.retryAfterS;
  }
  return e;
}

/** The seed's /health body over `deployments`; those not probed yet are left out. */
export function healthReport(
  deployments: readonly Deployment[],
  lookup: (id: string) => ProbeResult | undefined,
  details: boolean,
  cached: ReadonlySet<string> = new Set(),
): HealthReport {
  const healthy: HealthEntry[] = [];
  const unhealthy: HealthEntry[] = [];
  for (const d of deployments) {
    const r = lookup(d.id);
    if (!r) continue;
    (r.healthy ? healthy : unhealthy).push(healthEntry(d, r, details, cached.has(d.id)));
  }
  return { healthy_endpoints: healthy, unhealthy_endpoints: unhealthy, healthy_count: healthy.length, unhealthy_count: unhealthy.length };
}
