import { ProbeError } from '../core/errors.js';
import type { Dialect } from './types.js';
import { joinUrl, openAiErrorMessage } from './openai.js';
import { chatCompletion, embeddingList, isObject, jsonHeaders, jsonPayload, modelList, rest, textOf, trimBase } from './translate.js';

export const COHERE_DEFAULT_BASE = 'https://api.cohere.com';

const FINISH_REASONS: Record<string, string> = { COMPLETE: 'stop', STOP_SEQUENCE: 'stop', MAX_TOKENS: 'length', TOOL_CALL: 'tool_calls' };

/**
 * Cohere API v2 (docs.cohere.com/v2/reference): `POST /v2/chat`, `/v2/embed`, `/v2/rerank`, and
 * `GET /v1/models` for the free probe, with a bearer key. `message.content[]` comes back as a
 * choice, `embeddings.float[0]` as `data[0].embedding`; rerank `results` are already what the
 * plugin reads. Errors are `{"id", "message"}`; a finish_reason of ERROR or TIMEOUT on a 200 is
 * a failed generation, typed bad_response.
 */
export const cohereDialect: Dialect = {
  name: 'cohere',
  genAiProvider: 'cohere',
  defaultBase: COHERE_DEFAULT_BASE,
  supports: (op) => op === 'chat' || op === 'embedding' || op === 'rerank' || op === 'models_list',
  build(d, op, payload) {
    const headers = jsonHeaders(d, d.credentials.apiKey ? { authorization: `Bearer ${d.credentials.apiKey}` } : {});
    // An api_base may name a version (…/v1, …/v2): each call picks its own.
    const root = trimBase(d.apiBase ?? COHERE_DEFAULT_BASE).replace(/\/v[12]$/, '');
    if (op === 'models_list') return { method: 'GET', url: joinUrl(root, '/v1/models'), headers };
    const p = jsonPayload(payload);
    let path: string;
    let body: Record<string, unknown>;
    if (op === 'embedding') {
      path = '/v2/embed';
      const input = Array.isArray(p.input) ? p.input : [p.input];
      body = { model: d.providerModel, texts: input.map(textOf), input_type: 'search_query', embedding_types: ['float'], ...rest(p, ['input']) };
    } else if (op === 'rerank') {
      path = '/v2/rerank';
      body = { model: d.providerModel, query: p.query, documents: p.documents, ...(p.top_n !== undefined ? { top_n: p.top_n } : {}), ...rest(p, ['query', 'documents', 'top_n']) };
    } else {
      path = '/v2/chat';
      const messages = (Array.isArray(p.messages) ? p.messages : []) as Array<{ role: string; content: unknown }>;
      body = {
        model: d.providerModel,
        messages: messages.map((m) => ({ role: m.role === 'developer' ? 'system' : m.role, content: textOf(m.content) })),
        ...(typeof p.max_tokens === 'number' ? { max_tokens: p.max_tokens } : {}),
        ...rest(p, ['messages', 'max_tokens']),
      };
    }
    headers['content-type'] = 'application/json';
    return { method: 'POST', url: joinUrl(root, path), headers, body: JSON.stringify(body) };
  },
  parse(op, json) {
    if (!isObject(json)) return json;
    if (op === 'models_list') return modelList(json.models);
    if (op === 'embedding') {
      const floats = isObject(json.embeddings) ? json.embeddings.float : json.embeddings;
      return embeddingList(Array.isArray(floats) ? floats[0] : undefined);
    }
    if (op !== 'chat') return json;
    const reason = typeof json.finish_reason === 'string' ? json.finish_reason : undefined;
    if (reason === 'ERROR' || reason === 'TIMEOUT') throw new ProbeError('bad_response', `200 with finish_reason ${reason}: the generation failed`, { status: 200 });
    const message = isObject(json.message) ? json.message : undefined;
    if (!message) return {};
    const content = Array.isArray(message.content) ? message.content.filter((c) => isObject(c) && c.type === 'text') : [];
    return chatCompletion(textOf(content), reason ? FINISH_REASONS[reason] ?? reason.toLowerCase() : undefined);
  },
  errorMessage: openAiErrorMessage,
};
