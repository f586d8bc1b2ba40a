import { z } from 'zod';
import { ERROR_TYPES } from '../core/errors.js';
import { REPORTED_HEADERS } from '../core/operation.js';
import type { ProbeResult } from '../core/result.js';

const finite = z.number().finite();
/** Long text is cut, not refused: a replica's valid result must never be lost for its length. */
const text = (max: number) => z.string().transform((v) => (v.length > max ? `${v.slice(0, max)}…` : v));
/** Only the headers /health reports; any other key (model_name, api_base, …) could spoof an entry. */
const headers = z.record(z.string(), z.unknown()).catch({}).transform((h) => {
  const kept: Record<string, string> = {};
  for (const k of REPORTED_HEADERS) if (typeof h[k] === 'string') kept[k] = (h[k] as string).slice(0, 256);
  return kept;
});
const detail = z.union([z.string(), finite, z.boolean()]);
const units = finite.nonnegative().optional();
/** What a probe used and cost (unknown fields dropped; a cost that is not a number is unknown). */
const spend = z.object({
  usage: z.object({ inputTokens: units, outputTokens: units, images: units, pixels: units, inputSeconds: units, videoSeconds: units, characters: units, queries: units, pages: units }),
  costUsd: finite.nonnegative().nullable().catch(null),
});

/** A ProbeResult as another replica wrote it; unknown fields and headers are dropped, never shown. */
const fleetRecord = z.object({
  deploymentId: z.string().min(1),
  healthy: z.boolean(),
  startedAt: finite,
  checkedAt: finite,
  latencyMs: finite.nonnegative(),
  errorType: z.enum(ERROR_TYPES).optional(),
  error: text(16_384).optional(),
  status: z.number().int().optional(),
  retryAfterS: finite.nonnegative().optional(),
  headers,
  details: z.record(z.string(), detail).optional(),
  checkedBy: text(256).optional(),
  verdict: z.enum(['healthy', 'unhealthy', 'pending']).optional(),
  consecutiveFailures: z.number().int().nonnegative().optional(),
  consecutiveSuccesses: z.number().int().nonnegative().optional(),
  spend: spend.optional().catch(undefined),
  tlsCertExpiresAt: finite.optional(),
});

/** Parses and validates one record read from the fleet's store for deployment `id`. */
export function parseFleetRecord(text: string, id: string): { ok: true; result: ProbeResult } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = fleetRecord.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { ok: false, reason: `${i.path.join('.') || '(record)'}: ${i.message}` };
  }
  if (parsed.data.deploymentId !== id) return { ok: false, reason: `written for another deployment (${parsed.data.deploymentId.slice(0, 64)})` };
  return { ok: true, result: stripUndefined(parsed.data) };
}

function stripUndefined(r: z.infer<typeof fleetRecord>): ProbeResult {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
  return out as unknown as ProbeResult;
}
