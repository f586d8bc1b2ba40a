import type { Dialect } from './types.js';
import { joinUrl, openAiErrorMessage } from './openai.js';
import { chatCompletion, isObject, jsonHeaders, jsonPayload, requiredMaxTokens, rest, splitSystem, textOf, trimBase } from './translate.js';

export const ANTHROPIC_DEFAULT_BASE = 'https://api.anthropic.com';
/** The API version header every Anthropic request needs. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** `…/v1` of an Anthropic base, whether it was given as the host, `…/v1` or `…/v1/messages`. */
function v1Root(base: string): string {
  const b = trimBase(base).replace(/\/messages$/, '');
  return b.endsWith('/v1') ? b : `${b}/v1`;
}

const STOP_REASONS: Record<string, string> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter' };

/**
 * Anthropic Messages API: `POST /v1/messages` with `x-api-key` and `anthropic-version`.
 * max_tokens is required there; system messages go in `system`. `content[]` comes back as one
 * OpenAI choice. Errors are `{type: "error", error: {type, message}}`; 529 (overloaded) is a
 * server error by its status.
 */
export const anthropicDialect: Dialect = {
  name: 'anthropic',
  genAiProvider: 'anthropic',
  defaultBase: ANTHROPIC_DEFAULT_BASE,
  supports: (op) => op === 'chat' || op === 'models_list',
  headerAliases: {
    'anthropic-ratelimit-requests-remaining': 'x-ratelimit-remaining-requests',
    'anthropic-ratelimit-tokens-remaining': 'x-ratelimit-remaining-tokens',
  },
  build(d, op, payload) {
    const headers = jsonHeaders(d, {
      'anthropic-version': ANTHROPIC_VERSION,
      ...(d.credentials.apiKey ? { 'x-api-key': d.credentials.apiKey } : {}),
    });
    const root = v1Root(d.apiBase ?? ANTHROPIC_DEFAULT_BASE);
    if (op === 'models_list') return { method: 'GET', url: joinUrl(root, '/models'), headers };
    const p = jsonPayload(payload);
    const { system, turns } = splitSystem(p.messages);
    const body = {
      model: d.providerModel,
      max_tokens: requiredMaxTokens(d, p),
      messages: turns.map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: textOf(m.content) })),
      ...(system ? { system } : {}),
      ...rest(p, ['messages', 'max_tokens']),
    };
    headers['content-type'] = 'application/json';
    return { method: 'POST', url: joinUrl(root, '/messages'), headers, body: JSON.stringify(body) };
  },
  parse(op, json) {
    if (op !== 'chat' || !isObject(json) || !Array.isArray(json.content)) return json;
    const text = textOf((json.content as unknown[]).filter((c) => isObject(c) && c.type === 'text'));
    const reason = typeof json.stop_reason === 'string' ? STOP_REASONS[json.stop_reason] ?? json.stop_reason : undefined;
    return chatCompletion(text, reason, json.model);
  },
  errorMessage: openAiErrorMessage,
};
