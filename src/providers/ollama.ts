import type { Dialect } from './types.js';
import { joinUrl, openAiErrorMessage } from './openai.js';
import { chatCompletion, embeddingList, isObject, jsonHeaders, jsonPayload, modelList, nestedMaxTokens, rest, textOf, trimBase } from './translate.js';

export const OLLAMA_DEFAULT_BASE = 'http://localhost:11434';

const PATHS = { chat: '/api/chat', completion: '/api/generate', embedding: '/api/embed', models_list: '/api/tags' } as const;

/**
 * Ollama's native API (github.com/ollama/ollama/blob/main/docs/api.md), for `ollama/` and
 * `ollama_chat/`: `POST /api/chat` and `/api/generate` with `stream: false` and max_tokens as
 * `options.num_predict`, `POST /api/embed` with `input`, `GET /api/tags` for the free probe.
 * Default base http://localhost:11434; a key (Ollama's cloud, or a proxy in front) goes as a
 * bearer. Errors are `{"error": "…"}`.
 */
export const ollamaDialect: Dialect = {
  name: 'ollama',
  genAiProvider: '_OTHER',
  defaultBase: OLLAMA_DEFAULT_BASE,
  supports: (op) => op in PATHS,
  build(d, op, payload) {
    const headers = jsonHeaders(d, d.credentials.apiKey ? { authorization: `Bearer ${d.credentials.apiKey}` } : {});
    // An api_base written for Ollama's OpenAI-compatible routes (…/v1) still means the server.
    const root = trimBase(d.apiBase ?? OLLAMA_DEFAULT_BASE).replace(/\/v1$/, '');
    const url = joinUrl(root, PATHS[op as keyof typeof PATHS]);
    if (op === 'models_list') return { method: 'GET', url, headers };
    const p = jsonPayload(payload);
    let body: Record<string, unknown>;
    if (op === 'embedding') {
      body = { model: d.providerModel, input: Array.isArray(p.input) ? p.input.map(textOf) : [textOf(p.input)], ...rest(p, ['input']) };
    } else {
      const messages = (Array.isArray(p.messages) ? p.messages : []) as Array<{ role: string; content: unknown }>;
      body = {
        model: d.providerModel,
        ...(op === 'chat' ? { messages: messages.map((m) => ({ role: m.role, content: textOf(m.content) })) } : { prompt: textOf(p.prompt) }),
        stream: false,
        ...nestedMaxTokens(p, ['messages', 'prompt'], { object: 'options', field: 'num_predict' }),
      };
    }
    headers['content-type'] = 'application/json';
    return { method: 'POST', url, headers, body: JSON.stringify(body) };
  },
  parse(op, json) {
    if (!isObject(json)) return json;
    const reason = json.done_reason === 'length' ? 'length' : typeof json.done_reason === 'string' ? json.done_reason : undefined;
    switch (op) {
      case 'models_list': return modelList(json.models);
      case 'embedding': return embeddingList(Array.isArray(json.embeddings) ? json.embeddings[0] : undefined);
      case 'chat': return isObject(json.message) ? chatCompletion(textOf(json.message.content), reason, json.model) : {};
      case 'completion':
        return typeof json.response === 'string'
          ? { object: 'text_completion', choices: [{ index: 0, text: json.response, finish_reason: reason ?? null }] }
          : {};
      default: return json;
    }
  },
  errorMessage: openAiErrorMessage,
};
