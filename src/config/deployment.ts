import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RawDeployment } from './schema.js';
import { DEFAULT_MAX_TOKENS, splitModel, type Deployment } from '../core/deployment.js';
import { MissingEnvError, envReference, resolveEnv } from './env.js';
import { publicUrl } from '../core/redact.js';
import { MAX_TOKENS_MODES, inferMode, isReasoningModel, isWildcard } from './model-names.js';
import { envDefaultsFor } from '../registry/providers.js';

export const DEFAULT_PROBE_TIMEOUT_S = 60;

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
type HeldEntry = { readonly model_name: string; readonly litellm_params: unknown };

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

export function buildDeployment(raw: RawDeployment, index: number, env: NodeJS.ProcessEnv, holderOf: (id: string) => HeldEntry | undefined = () => undefined): Deployment {
  const missing: MissingEnvError[] = [];
  const base = `model_list[${index}]`;
  const params = resolveEnv(raw.litellm_params, env, `${base}.litellm_params`, missing) as Record<string, unknown>;
  const customProvider = typeof params.custom_llm_provider === 'string' ? params.custom_llm_provider : undefined;
  // Params the entry leaves out come from the provider's usual variables, as in LiteLLM.
  const defaults = envDefaultsFor(splitModel(raw.litellm_params.model, customProvider).provider);
  const written = new Set(Object.keys(params).filter((k) => params[k] !== undefined));
  for (const [key, vars] of Object.entries(defaults.vars)) {
    if (params[key] !== undefined) continue;
    if (defaults.groups.some((g) => g.includes(key) && g.some((k) => written.has(k)))) continue;
    const found = vars.map((v) => env[v]).find((v) => v !== undefined && v !== '');
    if (found !== undefined) params[key] = found;
  }
  const info = (resolveEnv(raw.model_info ?? {}, env, `${base}.model_info`, missing) ?? {}) as NonNullable<RawDeployment['model_info']>;

  const secrets = new Set<string>();
  for (const [k, v] of Object.entries(params)) if (SECRET_PARAM_KEYS.has(k) && typeof v === 'string' && v) secrets.add(v);
  const extraHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries((params.extra_headers as Record<string, unknown> | undefined) ?? {})) {
    if (v === undefined || v === null) continue;
    extraHeaders[k] = String(v);
    // Header values (Authorization, session tokens, …) are treated as secrets wholesale.
    if (String(v).length >= 4) {
      secrets.add(String(v));
      const bearer = /^\s*bearer\s+(.+)$/i.exec(String(v));
      if (bearer?.[1]) secrets.add(bearer[1].trim());
    }
  }
  const apiBase = typeof params.api_base === 'string' ? params.api_base : undefined;
  if (apiBase) for (const s of urlSecrets(apiBase)) secrets.add(s);

  const model = raw.litellm_params.model;
  const probeModel = info.health_check_model ?? model;
  const { provider, name } = splitModel(probeModel, customProvider);
  const mode = info.mode ?? inferMode(name) ?? 'chat';
  const reasoning = isReasoningModel(name);
  // A wildcard route has no model to generate with: unless told which, list models (free).
  const probeStrategy = info.health_check_probe ?? (isWildcard(probeModel) ? 'models_list' : 'generate');
  const supportsMaxTokens = info.health_check_supports_max_tokens ?? MAX_TOKENS_MODES.has(mode);
  const maxTokens = !supportsMaxTokens || isWildcard(probeModel)
    ? undefined
    : info.health_check_max_tokens
      ?? (reasoning ? info.health_check_max_tokens_reasoning : info.health_check_max_tokens_non_reasoning)
      ?? DEFAULT_MAX_TOKENS;

  const problems: string[] = missing.map((m) => m.message);
  const tls = tlsOptions(params, base, problems);
  const configError = problems.length ? problems.join('; ') : undefined;
  return Object.freeze({
    id: info.id ?? distinctDeploymentId(raw, holderOf),
    modelName: raw.model_name,
    model,
    probeModel,
    provider,
    providerModel: name,
    mode,
    apiBase,
    publicApiBase: apiBase ? publicUrl(apiBase) : undefined,
    apiVersion: typeof params.api_version === 'string' ? params.api_version : undefined,
    timeoutMs: Math.round((info.health_check_timeout ?? DEFAULT_PROBE_TIMEOUT_S) * 1000),
    maxTokens,
    reasoning,
    reasoningEffort: info.health_check_reasoning_effort,
    voice: info.health_check_voice ?? 'alloy',
    probeStrategy,
    checkParams: Object.freeze({ ...(info.health_check_params ?? {}) }),
    backgroundDisabled: info.disable_background_health_check === true,
    intervalS: info.health_check_interval,
    failureThreshold: info.health_check_failure_threshold,
    successThreshold: info.health_check_success_threshold,
    retryIntervalS: info.health_check_retry_interval,
    stalenessS: info.health_check_staleness_threshold,
    latencyThresholdS: info.health_check_latency_threshold,
    configError,
    tls,
    credentials: Object.freeze({
      apiKey: typeof params.api_key === 'string' ? params.api_key : undefined,
      organization: typeof params.organization === 'string' ? params.organization : undefined,
      extraHeaders: Object.freeze(extraHeaders),
    }),
    secrets: Object.freeze([...secrets]),
    params: Object.freeze(params),
    raw,
  });
}

/**
 * ssl_verify: false turns verification off; ssl_verify: "<path>" or ssl_certificate: "<path>"
 * adds a CA to trust. An unreadable file is this deployment's config error, not a crash.
 */
function tlsOptions(params: Record<string, unknown>, base: string, problems: string[]): Deployment['tls'] {
  const verifyParam = params.ssl_verify;
  const caPath = typeof verifyParam === 'string' ? verifyParam : typeof params.ssl_certificate === 'string' ? params.ssl_certificate : undefined;
  let ca: string | undefined;
  if (caPath) {
    try {
      ca = readFileSync(caPath, 'utf8');
    } catch (err) {
      const key = typeof verifyParam === 'string' ? 'ssl_verify' : 'ssl_certificate';
      problems.push(`${base}.litellm_params.${key}: cannot read ${caPath}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return Object.freeze({ verify: verifyParam !== false, ca });
}

/** Secret parts of a URL: user info and every query value (Gemini-style `?key=`). */
function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const out: string[] = [];
    // Both forms: error text may quote the URL (encoded) or the credential itself (decoded).
    for (const part of [u.username, u.password]) if (part) out.push(part, decodeOrRaw(part));
    // Sent as Basic auth (providers/client.ts): an upstream may echo the header's base64 form.
    if (u.username || u.password) out.push(Buffer.from(`${decodeOrRaw(u.username)}:${decodeOrRaw(u.password)}`).toString('base64'));
    for (const [, v] of u.searchParams) if (v.length >= 4) out.push(v);
    return out;
  } catch {
    return [];
  }
}

/** User info may hold a literal "%" (not an escape): keep it as written rather than lose it. */
function decodeOrRaw(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
