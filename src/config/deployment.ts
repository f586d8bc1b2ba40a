import { readFileSync } from 'node:fs';
import type { RawDeployment } from './schema.js';
import { SECRET_PARAM_KEYS, distinctDeploymentId, type HeldEntry } from './deployment-id.js';
export { SECRET_PARAM_KEYS } from './deployment-id.js';
import type { Deployment } from '../core/deployment.js';
import { MissingEnvError, resolveEnv } from './env.js';
import { publicUrl } from '../core/redact.js';
import { FREE_BY_DEFAULT_MODES, MAX_TOKENS_MODES, isWildcard } from './model-names.js';
import { modelKind, resolveModel, type ModelKind } from './model-kind.js';
import type { ModelTable } from './model-table.js';
import { maxTokensFor, probeDefaults, type ProbeDefaults } from './probe-defaults.js';
import { pricesFor } from './prices.js';
import { pricesIn } from './model-table.js';
import type { Prices } from '../core/usage.js';
import { envDefaultsFor } from '../registry/providers.js';
import { strategyRouterOf, strategyRouterProblem } from './routers.js';

/** An object's own keys without the empty ones: a YAML null (`api_key:`) is a key not written. */
type Written<T> = { [K in keyof T]?: Exclude<T[K], null> };
function written<T extends object>(o: T): Written<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Written<T>;
}

/**
 * What model names and api_bases resolve to, per load (its ProbeDefaults): 10,000 deployments
 * usually share a few models and endpoints, and each resolution walks the model table or parses
 * a URL (~15 µs per entry at start-up before this). Nothing outlives the load that built it.
 */
interface Resolved {
  kinds: Map<string, ModelKind>;
  endpoints: Map<string, { publicApiBase: string; secrets: readonly string[] }>;
  /** Prices of a model kind with no overrides written in the entry: one frozen object per kind. */
  prices: Map<ModelKind, Readonly<Prices>>;
  /** Secret lists by their JSON: deployments sharing a key share one frozen list. */
  secretLists: Map<string, readonly string[]>;
}
const resolvedPerLoad = new WeakMap<ProbeDefaults, Resolved>();
function resolvedFor(probe: ProbeDefaults): Resolved {
  let r = resolvedPerLoad.get(probe);
  if (!r) resolvedPerLoad.set(probe, (r = { kinds: new Map(), endpoints: new Map(), prices: new Map(), secretLists: new Map() }));
  return r;
}
function cachedModelKind(r: Resolved, model: string, customProvider: string | undefined, table: ModelTable, info: { mode?: string; baseModel?: string }): ModelKind {
  const key = [model, customProvider, info.mode, info.baseModel].map((x) => (x === undefined ? '\u0000' : `\u0001${x}`)).join('\u0002');
  let kind = r.kinds.get(key);
  if (!kind) r.kinds.set(key, (kind = Object.freeze(modelKind(model, customProvider, table, info))));
  return kind;
}
/** An api_base's public form and the secrets in it. */
function endpointOf(r: Resolved, apiBase: string): { publicApiBase: string; secrets: readonly string[] } {
  let facts = r.endpoints.get(apiBase);
  if (!facts) r.endpoints.set(apiBase, (facts = Object.freeze({ publicApiBase: publicUrl(apiBase), secrets: Object.freeze(urlSecrets(apiBase)) })));
  return facts;
}

/** A deployment's prices: those of its model kind, shared, unless its entry writes its own. */
function pricesOf(r: Resolved, kind: ModelKind, table: ModelTable, params: Readonly<Record<string, unknown>>, info: Readonly<Record<string, unknown>>): Readonly<Prices> {
  const fromParams = pricesIn(params);
  const fromInfo = pricesIn(info);
  if (fromParams !== undefined || fromInfo !== undefined) return pricesFor(kind, table, fromParams, fromInfo);
  let prices = r.prices.get(kind);
  if (!prices) r.prices.set(kind, (prices = pricesFor(kind, table, undefined, undefined)));
  return prices;
}

/** One frozen list per distinct set of secrets in a load (also one redaction pattern: core/redact.ts). */
function secretListOf(r: Resolved, secrets: ReadonlySet<string>): readonly string[] {
  const list = [...secrets];
  const key = JSON.stringify(list);
  let known = r.secretLists.get(key);
  if (!known) r.secretLists.set(key, (known = Object.freeze(list)));
  return known;
}

/**
 * Frozen values most deployments have, shared rather than one copy each (~250 bytes a deployment
 * at 10,000, issue 18): no health_check_params, no extra_headers, TLS as default but for verify.
 */
const NOTHING: Readonly<Record<string, never>> = Object.freeze({});
const TLS_VERIFY: Deployment['tls'] = Object.freeze({ verify: true, ca: undefined });
const TLS_NO_VERIFY: Deployment['tls'] = Object.freeze({ verify: false, ca: undefined });

/**
 * One model_list entry, resolved. `probe` carries the config's model table and LiteLLM's
 * health-check variables (probe-defaults.ts); without it they are read from `env`.
 */
export function buildDeployment(raw: RawDeployment, index: number, env: NodeJS.ProcessEnv, probe: ProbeDefaults = probeDefaults(undefined, 'config.yaml', env), holderOf: (id: string) => HeldEntry | undefined = () => undefined): Deployment {
  const missing: MissingEnvError[] = [];
  const base = `model_list[${index}]`;
  const params = written(resolveEnv(raw.litellm_params, env, `${base}.litellm_params`, missing) as Record<string, unknown>);
  const customProvider = typeof params.custom_llm_provider === 'string' && params.custom_llm_provider ? params.custom_llm_provider : undefined;
  // Params the entry leaves out come from the provider's usual variables, as in LiteLLM.
  const defaults = envDefaultsFor(resolveModel(raw.litellm_params.model, customProvider, probe.table).provider);
  const given = new Set(Object.keys(params));
  for (const [key, vars] of Object.entries(defaults.vars)) {
    if (params[key] !== undefined) continue;
    if (defaults.groups.some((g) => g.includes(key) && g.some((k) => given.has(k)))) continue;
    const found = vars.map((v) => env[v]).find((v) => v !== undefined && v !== '');
    if (found !== undefined) params[key] = found;
  }
  // Nothing resolved, dropped or added: the entry's own object serves (one object a deployment less).
  const ownParams = sameEntries(params, raw.litellm_params) ? raw.litellm_params : params;
  const info = written((resolveEnv(raw.model_info ?? {}, env, `${base}.model_info`, missing) ?? {}) as NonNullable<RawDeployment['model_info']>);

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
  const resolved = resolvedFor(probe);
  const endpoint = apiBase ? endpointOf(resolved, apiBase) : undefined;
  if (endpoint) for (const s of endpoint.secrets) secrets.add(s);

  const model = raw.litellm_params.model;
  const probeModel = info.health_check_model ?? model;
  // model_info.mode, else the model table (base_model first), else the name (model-kind.ts).
  // base_model is read where LiteLLM reads it: model_info, else litellm_params.
  const baseModel = info.base_model ?? (typeof params.base_model === 'string' && params.base_model ? params.base_model : undefined);
  const kind = cachedModelKind(resolved, probeModel, customProvider, probe.table, {
    mode: info.mode,
    baseModel: info.health_check_model === undefined ? baseModel : undefined,
  });
  const { provider, name, mode, reasoning } = kind;
  // A wildcard route has no model to generate with: unless told which, list models (free). A
  // mode whose real request is a paid job (a video) makes its free request unless told to generate.
  const probeStrategy = info.health_check_probe
    ?? (isWildcard(probeModel) ? 'models_list' : FREE_BY_DEFAULT_MODES.has(mode) ? 'free' : 'generate');
  const supportsMaxTokens = info.health_check_supports_max_tokens ?? MAX_TOKENS_MODES.has(mode);
  const maxTokens = supportsMaxTokens ? maxTokensFor(info, reasoning, isWildcard(probeModel), probe) : undefined;

  const problems: string[] = missing.map((m) => m.message);
  const router = strategyRouterOf(params);
  const routerProblem = router && strategyRouterProblem(router);
  if (routerProblem) problems.push(`${base}.litellm_params.model: ${routerProblem}`);
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
    publicApiBase: endpoint?.publicApiBase,
    apiVersion: typeof params.api_version === 'string' ? params.api_version : undefined,
    timeoutMs: Math.round((info.health_check_timeout ?? probe.timeoutS) * 1000),
    maxTokens,
    reasoning,
    reasoningEffort: info.health_check_reasoning_effort,
    voice: info.health_check_voice ?? 'alloy',
    probeStrategy,
    checkParams: info.health_check_params && Object.keys(info.health_check_params).length ? Object.freeze({ ...info.health_check_params }) : NOTHING,
    prices: pricesOf(resolved, kind, probe.table, params, info),
    backgroundDisabled: info.disable_background_health_check === true,
    intervalS: info.health_check_interval,
    failureThreshold: info.health_check_failure_threshold,
    successThreshold: info.health_check_success_threshold,
    retryIntervalS: info.health_check_retry_interval,
    stalenessS: info.health_check_staleness_threshold,
    ...(router ? { router } : {}),
    latencyThresholdS: info.health_check_latency_threshold,
    configError,
    tls,
    credentials: Object.freeze({
      apiKey: typeof params.api_key === 'string' ? params.api_key : undefined,
      organization: typeof params.organization === 'string' ? params.organization : undefined,
      extraHeaders: Object.keys(extraHeaders).length ? Object.freeze(extraHeaders) : NOTHING,
    }),
    secrets: secretListOf(resolved, secrets),
    params: Object.freeze(ownParams),
    // The entry itself unless its model_info is a YAML null (a copy each was ~56 bytes a deployment).
    raw: raw.model_info === null ? { ...raw, model_info: undefined } : (raw as Deployment['raw']),
  });
}

/** The same keys in the same order, with the same values (===). */
function sameEntries(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
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
  if (ca === undefined) return verifyParam === false ? TLS_NO_VERIFY : TLS_VERIFY;
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
