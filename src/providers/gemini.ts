import type { Deployment } from '../core/deployment.js';
import type { ErrorDetails, Payload, Provider, WireRequest } from './types.js';
import { joinUrl, openAiErrorMessage } from './openai.js';
import { embeddingList, isObject, jsonHeaders, jsonPayload, modelList, nestedMaxTokens, openAiUsage, rest, splitSystem, textOf, trimBase, whenObject } from './translate.js';

export const GEMINI_DEFAULT_BASE = 'https://generativelanguage.googleapis.com';

/** `…/v1beta` (or `…/v1`, when the api_base names it) of a Gemini base. */
function versionRoot(base: string): string {
  const b = trimBase(base);
  return /\/v1(beta)?$/.test(b) ? b : `${b}/v1beta`;
}

/** `gemini-2.0-flash` or `models/gemini-2.0-flash` → the model's path segment. */
function modelPath(name: string): string {
  return `/models/${encodeURIComponent(name.replace(/^models\//, ''))}`;
}

const FINISH_REASONS: Record<string, string> = {
  STOP: 'stop', MAX_TOKENS: 'length', SAFETY: 'content_filter', RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter', PROHIBITED_CONTENT: 'content_filter', SPII: 'content_filter',
};

function url(d: Deployment, path: string): URL {
  return joinUrl(versionRoot(d.apiBase ?? GEMINI_DEFAULT_BASE), path);
}

/** The key in `x-goog-api-key` (never in the URL: see below) and any Accept, as Google's SDK sends them. */
function headersFor(d: Deployment): Record<string, string> {
  return jsonHeaders(d, d.credentials.apiKey ? { 'x-goog-api-key': d.credentials.apiKey } : {}, '*/*');
}

function postJson(d: Deployment, method: string, body: Record<string, unknown>): WireRequest {
  const headers = headersFor(d);
  headers['content-type'] = 'application/json';
  return { method: 'POST', url: url(d, `${modelPath(d.providerModel)}:${method}`), headers, body: JSON.stringify(body) };
}

function generateContent(d: Deployment, payload: Payload): WireRequest {
  const p = jsonPayload(payload);
  const { system, turns } = splitSystem(p.messages);
  return postJson(d, 'generateContent', {
    contents: turns.map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: textOf(m.content) }] })),
    ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
    ...nestedMaxTokens(p, ['messages'], { object: 'generationConfig', field: 'maxOutputTokens' }),
  });
}

/**
 * `:batchEmbedContents` with one request, as Google's SDK (and LiteLLM) embed: the content with
 * the user role, the model named again, health_check_params (taskType, outputDimensionality…)
 * in the request.
 */
function batchEmbedContents(d: Deployment, payload: Payload): WireRequest {
  const p = jsonPayload(payload);
  const input = Array.isArray(p.input) ? p.input : [p.input];
  const model = `models/${d.providerModel.replace(/^models\//, '')}`;
  return postJson(d, 'batchEmbedContents', {
    requests: [{ content: { role: 'user', parts: [{ text: textOf(input[0]) }] }, model, ...rest(p, ['input']) }],
  });
}

/** `embeddings[0].values` (batchEmbedContents), or `embedding.values` (embedContent). */
function embeddingAnswer(json: Record<string, unknown>): unknown {
  const first = Array.isArray(json.embeddings) ? json.embeddings[0] : json.embedding;
  return embeddingList(isObject(first) ? first.values : undefined);
}

/** `candidates` come back as choices. */
function candidatesAnswer(json: Record<string, unknown>): unknown {
  const candidates = Array.isArray(json.candidates) ? json.candidates : [];
  return {
    object: 'chat.completion',
    ...(typeof json.modelVersion === 'string' ? { model: json.modelVersion } : {}),
    ...(isObject(json.usageMetadata) ? { usage: openAiUsage(json.usageMetadata.promptTokenCount, json.usageMetadata.candidatesTokenCount) } : {}),
    choices: candidates.map((c: unknown, index: number) => {
      const cand = isObject(c) ? c : {};
      const parts = isObject(cand.content) && Array.isArray(cand.content.parts) ? cand.content.parts : [];
      // Thought summaries are not the answer.
      const text = textOf(parts.filter((p: unknown) => isObject(p) && p.thought !== true));
      const reason = typeof cand.finishReason === 'string' ? FINISH_REASONS[cand.finishReason] ?? cand.finishReason.toLowerCase() : null;
      return { index, message: { role: 'assistant', content: text }, finish_reason: reason };
    }),
  };
}

/**
 * Google AI Studio's Gemini API: `POST {base}/v1beta/models/{model}:generateContent` and
 * `:batchEmbedContents`, `GET /v1beta/models`, the key in the `x-goog-api-key` header as Google's
 * SDK sends it. Never in the URL (`?key=` works at Google, but URLs land in proxy and access
 * logs), never in api_base, so /health, /model/info, spans and logs cannot carry it; redaction
 * removes it from any error text (it is a known secret, and a `key=` an upstream echoes is
 * credential-shaped). `candidates` come back as choices, `embeddings[0].values` as
 * `data[0].embedding`. A bad key is a 400 whose details say API_KEY_INVALID: typed auth.
 */
export const gemini: Provider = {
  name: 'gemini',
  genAiProvider: 'gcp.gemini',
  defaultBase: GEMINI_DEFAULT_BASE,
  envDefaults: {
    api_key: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    api_base: ['GEMINI_API_BASE'],
  },
  operations: {
    chat: { build: generateContent, parse: whenObject(candidatesAnswer) },
    embedding: { build: batchEmbedContents, parse: whenObject(embeddingAnswer) },
    models_list: { build: (d) => ({ method: 'GET', url: url(d, '/models'), headers: headersFor(d) }), parse: whenObject((json) => modelList(json.models)) },
  },
  reusableRequests: true,
  errorMessage: openAiErrorMessage,
  errorDetails: geminiErrorDetails,
};

/** `{"error": {"code", "message", "status", "details": [{reason}, {retryDelay}]}}` (google.rpc.Status). */
function geminiErrorDetails(_status: number, body: unknown): ErrorDetails | undefined {
  const err = isObject(body) && isObject(body.error) ? body.error : undefined;
  if (!err) return undefined;
  const details = Array.isArray(err.details) ? err.details.filter(isObject) : [];
  const reason = details.map((x) => x.reason).find((r): r is string => typeof r === 'string');
  const delay = details.map((x) => x.retryDelay).find((r): r is string => typeof r === 'string');
  const out: ErrorDetails = { code: reason ?? (typeof err.status === 'string' ? err.status : undefined) };
  // A bad or expired key is a 400 INVALID_ARGUMENT at Google, not a 401.
  if (reason === 'API_KEY_INVALID' || reason === 'API_KEY_EXPIRED' || /API key (not valid|expired)/i.test(String(err.message))) out.type = 'auth';
  if (err.status === 'UNAUTHENTICATED' || err.status === 'PERMISSION_DENIED') out.type = 'auth';
  const secs = delay ? Number.parseFloat(delay) : NaN;
  if (Number.isFinite(secs)) out.retryAfterS = Math.max(0, Math.ceil(secs));
  return out;
}
