import { splitModel } from '../core/deployment.js';
import { inferMode, isReasoningModel } from './model-names.js';
import type { ModelFacts, ModelTable } from './model-table.js';

/** A deployment's provider, mode and reasoning support, and where each came from. */
export interface ModelKind {
  /** The `model:` prefix that routes it. */
  provider: string;
  /** The model without its prefix: what goes on the wire. */
  name: string;
  mode: string;
  reasoning: boolean;
  /** The model table's entry, when it has one. */
  facts?: ModelFacts;
}

/**
 * The provider of `model` and the table's entry for it. A prefix (or custom_llm_provider) names
 * the provider; a bare name that is a key of the table gets the provider the table files it
 * under, as LiteLLM routes it (`amazon.titan-embed-text-v1` is Bedrock's,
 * `claude-3-haiku-20240307` Anthropic's, `gpt-3.5-turbo-instruct` text-completion-openai's), and
 * is OpenAI's otherwise. A name the table has only under a prefix (`voyage/voyage-3`, a
 * gateway's `aiml/dall-e-3`) lends its mode and reasoning, never its provider.
 */
export function resolveModel(model: string, customProvider: string | undefined, table: ModelTable): Pick<ModelKind, 'provider' | 'name' | 'facts'> {
  const { provider, name } = splitModel(model, customProvider);
  const named = customProvider !== undefined || model.indexOf('/') > 0;
  const facts = table.lookup(named ? provider : undefined, name);
  const routed = !named && facts?.key === name ? facts.provider : undefined;
  return { provider: routed ?? provider, name, ...(facts ? { facts } : {}) };
}

/**
 * Mode and reasoning as LiteLLM decides them: model_info.mode first, then the model table, then
 * the name's patterns, then chat. model_info.base_model names the model behind a deployment
 * with a name of its own (Azure deployments are named freely: `azure/prod-primary` is an o3-mini
 * when `base_model: azure/o3-mini` says so), so it is asked first, as LiteLLM's router does for
 * model info: its table entry, then the probed model's, then the names' patterns (base_model's,
 * then the probed model's). Reasoning: the table's supports_reasoning when it says, else the
 * patterns (o1-mini and the like, which the table leaves unmarked but which take
 * max_completion_tokens); a base_model the table knows decides it, one it does not know only
 * when its name says it reasons.
 *
 * One exception: the table files realtime models (`gpt-4o-realtime-preview`) under `chat`, for
 * their token prices, but they only answer on the realtime websocket: a name the patterns call
 * realtime stays realtime.
 */
export function modelKind(
  model: string,
  customProvider: string | undefined,
  table: ModelTable,
  info: { mode?: string; baseModel?: string } = {},
): ModelKind {
  const resolved = resolveModel(model, customProvider, table);
  const base = info.baseModel ? resolveModel(info.baseModel, undefined, table) : undefined;
  const facts = base?.facts ?? resolved.facts;
  const named = inferMode(resolved.name);
  const fromTable = facts?.mode === 'chat' && named === 'realtime' ? named : facts?.mode;
  // A base_model the table knows decides; one it does not know decides only when its name says so.
  const reasoning = base?.facts
    ? base.facts.reasoning ?? isReasoningModel(base.name)
    : (base !== undefined && isReasoningModel(base.name)) || (resolved.facts?.reasoning ?? isReasoningModel(resolved.name));
  return {
    ...resolved,
    mode: info.mode ?? fromTable ?? (base ? inferMode(base.name) : undefined) ?? named ?? 'chat',
    reasoning,
    ...(facts ? { facts } : {}),
  };
}
