import type { Deployment } from '../config/deployment.js';
import type { Dialect, Operation, WireRequest } from './types.js';

export const OPENAI_DEFAULT_BASE = 'https://api.openai.com/v1';

/** Path of each operation under an OpenAI-compatible base (…/v1). */
export const OPENAI_PATHS: Record<Operation, string> = {
  chat: '/chat/completions',
  completion: '/completions',
  responses: '/responses',
  embedding: '/embeddings',
  image_generation: '/images/generations',
  image_edit: '/images/edits',
  audio_transcription: '/audio/transcriptions',
  audio_speech: '/audio/speech',
  batch_list: '/batches',
  rerank: '/rerank',
  moderation: '/moderations',
  models_list: '/models',
  realtime: '/realtime',
};

/** Appends a path to a base URL, keeping the base's own path and query (some gateways need it). */
export function joinUrl(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url;
}

export function encodeBody(payload: Record<string, unknown> | FormData | undefined, headers: Record<string, string>): WireRequest['body'] {
  if (payload === undefined) return undefined;
  if (payload instanceof FormData) return payload; // undici sets the multipart content type
  headers['content-type'] = 'application/json';
  return JSON.stringify(payload);
}

export function methodOf(op: Operation): WireRequest['method'] {
  if (op === 'realtime') return 'WS';
  return op === 'models_list' || op === 'batch_list' ? 'GET' : 'POST';
}

/** http(s):// → ws(s):// for the realtime handshake. */
export function toWebSocketUrl(url: URL): URL {
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

/**
 * OpenAI's reasoning models (o-series, gpt-5) reject max_tokens and take max_completion_tokens;
 * so do Azure deployments of them.
 */
export function reasoningBody(d: Deployment, op: Operation, payload: Record<string, unknown> | FormData | undefined) {
  if (!d.reasoning || op !== 'chat' || !payload || payload instanceof FormData || !('max_tokens' in payload)) return payload;
  const { max_tokens, ...rest } = payload;
  return { ...rest, max_completion_tokens: max_tokens };
}

/** `{"error": {"message": …}}`, OpenAI's and most compatible servers' error body. */
export function openAiErrorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const err = (body as { error?: unknown }).error;
    if (typeof err === 'string') return err;
    if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
      return (err as { message: string }).message;
    }
    const detail = (body as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail;
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return undefined;
}

function withModel(d: Deployment, op: Operation, payload: Record<string, unknown> | FormData | undefined) {
  if (methodOf(op) !== 'POST') return undefined;
  if (payload instanceof FormData) {
    if (!payload.has('model')) payload.set('model', d.providerModel);
    return payload;
  }
  return { model: d.providerModel, ...payload };
}

/** OpenAI and every OpenAI-compatible server (vLLM, LM Studio, gateways with an api_base). */
export function openAiDialect(name: string, genAiProvider: string, defaultBase?: string): Dialect {
  return {
    name,
    genAiProvider,
    defaultBase,
    supports: () => true,
    build(d, op, payload) {
      const base = d.apiBase ?? defaultBase;
      if (!base) throw new Error(`no api_base for provider "${name}"`);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (d.credentials.apiKey) headers.authorization = `Bearer ${d.credentials.apiKey}`;
      if (d.credentials.organization) headers['openai-organization'] = d.credentials.organization;
      Object.assign(headers, lowerKeys(d.credentials.extraHeaders));
      const method = methodOf(op);
      const url = joinUrl(base, OPENAI_PATHS[op]);
      if (op === 'batch_list') url.searchParams.set('limit', '1');
      if (method === 'WS') {
        url.searchParams.set('model', d.providerModel);
        headers['openai-beta'] = 'realtime=v1';
        return { method, url: toWebSocketUrl(url), headers };
      }
      return { method, url, headers, body: encodeBody(withModel(d, op, reasoningBody(d, op, payload)), headers) };
    },
    errorMessage: openAiErrorMessage,
  };
}

export function lowerKeys(h: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}
