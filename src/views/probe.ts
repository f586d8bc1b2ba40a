import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import { verdictOf, type ProbeResult } from '../core/result.js';
import type { ConnectionFacts, ProbeTrace, TraceCall } from '../core/trace.js';
import type { HealthStore } from '../store/types.js';
import type { ApiError } from './health.js';
import { healthEntry, type HealthEntry } from './health-report.js';
import { shownResult } from './staleness.js';

/** GET /health/probe?model_id=ID&debug=true, and the CLI's --probe ID [--debug]. */
export interface ProbeQuery { model_id: string; debug?: boolean }

/** How the probe asked for went: run now (with its trace when debugging), or not. */
export interface ProbeRun {
  result: ProbeResult;
  /** Not probed: the last probe is younger than health_check_min_interval. */
  cached: boolean;
  /** A probe was already running: its result, untraced. */
  joined?: boolean;
  trace?: ProbeTrace;
}

export interface ProbeReport {
  model_id: string;
  model_name: string;
  model: string;
  probed: boolean;
  /** healthy, unhealthy or pending: the verdict after this probe. */
  status: string;
  /** Why there is no (traced) probe, and when to ask again. */
  note?: string;
  retry_after_s?: number;
  result: HealthEntry;
  trace?: { requests: Array<Record<string, unknown>> };
}

export interface ProbeAnswer { statusCode: 200 | 400 | 403 | 404 | 409 | 429; body: ProbeReport | ApiError; retryAfterS?: number }

/** The deployment a probe query names, or the answer refusing it. */
export function selectProbeTarget(s: Snapshot, q: ProbeQuery, now = Date.now()): { target: Deployment } | { refused: ProbeAnswer } {
  const d = s.byId.get(q.model_id);
  const missing = (message: string): ProbeAnswer => ({ statusCode: 404, body: { error: { message, type: 'not_found', param: 'model_id', code: 404 } } });
  if (!d) return { refused: missing(`no deployment with model_id "${q.model_id}"`) };
  if (s.settings.skipDisabledOnDemand && d.backgroundDisabled) {
    return { refused: missing(`deployment "${q.model_id}" is left out of on-demand checks (health_check_skip_disabled_background_models)`) };
  }
  // A router has no endpoint of its own: probing it would call nothing real and count a failure.
  if (d.router) {
    return { refused: { statusCode: 400, body: { error: { message: `"${q.model_id}" is a strategy router: it is never probed itself; /health?model_id=${q.model_id} grades it from the deployments it routes to`, type: 'bad_request', param: 'model_id', code: 400 } } } };
  }
  // A maintenance window pauses its probes: no spend, not even asked for.
  const window = s.settings.status.maintenance.covering(d, now);
  if (window) {
    return { refused: { statusCode: 409, body: { error: { message: `"${q.model_id}" is in maintenance window "${window.name}" until ${new Date(window.until).toISOString()}: it is not probed`, type: 'conflict', param: 'model_id', code: 409 } } } };
  }
  // A trace shows answer headers and bodies: not where the config trims /health's details.
  if (q.debug && !s.settings.details) {
    return { refused: { statusCode: 403, body: { error: { message: 'debug traces are off: general_settings.health_check_details is false', type: 'forbidden', param: 'debug', code: 403 } } } };
  }
  return { target: d };
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 100) / 10);

/** The answer to a probe query after `run`; 429 with Retry-After when the min interval held it back. */
export function probeAnswer(s: Snapshot, store: HealthStore, now: number, d: Deployment, run: ProbeRun, debug: boolean): ProbeAnswer {
  const shown = shownResult(s, store, d.id, now) ?? run.result;
  const minMs = s.settings.minIntervalS * 1000;
  const body: ProbeReport = {
    model_id: d.id,
    model_name: d.modelName,
    model: d.probeModel,
    probed: !run.cached,
    status: verdictOf(shown),
    result: healthEntry(d, shown, s.settings.details, run.cached),
  };
  if (run.cached) {
    const wait = seconds(run.result.startedAt + minMs - now);
    body.note = `not probed: the last probe started ${seconds(now - run.result.startedAt)}s ago and health_check_min_interval is ${s.settings.minIntervalS}s; its result is shown. Ask again in ${wait}s.`;
    body.retry_after_s = wait;
    return { statusCode: 429, body, retryAfterS: Math.max(1, Math.ceil(wait)) };
  }
  if (run.joined && debug) {
    body.note = `a probe of this deployment was already running: its result is shown, without a trace. Ask again in ${seconds(run.result.startedAt + minMs - now)}s for a traced probe.`;
  }
  if (debug && run.trace) body.trace = { requests: run.trace.calls.map((c) => traceCallJson(c, now)) };
  return { statusCode: 200, body };
}

function connectionJson(c: ConnectionFacts, now: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.remoteAddress !== undefined) out.remote_address = c.remoteAddress;
  if (c.remotePort !== undefined) out.remote_port = c.remotePort;
  if (c.tls) {
    const t = c.tls;
    out.tls = {
      ...(t.version ? { version: t.version } : {}),
      ...(t.subject ? { subject: t.subject } : {}),
      ...(t.issuer ? { issuer: t.issuer } : {}),
      ...(t.certNotAfter !== undefined ? { cert_expires_at: new Date(t.certNotAfter).toISOString(), cert_expires_in_days: Math.round((t.certNotAfter - now) / 864_000) / 100 } : {}),
    };
  }
  return out;
}

/** One traced request as the answer shows it (snake_case, timings together). */
export function traceCallJson(c: TraceCall, now: number): Record<string, unknown> {
  const timings: Record<string, number> = {};
  if (c.connection?.dnsMs !== undefined) timings.dns = c.connection.dnsMs;
  if (c.connection?.connectMs !== undefined) timings.connect = c.connection.connectMs;
  if (c.connection?.tlsMs !== undefined) timings.tls = c.connection.tlsMs;
  if (c.firstByteMs !== undefined) timings.first_byte = c.firstByteMs;
  timings.total = c.totalMs;
  return {
    operation: c.operation,
    method: c.method,
    url: c.url,
    ...(c.query ? { query: c.query } : {}),
    request_headers: c.requestHeaders,
    ...(c.connection ? { connection: connectionJson(c.connection, now) } : {}),
    ...(c.status !== undefined ? { status: c.status } : {}),
    ...(c.responseHeaders ? { response_headers: c.responseHeaders } : {}),
    ...(c.body !== undefined ? { body: c.body, body_bytes: c.bodyBytes ?? 0 } : {}),
    ...(c.bodyTruncated ? { body_truncated: true } : {}),
    timings_ms: timings,
    ...(c.error !== undefined ? { error: c.error } : {}),
  };
}
