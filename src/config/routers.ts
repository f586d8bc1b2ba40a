import type { Deployment, StrategyRouter } from '../core/deployment.js';

/**
 * LiteLLM's strategy routers: a model_list entry whose `model` is `auto_router/…` names no
 * provider model; it picks one of other model groups per request (litellm/router_utils/
 * auto_router_model_naming.py). It is never probed itself: it is graded from the deployments of
 * the groups it routes to (views/strategy-router.ts). Reading is defensive throughout: a router
 * LiteLLM would refuse must not break loading.
 */
export const AUTO_ROUTER_PREFIX = 'auto_router/';

export type StrategyRouterKind = StrategyRouter['kind'];

/** The litellm_params keys that configure a strategy router (LiteLLM's STRATEGY_ROUTER_PARAM_FIELDS). */
export const ROUTER_PARAM_KEYS = [
  'auto_router_config', 'auto_router_config_path', 'auto_router_default_model', 'auto_router_embedding_model',
  'auto_router_max_input_chars', 'complexity_router_config', 'complexity_router_default_model', 'adaptive_router_config',
  'quality_router_config', 'quality_router_default_model', 'online_model_experiment_config',
] as const;

/** The kind of router a `model` string selects, as LiteLLM classifies it; undefined for a provider model. */
export function strategyRouterKind(model: string): StrategyRouterKind | undefined {
  if (!model.startsWith(AUTO_ROUTER_PREFIX)) return undefined;
  const rest = model.slice(AUTO_ROUTER_PREFIX.length);
  for (const kind of ['complexity', 'adaptive', 'quality'] as const) if (rest.startsWith(`${kind}_router`)) return kind;
  if (rest.startsWith('online_model_experiment')) return 'online_experiment';
  return 'semantic';
}

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const mapping = (v: unknown): Record<string, unknown> => (isMapping(v) ? v : {});
const name = (v: unknown): string[] => (typeof v === 'string' && v.trim() ? [v.trim()] : []);
/** A field holding one model group or a pool of them. */
const pool = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(name) : name(v));
/** LiteLLM classifier types that call a model (the heuristic ones call none). */
const LLM_CLASSIFIERS = new Set(['llm', 'llm_v2', 'capability']);

/** A semantic router's inline route list (auto_router_config: a JSON string or a mapping); a file's routes are not read. */
function semanticRoutes(config: unknown): string[] {
  let parsed = config;
  if (typeof config === 'string') {
    try { parsed = JSON.parse(config); } catch { return []; }
  }
  const routes = mapping(parsed).routes;
  return Array.isArray(routes) ? routes.flatMap((r) => name(mapping(r).name)) : [];
}

/**
 * The model groups a router entry's litellm_params name: `routes`, any of which can answer a
 * request, and `required` ones the router itself calls to choose (a classifier or an embedding
 * model), in the order written, without repeats. Undefined for an entry that is not a router.
 */
export function strategyRouterOf(params: Readonly<Record<string, unknown>>): StrategyRouter | undefined {
  const kind = typeof params.model === 'string' ? strategyRouterKind(params.model) : undefined;
  if (!kind) return undefined;
  let routes: string[] = [];
  let required: string[] = [];
  if (kind === 'semantic') {
    routes = [...semanticRoutes(params.auto_router_config), ...name(params.auto_router_default_model)];
    required = name(params.auto_router_embedding_model);
  } else if (kind === 'adaptive') {
    routes = pool(mapping(params.adaptive_router_config).available_models);
  } else if (kind === 'quality') {
    const config = mapping(params.quality_router_config);
    routes = [...pool(config.available_models), ...name(params.quality_router_default_model || config.default_model)];
  } else if (kind === 'online_experiment') {
    const variants = mapping(params.online_model_experiment_config).variants;
    routes = Array.isArray(variants) ? variants.flatMap((v) => name(mapping(v).model)) : [];
  } else {
    const config = mapping(params.complexity_router_config);
    routes = [...Object.values(mapping(config.tiers)).flatMap(pool), ...name(params.complexity_router_default_model)];
    if (typeof config.classifier_type === 'string' && LLM_CLASSIFIERS.has(config.classifier_type)) required.push(...name(mapping(config.classifier_llm_config).model));
    if (config.semantic_keyword_matching === true) required.push(...name(config.embedding_model));
  }
  return Object.freeze({ kind, routes: Object.freeze([...new Set(routes)]), required: Object.freeze([...new Set(required)]) });
}

/** Why a router cannot be graded at all (LiteLLM refuses such an entry), or undefined. */
export function strategyRouterProblem(router: StrategyRouter): string | undefined {
  if (router.routes.length) return undefined;
  const where: Record<StrategyRouterKind, string> = {
    semantic: 'auto_router_default_model',
    complexity: 'complexity_router_config.tiers or complexity_router_default_model',
    adaptive: 'adaptive_router_config.available_models',
    quality: 'quality_router_config.available_models or quality_router_default_model',
    online_experiment: 'online_model_experiment_config.variants',
  };
  return `strategy router (${router.kind}) routes to no model group: set ${where[router.kind]}`;
}

/**
 * What probing `targets` means: routers are replaced by the deployments of the groups they
 * route to (through routers that route to routers), each deployment once, in order.
 */
export function probedFor(targets: readonly Deployment[], byModelName: ReadonlyMap<string, readonly Deployment[]>): Deployment[] {
  const out = new Map<string, Deployment>();
  const seen = new Set<string>();
  const visit = (d: Deployment): void => {
    if (seen.has(d.id)) return;
    seen.add(d.id);
    if (!d.router) { out.set(d.id, d); return; }
    for (const group of [...d.router.routes, ...d.router.required]) for (const x of byModelName.get(group) ?? []) visit(x);
  };
  for (const d of targets) visit(d);
  return [...out.values()];
}
