import type { Deployment } from '../core/deployment.js';
import type { Payload, Provider, WireRequest } from './types.js';
import { joinUrl, openAiErrorMessage } from './openai.js';
import { chatCompletion, openAiUsage, isObject, jsonHeaders, jsonPayload, requiredMaxTokens, rest, splitSystem, textOf, trimBase } from './translate.js';

export const ANTHROPIC_DEFAULT_BASE = 'https://api.anthropic.com';
/**
 * The API version every Anthropic request names, unless the deployment names another
 * (`litellm_params.anthropic_version`, or an `anthropic-version` in extra_headers): the one the
 * SDK sent up to 0.x, which every key accepts.
 */
export const ANTHROPIC_VERSION = '2023-06-01';
/** From this version on, the official SDK (1.x) sends the key as a bearer instead of `x-api-key`. */
export const ANTHROPIC_BEARER_FROM_VERSION = '2026-10-21';

/** `…/v1` of an Anthropic base, whether it was given as the host, `…/v1` or `…/v1/messages`. */
function v1Root(d: Deployment): string {
  const b = trimBase(d.apiBase ?? ANTHROPIC_DEFAULT_BASE).replace(/\/messages$/, '');
  return b.endsWith('/v1') ? b : `${b}/v1`;
}

/** The deployment's API version: an extra_headers `anthropic-version`, else anthropic_version, else the default. */
export function anthropicVersion(d: Deployment): string {
  const header = Object.entries(d.credentials.extraHeaders).find(([k]) => k.toLowerCase() === 'anthropic-version')?.[1];
  const param = d.params.anthropic_version;
  return header || (typeof param === 'string' && param ? param : ANTHROPIC_VERSION);
}

/**
 * `anthropic-version` and the key on every request, as the official SDK sends them for that
 * version: `x-api-key` (SDK 0.x, versions before 2026-10-21), `Authorization: Bearer` from
 * 2026-10-21 on (SDK 1.x). Versions are dates, so they compare as strings.
 */
function headersFor(d: Deployment): Record<string, string> {
  const version = anthropicVersion(d);
  const key = d.credentials.apiKey;
  const auth: Record<string, string> = !key ? {} : version >= ANTHROPIC_BEARER_FROM_VERSION ? { authorization: `Bearer ${key}` } : { 'x-api-key': key };
  return jsonHeaders(d, { 'anthropic-version': version, ...auth });
}

const STOP_REASONS: Record<string, string> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter' };

/** max_tokens is required there; system messages go in `system`. */
function messagesRequest(d: Deployment, payload: Payload): WireRequest {
  const p = jsonPayload(payload);
  const { system, turns } = splitSystem(p.messages);
  const body = {
    model: d.providerModel,
    max_tokens: requiredMaxTokens(d, p),
    messages: turns.map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: textOf(m.content) })),
    ...(system ? { system } : {}),
    ...rest(p, ['messages', 'max_tokens']),
  };
  const headers = headersFor(d);
  headers['content-type'] = 'application/json';
  return { method: 'POST', url: joinUrl(v1Root(d), '/messages'), headers, body: JSON.stringify(body) };
}

/** `content[]` comes back as one OpenAI choice. */
function messageAnswer(json: unknown): unknown {
  if (!isObject(json) || !Array.isArray(json.content)) return json;
  const text = textOf((json.content as unknown[]).filter((c) => isObject(c) && c.type === 'text'));
  const reason = typeof json.stop_reason === 'string' ? STOP_REASONS[json.stop_reason] ?? json.stop_reason : undefined;
  const usage = isObject(json.usage) ? openAiUsage(json.usage.input_tokens, json.usage.output_tokens) : undefined;
  return chatCompletion(text, reason, json.model, usage);
}

/**
 * Anthropic Messages API: `POST /v1/messages` with the key and `anthropic-version`, and
 * `GET /v1/models` (already `{data: […]}`) for the free probe. Errors are
 * `{type: "error", error: {type, message}}`; 529 (overloaded) is a server error by its status.
 */
export const anthropic: Provider = {
  name: 'anthropic',
  genAiProvider: 'anthropic',
  defaultBase: ANTHROPIC_DEFAULT_BASE,
  envDefaults: {
    api_key: ['ANTHROPIC_API_KEY'],
    api_base: ['ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL'],
  },
  headerAliases: {
    'anthropic-ratelimit-requests-remaining': 'x-ratelimit-remaining-requests',
    'anthropic-ratelimit-tokens-remaining': 'x-ratelimit-remaining-tokens',
  },
  operations: {
    chat: { build: messagesRequest, parse: messageAnswer },
    models_list: { build: (d) => ({ method: 'GET', url: joinUrl(v1Root(d), '/models'), headers: headersFor(d) }) },
  },
  reusableRequests: true,
  errorMessage: openAiErrorMessage,
};
