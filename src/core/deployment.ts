import type { Prices } from './usage.js';

/**
 * The vocabulary every layer shares about a deployment: the full resolved entry (secrets
 * inside, for the provider layer only) and the secret-free view plugins are given.
 */

/**
 * One entry of model_list, resolved and ready to probe. Immutable. Secrets stay inside
 * `credentials`/`secrets` and are never serialised: every output is built from an allow-list.
 */
export interface Deployment {
  readonly id: string;
  readonly modelName: string;
  /** litellm_params.model as configured, e.g. "azure/gpt-4o". */
  readonly model: string;
  /** The model actually probed: model_info.health_check_model, else `model`. */
  readonly probeModel: string;
  /** Provider prefix ("openai", "azure", …) or custom_llm_provider; bare names are openai. */
  readonly provider: string;
  /** probeModel without its provider prefix: what goes on the wire. */
  readonly providerModel: string;
  readonly mode: string;
  /** Resolved api_base; may carry user info or a key in the query: use publicApiBase for output. */
  readonly apiBase?: string;
  readonly publicApiBase?: string;
  readonly apiVersion?: string;
  readonly timeoutMs: number;
  /** max_tokens to send, or undefined where the endpoint takes none (or a wildcard route). */
  readonly maxTokens?: number;
  readonly reasoning: boolean;
  readonly reasoningEffort?: string;
  /** Voice for audio_speech probes (default alloy). */
  readonly voice: string;
  /**
   * `generate` sends the mode's request; `models_list` only lists models (free); `free` sends the
   * mode's own free request where its real one is a paid job (video_generation lists video jobs):
   * the default for such modes unless model_info.health_check_probe is `generate`.
   */
  readonly probeStrategy: 'generate' | 'models_list' | 'free';
  readonly checkParams: Readonly<Record<string, unknown>>;
  /** USD per unit (model table, then litellm_params and model_info overrides); empty: unknown. */
  readonly prices: Readonly<Prices>;
  readonly backgroundDisabled: boolean;
  /** model_info.health_check_interval, seconds; else the global interval applies. */
  readonly intervalS?: number;
  /** model_info overrides of the verdict policy (general_settings otherwise; see config/policy.ts). */
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
  readonly retryIntervalS?: number;
  readonly stalenessS?: number;
  /**
   * Set for a LiteLLM strategy router (`model: auto_router/…`): never probed itself, it is graded
   * from the deployments of the model groups it routes to.
   */
  readonly router?: StrategyRouter;
  /** model_info.health_check_latency_threshold, seconds: a slower successful probe is degraded. */
  readonly latencyThresholdS?: number;
  /** Why this deployment cannot be probed as configured (e.g. an unset env variable). */
  readonly configError?: string;
  /** TLS for this deployment's connections: verify certificates, and extra CA to trust. */
  readonly tls: Readonly<{ verify: boolean; ca?: string }>;
  readonly credentials: Readonly<{ apiKey?: string; organization?: string; extraHeaders: Readonly<Record<string, string>> }>;
  /** Every secret value this deployment holds, for redaction of text that came from outside. */
  readonly secrets: readonly string[];
  /** All resolved litellm_params, for providers that need more keys (region, project, …). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The config entry as written (unresolved), for /model/info through an allow-list. */
  readonly raw: Readonly<{ model_name: string; litellm_params: Readonly<Record<string, unknown>>; model_info?: Readonly<Record<string, unknown>> }>;
}

/** A strategy router's kind and the model groups it names (config/routers.ts). */
export interface StrategyRouter {
  readonly kind: 'semantic' | 'complexity' | 'adaptive' | 'quality' | 'online_experiment';
  /** Groups a request may be routed to: healthy when one of them is. */
  readonly routes: readonly string[];
  /** Groups the router calls to choose (a classifier or embedding model): each must work. */
  readonly required: readonly string[];
}

/**
 * What a probe plugin is told about the deployment it probes: what to ask for, never how to
 * reach it. No api_key, api_base, headers, credentials or raw config: the provider layer holds
 * those and makes the call (ProbeContext.call).
 */
export type ProbeTarget = Pick<Deployment, (typeof TARGET_FIELDS)[number]>;

/** The fields a plugin may read: an allow-list, so a new secret field is never handed out by default. */
export const TARGET_FIELDS = [
  'id', 'modelName', 'model', 'probeModel', 'provider', 'providerModel', 'mode', 'apiVersion',
  'timeoutMs', 'maxTokens', 'reasoning', 'reasoningEffort', 'voice', 'probeStrategy',
] as const satisfies ReadonlyArray<keyof Deployment>;

const targets = new WeakMap<Deployment, ProbeTarget>();

/** The secret-free view of a deployment, built once per (immutable) Deployment. */
export function probeTarget(d: Deployment): ProbeTarget {
  let t = targets.get(d);
  if (!t) {
    const view: Record<string, unknown> = {};
    for (const k of TARGET_FIELDS) if (d[k] !== undefined) view[k] = d[k];
    t = Object.freeze(view) as unknown as ProbeTarget;
    targets.set(d, t);
  }
  return t;
}

/** max_tokens sent when model_info names none (and Anthropic's, which requires one, when the mode sends none). */
export const DEFAULT_MAX_TOKENS = 16;

/** Splits "provider/name" the way LiteLLM does; bare names are OpenAI's. */
export function splitModel(model: string, customProvider?: string): { provider: string; name: string } {
  if (customProvider) {
    const prefix = `${customProvider}/`;
    return { provider: customProvider, name: model.startsWith(prefix) ? model.slice(prefix.length) : model };
  }
  const slash = model.indexOf('/');
  if (slash <= 0) return { provider: 'openai', name: model };
  return { provider: model.slice(0, slash), name: model.slice(slash + 1) };
}
