import { DEFAULT_MAX_TOKENS, type Deployment } from '../core/deployment.js';
import { lowerKeys } from './openai.js';

/**
 * Helpers for the providers that translate the OpenAI-shaped probe payload into a provider's own
 * body (Anthropic, Gemini, Bedrock, Cohere, Ollama) and its answer back.
 */

export type JsonPayload = Record<string, unknown>;

/** An OpenAI chat message, as plugins and health_check_params write them. */
export interface ChatMessage {
  role: string;
  content: unknown;
}

/** The text of an OpenAI message content: a string, or the text parts of a content list. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
      .join('');
  }
  return content === undefined || content === null ? '' : String(content);
}

/** The payload's messages, split into the system text and the rest (providers that take system apart). */
export function splitSystem(messages: unknown): { system: string; turns: ChatMessage[] } {
  const list = Array.isArray(messages) ? (messages as ChatMessage[]) : [];
  const system = list.filter((m) => m?.role === 'system' || m?.role === 'developer').map((m) => textOf(m.content)).join('\n');
  const turns = list.filter((m) => m && m.role !== 'system' && m.role !== 'developer');
  return { system, turns };
}

/** A JSON payload (never a form: the native providers take none). */
export function jsonPayload(payload: Record<string, unknown> | FormData | undefined): JsonPayload {
  if (payload instanceof FormData) throw new Error('this provider takes no multipart uploads');
  return { ...(payload ?? {}) };
}

/**
 * The payload without the OpenAI fields a provider translates: what is left is health_check_params,
 * which go into the provider's body as written (they were written for this provider).
 * `reasoning_effort` is OpenAI's knob and is dropped.
 */
export function rest(payload: JsonPayload, translated: readonly string[]): JsonPayload {
  const out: JsonPayload = {};
  for (const [k, v] of Object.entries(payload)) {
    if (!translated.includes(k) && k !== 'reasoning_effort' && k !== 'model') out[k] = v;
  }
  return out;
}

/**
 * The body's tail for providers whose max_tokens lives in a nested settings object (Bedrock's
 * `inferenceConfig.maxTokens`, Gemini's `generationConfig.maxOutputTokens`, Ollama's
 * `options.num_predict`): that object, made of the translated max_tokens and the user's own
 * object of the same name from health_check_params (whose keys win: they were written for this
 * provider), then the other untranslated params. The object is left out when it would be empty;
 * a non-object under its name is dropped.
 */
export function nestedMaxTokens(payload: JsonPayload, translated: readonly string[], nested: { object: string; field: string }): JsonPayload {
  const { [nested.object]: userSettings, ...others } = rest(payload, [...translated, 'max_tokens']);
  const settings = {
    ...(typeof payload.max_tokens === 'number' ? { [nested.field]: payload.max_tokens } : {}),
    ...(isObject(userSettings) ? userSettings : {}),
  };
  return { ...(Object.keys(settings).length ? { [nested.object]: settings } : {}), ...others };
}

/** max_tokens for providers that require one: the payload's, else the deployment's, else 16. */
export function requiredMaxTokens(d: Deployment, payload: JsonPayload): number {
  return typeof payload.max_tokens === 'number' ? payload.max_tokens : d.maxTokens ?? DEFAULT_MAX_TOKENS;
}

/**
 * Request headers: the Accept the provider's SDK sends (none when it sends none), the auth, then
 * the deployment's extra_headers (which win).
 */
export function jsonHeaders(d: Deployment, auth: Record<string, string>, accept: string | null = 'application/json'): Record<string, string> {
  return { ...(accept ? { accept } : {}), ...auth, ...lowerKeys(d.credentials.extraHeaders) };
}

/** A base URL without its trailing slashes. */
export function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}

/** An OpenAI chat completion with one choice, from a provider's answer text and finish reason. */
export function chatCompletion(content: string, finishReason: string | undefined, model?: unknown, usage?: JsonPayload): JsonPayload {
  return {
    object: 'chat.completion',
    ...(typeof model === 'string' ? { model } : {}),
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason ?? null }],
    ...(usage ? { usage } : {}),
  };
}

/** A provider's token counts as OpenAI's `usage` (what spend is priced from); undefined when it gives none. */
export function openAiUsage(input: unknown, output: unknown): JsonPayload | undefined {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const i = n(input);
  const o = n(output);
  if (i === undefined && o === undefined) return undefined;
  return { prompt_tokens: i ?? 0, completion_tokens: o ?? 0, total_tokens: (i ?? 0) + (o ?? 0) };
}

/** An OpenAI embeddings list with one vector, or an empty list when there is none. */
export function embeddingList(vector: unknown): JsonPayload {
  return { object: 'list', data: Array.isArray(vector) ? [{ object: 'embedding', index: 0, embedding: vector }] : [] };
}

/** An OpenAI model list from a provider's own list, or no `data` when the answer had none. */
export function modelList(models: unknown): JsonPayload {
  return Array.isArray(models) ? { object: 'list', data: models } : {};
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A parse for answers that are JSON objects; anything else passes through, for the plugin to judge. */
export function whenObject(translate: (json: Record<string, unknown>) => unknown): (json: unknown) => unknown {
  return (json) => (isObject(json) ? translate(json) : json);
}
