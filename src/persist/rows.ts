import { ERROR_TYPES, type ErrorType } from '../core/errors.js';
import { REPORTED_HEADERS } from '../core/operation.js';
import type { ProbeResult } from '../core/result.js';
import { parseFleetRecord } from '../fleet/record.js';
import type { UptimeSegment } from '../store/uptime-runs.js';
import type { DaySpend } from '../store/spend.js';

/** Error texts are already redacted; they are cut to this length in the database. */
const MAX_ERROR = 4096;

/** One history row as columns, in the order of HISTORY_COLUMNS. Allow-listed: nothing else of a result is written. */
export const HISTORY_COLUMNS = ['deployment_id', 'checked_at', 'started_at', 'latency_ms', 'healthy', 'error_type', 'error', 'status', 'checked_by'] as const;

export function historyValues(r: ProbeResult): [string, number, number, number, number, string | null, string | null, number | null, string] {
  return [
    r.deploymentId,
    Math.round(r.checkedAt),
    Math.round(r.startedAt),
    r.latencyMs,
    r.healthy ? 1 : 0,
    r.healthy ? null : (r.errorType ?? null),
    r.healthy || r.error === undefined ? null : r.error.slice(0, MAX_ERROR),
    r.healthy ? null : (r.status ?? null),
    // '' rather than NULL: the unique key (deployment, time, replica) must see equal rows as equal.
    r.checkedBy ?? '',
  ];
}

export interface HistoryRecord {
  deployment_id: string;
  checked_at: number | string;
  started_at: number | string;
  latency_ms: number;
  healthy: number | boolean;
  error_type: string | null;
  error: string | null;
  status: number | null;
  checked_by: string;
}

const isErrorType = (t: string | null): t is ErrorType => t !== null && (ERROR_TYPES as readonly string[]).includes(t);

/** A history row read back (Postgres returns BIGINT as text). Unknown error types are dropped. */
export function resultFromHistory(row: HistoryRecord): ProbeResult {
  const r: ProbeResult = {
    deploymentId: row.deployment_id,
    healthy: row.healthy === 1 || row.healthy === true,
    checkedAt: Number(row.checked_at),
    startedAt: Number(row.started_at),
    latencyMs: Number(row.latency_ms),
    headers: {},
  };
  if (!r.healthy) {
    if (isErrorType(row.error_type)) r.errorType = row.error_type;
    if (row.error !== null) r.error = row.error;
    if (row.status !== null) r.status = Number(row.status);
  }
  if (row.checked_by) r.checkedBy = row.checked_by;
  return r;
}

/** The latest result as stored: the fields /health shows, from an allow-list (never `restored`). */
export function latestJson(r: ProbeResult): string {
  const headers: Record<string, string> = {};
  for (const k of REPORTED_HEADERS) if (typeof r.headers[k] === 'string') headers[k] = r.headers[k];
  return JSON.stringify({
    deploymentId: r.deploymentId,
    healthy: r.healthy,
    startedAt: r.startedAt,
    checkedAt: r.checkedAt,
    latencyMs: r.latencyMs,
    errorType: r.errorType,
    error: r.error?.slice(0, MAX_ERROR),
    status: r.status,
    retryAfterS: r.retryAfterS,
    headers,
    details: r.details,
    checkedBy: r.checkedBy,
    verdict: r.verdict,
    consecutiveFailures: r.consecutiveFailures,
    consecutiveSuccesses: r.consecutiveSuccesses,
    spend: r.spend,
    tlsCertExpiresAt: r.tlsCertExpiresAt,
  });
}

/** A stored latest result, validated like a fleet record (a hand-edited or foreign row is refused, not shown). */
export function resultFromLatest(text: string, id: string): ProbeResult | undefined {
  const parsed = parseFleetRecord(text, id);
  return parsed.ok ? parsed.result : undefined;
}

/** An uptime run's columns (deployment_id, start_at, last_at, until_at, healthy, probes). */
export const RUN_COLUMNS = ['deployment_id', 'start_at', 'last_at', 'until_at', 'healthy', 'probes'] as const;

export interface RunRecord {
  deployment_id: string;
  start_at: number | string;
  last_at: number | string;
  until_at: number | string;
  healthy: number | boolean;
  probes: number;
}

export function runFromRecord(row: RunRecord): UptimeSegment {
  return { start: Number(row.start_at), lastAt: Number(row.last_at), until: Number(row.until_at), healthy: row.healthy === 1 || row.healthy === true, probes: Number(row.probes) };
}

/** A day of spend's columns (deployment_id, day, probes, unpriced, input_tokens, output_tokens, cost_usd). */
export const DAY_COLUMNS = ['deployment_id', 'day', 'probes', 'unpriced', 'input_tokens', 'output_tokens', 'cost_usd'] as const;

export interface DayRecord {
  deployment_id: string;
  day: string;
  probes: number;
  unpriced: number;
  input_tokens: number | string;
  output_tokens: number | string;
  cost_usd: number;
}

export function dayFromRecord(row: DayRecord): DaySpend {
  return { day: row.day, probes: Number(row.probes), unpriced: Number(row.unpriced), inputTokens: Number(row.input_tokens), outputTokens: Number(row.output_tokens), costUsd: Number(row.cost_usd) };
}
