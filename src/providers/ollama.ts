import type { Deployment } from '../core/deployment.js';
import type { Payload, Provider, WireRequest } from './types.js';
import { joinUrl, openAiErrorMessage } from './openai.js';
import { chatCompletion, openAiUsage, embeddingList, isObject, jsonHeaders, jsonPayload, modelList, nestedMaxTokens, rest, textOf, trimBase, whenObject } from './translate.js';

export const OLLAMA_DEFAULT_BASE = 'http://localhost:11434';

function headersFor(d: Deployment): Record<string, string> {
  return jsonHeaders(d, d.credentials.apiKey ? { authorization: `Bearer ${d.credentials.apiKey}` } : {});
}

/** An api_base written for Ollama's OpenAI-compatible routes (…/v1) still means the server. */
function url(d: Deployment, path: string): URL {
  return joinUrl(trimBase(d.apiBase ?? OLLAMA_DEFAULT_BASE).replace(/\/v1$/, ''), path);
}

function post(d: Deployment, path: string, body: Record<string, unknown>): WireRequest {
  const headers = headersFor(d);
  headers['content-type'] = 'application/json';
  return { method: 'POST', url: url(d, path), headers, body: JSON.stringify(body) };
}

/** `/api/chat` (messages) and `/api/generate` (prompt): no streaming, max_tokens as options.num_predict. */
function generate(kind: 'chat' | 'completion') {
  return (d: Deployment, payload: Payload): WireRequest => {
    const p = jsonPayload(payload);
    const messages = (Array.isArray(p.messages) ? p.messages : []) as Array<{ role: string; content: unknown }>;
    return post(d, kind === 'chat' ? '/api/chat' : '/api/generate', {
      model: d.providerModel,
      ...(kind === 'chat' ? { messages: messages.map((m) => ({ role: m.role, content: textOf(m.content) })) } : { prompt: textOf(p.prompt) }),
      stream: false,
      ...nestedMaxTokens(p, ['messages', 'prompt'], { object: 'options', field: 'num_predict' }),
    });
  };
}

function doneReason(json: Record<string, unknown>): string | undefined {
  return typeof json.done_reason === 'string' ? json.done_reason : undefined;
}

/**
 * Ollama's native API (github.com/ollama/ollama/blob/main/docs/api.md), for `ollama/` and
 * `ollama_chat/`: `POST /api/chat` and `/api/generate` with `stream: false` and max_tokens as
 * `options.num_predict`, `POST /api/embed` with `input`, `GET /api/tags` for the free probe.
 * Default base http://localhost:11434; a key (Ollama's cloud, or a proxy in front) goes as a
 * bearer. Errors are `{"error": "…"}`.
 */
export const ollama: Provider = {
  name: 'ollama',
  genAiProvider: '_OTHER',
  defaultBase: OLLAMA_DEFAULT_BASE,
  envDefaults: { api_key: ['OLLAMA_API_KEY'], api_base: ['OLLAMA_API_BASE'] },
  operations: {
    chat: {
      build: generate('chat'),
      parse: whenObject((json) => (isObject(json.message) ? chatCompletion(textOf(json.message.content), doneReason(json), json.model, openAiUsage(json.prompt_eval_count, json.eval_count)) : {})),
    },
    completion: {
      build: generate('completion'),
      parse: whenObject((json) => (typeof json.response === 'string'
        ? { object: 'text_completion', choices: [{ index: 0, text: json.response, finish_reason: doneReason(json) ?? null }] }
        : {})),
    },
    embedding: {
      build: (d, payload) => {
        const p = jsonPayload(payload);
        return post(d, '/api/embed', { model: d.providerModel, input: Array.isArray(p.input) ? p.input.map(textOf) : [textOf(p.input)], ...rest(p, ['input']) });
      },
      parse: whenObject((json) => embeddingList(Array.isArray(json.embeddings) ? json.embeddings[0] : undefined)),
    },
    models_list: {
      build: (d) => ({ method: 'GET', url: url(d, '/api/tags'), headers: headersFor(d) }),
      parse: whenObject((json) => modelList(json.models)),
    },
  },
  reusableRequests: true,
  errorMessage: openAiErrorMessage,
};
