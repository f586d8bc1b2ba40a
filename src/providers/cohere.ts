import type { Deployment } from '../core/deployment.js';
import { ProbeError } from '../core/errors.js';
import type { Payload, Provider, WireRequest } from './types.js';
import { joinUrl, openAiErrorMessage } from './openai.js';
import { chatCompletion, openAiUsage, embeddingList, isObject, jsonHeaders, jsonPayload, modelList, rest, textOf, trimBase, whenObject } from './translate.js';

export const COHERE_DEFAULT_BASE = 'https://api.cohere.com';

const FINISH_REASONS: Record<string, string> = { COMPLETE: 'stop', STOP_SEQUENCE: 'stop', MAX_TOKENS: 'length', TOOL_CALL: 'tool_calls' };

/** A bearer key, and the Accept that Cohere's SDK sends (any type). */
function headersFor(d: Deployment): Record<string, string> {
  return jsonHeaders(d, d.credentials.apiKey ? { authorization: `Bearer ${d.credentials.apiKey}` } : {}, '*/*');
}

/** An api_base may name a version (…/v1, …/v2): each call picks its own. */
function root(d: Deployment): string {
  return trimBase(d.apiBase ?? COHERE_DEFAULT_BASE).replace(/\/v[12]$/, '');
}

/** A v2 call: the payload translated by `toBody`, with the model. */
function v2(path: string, toBody: (p: Record<string, unknown>) => Record<string, unknown>) {
  return (d: Deployment, payload: Payload): WireRequest => {
    const headers = headersFor(d);
    headers['content-type'] = 'application/json';
    const body = { model: d.providerModel, ...toBody(jsonPayload(payload)) };
    return { method: 'POST', url: joinUrl(root(d), path), headers, body: JSON.stringify(body) };
  };
}

function chatBody(p: Record<string, unknown>): Record<string, unknown> {
  const messages = (Array.isArray(p.messages) ? p.messages : []) as Array<{ role: string; content: unknown }>;
  return {
    messages: messages.map((m) => ({ role: m.role === 'developer' ? 'system' : m.role, content: textOf(m.content) })),
    ...(typeof p.max_tokens === 'number' ? { max_tokens: p.max_tokens } : {}),
    // Cohere's SDK says it; the API's default is the same.
    stream: false,
    ...rest(p, ['messages', 'max_tokens']),
  };
}

/** `message.content[]` as a choice; a finish_reason of ERROR or TIMEOUT on a 200 is a failed generation. */
function chatAnswer(json: Record<string, unknown>): unknown {
  const reason = typeof json.finish_reason === 'string' ? json.finish_reason : undefined;
  if (reason === 'ERROR' || reason === 'TIMEOUT') throw new ProbeError('bad_response', `200 with finish_reason ${reason}: the generation failed`, { status: 200 });
  const message = isObject(json.message) ? json.message : undefined;
  if (!message) return {};
  const content = Array.isArray(message.content) ? message.content.filter((c) => isObject(c) && c.type === 'text') : [];
  // v2 chat: usage.billed_units (what is billed) or usage.tokens.
  const u = isObject(json.usage) ? json.usage : {};
  const billed = isObject(u.billed_units) ? u.billed_units : isObject(u.tokens) ? u.tokens : {};
  return chatCompletion(textOf(content), reason ? FINISH_REASONS[reason] ?? reason.toLowerCase() : undefined, undefined, openAiUsage(billed.input_tokens, billed.output_tokens));
}

/**
 * Cohere API v2 (docs.cohere.com/v2/reference): `POST /v2/chat`, `/v2/embed`, `/v2/rerank`, and
 * `GET /v1/models` for the free probe, with a bearer key. `message.content[]` comes back as a
 * choice, `embeddings.float[0]` as `data[0].embedding`; rerank `results` are already what the
 * plugin reads. Errors are `{"id", "message"}`; a finish_reason of ERROR or TIMEOUT on a 200 is
 * a failed generation, typed bad_response.
 */
export const cohere: Provider = {
  name: 'cohere',
  genAiProvider: 'cohere',
  defaultBase: COHERE_DEFAULT_BASE,
  envDefaults: {
    api_key: ['COHERE_API_KEY', 'CO_API_KEY'],
    api_base: ['COHERE_API_BASE'],
  },
  operations: {
    chat: { build: v2('/v2/chat', chatBody), parse: whenObject(chatAnswer) },
    embedding: {
      build: v2('/v2/embed', (p) => {
        const input = Array.isArray(p.input) ? p.input : [p.input];
        return { texts: input.map(textOf), input_type: 'search_query', embedding_types: ['float'], ...rest(p, ['input']) };
      }),
      parse: whenObject((json) => {
        const floats = isObject(json.embeddings) ? json.embeddings.float : json.embeddings;
        return embeddingList(Array.isArray(floats) ? floats[0] : undefined);
      }),
    },
    rerank: {
      build: v2('/v2/rerank', (p) => ({
        query: p.query, documents: p.documents, ...(p.top_n !== undefined ? { top_n: p.top_n } : {}), ...rest(p, ['query', 'documents', 'top_n']),
      })),
    },
    models_list: {
      build: (d) => ({ method: 'GET', url: joinUrl(root(d), '/v1/models'), headers: headersFor(d) }),
      parse: whenObject((json) => modelList(json.models)),
    },
  },
  reusableRequests: true,
  errorMessage: openAiErrorMessage,
};
