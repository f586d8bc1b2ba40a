import { createHash } from 'node:crypto';
import type { RawDeployment } from './schema.js';
import { envReference } from './env.js';

/** Keys of litellm_params whose values are credentials: never output, always redacted from text. */
export const SECRET_PARAM_KEYS = new Set([
  'api_key', 'azure_ad_token', 'client_secret', 'aws_access_key_id', 'aws_secret_access_key',
  'aws_session_token', 'vertex_credentials', 'password', 'token', 'tenant_id', 'client_id',
]);

/** JSON with sorted keys, so the same config always hashes to the same id. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Header names whose values are credentials; other header values (X-Team: core) are config. */
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|session|passw|signature/i;
const MASKED = '<secret>';

/** litellm_params with every literal credential replaced by a marker (env references stay). */
function withoutSecrets(params: RawDeployment['litellm_params']): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  const literal = (v: unknown) => typeof v === 'string' && v !== '' && envReference(v) === undefined;
  for (const key of Object.keys(out)) if (SECRET_PARAM_KEYS.has(key) && literal(out[key])) out[key] = MASKED;
  const headers = out.extra_headers;
  if (headers && typeof headers === 'object' && !Array.isArray(headers)) {
    out.extra_headers = Object.fromEntries(Object.entries(headers as Record<string, unknown>)
      .map(([k, v]) => [k, CREDENTIAL_HEADER.test(k) && literal(v) ? MASKED : v]));
  }
  if (typeof out.api_base === 'string') out.api_base = maskUrl(out.api_base);
  return out;
}

/** A URL's user info and query values masked; anything not a URL as written. */
function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password && !u.search) return url;
    if (u.username) u.username = MASKED;
    if (u.password) u.password = MASKED;
    for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, MASKED);
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * A SHA-256 over model_name and litellm_params as written (env references, not their values),
 * so every replica and every restart derive the same id from the same file. Unlike LiteLLM's,
 * literal credentials are masked first: the id is published on /metrics, and a weak literal
 * key was recovered from it offline in 192 guesses. Ids of entries without one are unchanged.
 */
export function deploymentId(raw: RawDeployment): string {
  return createHash('sha256').update(raw.model_name).update('\0').update(canonicalJson(withoutSecrets(raw.litellm_params))).digest('hex');
}

/** What an earlier entry holding an id is compared by. */
export type HeldEntry = { readonly model_name: string; readonly litellm_params: unknown };

/**
 * The derived id, made distinct from an earlier entry's when the two differ only in their
 * literal credentials (two keys for one model are two deployments): `<id>-2`, `<id>-3`, … in
 * file order. An entry identical to an earlier one keeps its id (it is the same deployment).
 */
export function distinctDeploymentId(raw: RawDeployment, holderOf: (id: string) => HeldEntry | undefined): string {
  const id = deploymentId(raw);
  const same = canonicalJson(raw.litellm_params);
  let candidate = id;
  for (let n = 2; ; n++) {
    const holder = holderOf(candidate);
    if (!holder || (holder.model_name === raw.model_name && canonicalJson(holder.litellm_params) === same)) return candidate;
    candidate = `${id}-${n}`;
  }
}
