import type { Deployment } from '../core/deployment.js';
import { OPERATIONS, type Operation } from '../core/operation.js';
import type { EnvDefaults, OperationCodec, OperationTable, Payload, Provider, WireRequest } from './types.js';

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
  ocr: '/ocr',
  video_generation: '/videos',
  video_list: '/videos',
};

/** Read-only list operations: GET, `limit=1`, no body. */
const LIST_OPS: ReadonlySet<Operation> = new Set(['models_list', 'batch_list', 'video_list']);

/** The paths of list operations that take `limit=1` (one item proves the API answers). */
export function isLimitedList(op: Operation): boolean {
  return op === 'batch_list' || op === 'video_list';
}

/** Appends a path to a base URL, keeping the base's own path and query (some gateways need it). */
export function joinUrl(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url;
}

export function encodeBody(payload: Payload, headers: Record<string, string>): WireRequest['body'] {
  if (payload === undefined) return undefined;
  if (payload instanceof FormData) return payload; // undici sets the multipart content type
  headers['content-type'] = 'application/json';
  return JSON.stringify(payload);
}

/** The Accept header OpenAI's SDK sends: JSON, except for speech, whose answer is audio. */
export function acceptFor(op: Operation): string {
  return op === 'audio_speech' ? 'application/octet-stream' : 'application/json';
}

export function methodOf(op: Operation): WireRequest['method'] {
  if (op === 'realtime') return 'WS';
  return LIST_OPS.has(op) ? 'GET' : 'POST';
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
export function reasoningBody(d: Deployment, op: Operation, payload: Payload) {
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

/** The body with the deployment's model, as OpenAI's SDK sends it (a form gets a `model` field). */
export function withModel(d: Deployment, op: Operation, payload: Payload) {
  if (methodOf(op) !== 'POST') return undefined;
  if (payload instanceof FormData) {
    if (!payload.has('model')) payload.set('model', d.providerModel);
    return payload;
  }
  return { model: d.providerModel, ...payload };
}

/**
 * An operations table whose requests differ only by the operation's path and method (the OpenAI
 * wire format): one codec per operation, all built by `request`.
 */
export function operationsOf(
  ops: readonly Operation[],
  request: (d: Deployment, op: Operation, payload: Payload) => WireRequest,
  parse: Partial<Record<Operation, OperationCodec['parse']>> = {},
): OperationTable {
  const table: Partial<Record<Operation, OperationCodec>> = {};
  for (const op of ops) {
    const translate = parse[op];
    table[op] = { build: (d, payload) => request(d, op, payload), ...(translate ? { parse: translate } : {}) };
  }
  return table;
}

/** An OpenAI-compatible provider: its name, base and variables, and how it differs from OpenAI. */
export interface OpenAiCompatibleSpec {
  /** The config prefix. */
  name: string;
  /** gen_ai.provider.name. */
  genAiProvider: string;
  defaultBase?: string;
  /** LiteLLM's environment fallbacks for its params. Default: none. */
  envDefaults?: EnvDefaults;
  /** The operations the provider serves; others are `unsupported`. Default: all. */
  ops?: readonly Operation[];
  /** Operations at a path of their own (not OpenAI's, and without `pathPrefix`): Azure AI's OCR. */
  paths?: Partial<Record<Operation, string>>;
  /**
   * Send reasoning models max_completion_tokens instead of max_tokens (OpenAI's and Azure's
   * rule). Default true; providers that only document max_tokens turn it off.
   */
  maxCompletionTokens?: boolean;
  /** Normalises the base before paths are added (Mistral always needs …/v1). */
  base?: (base: string) => string;
  /** Auth and extra headers; default a bearer key. */
  auth?: (d: Deployment, base: URL, op: Operation) => Record<string, string>;
  /** Path added in front of the operation's path for this base (Azure AI Foundry's /models). */
  pathPrefix?: (base: URL) => string;
  /** api_version as an `api-version` query parameter (Azure AI). */
  apiVersionQuery?: boolean;
  /** Translates answers that are not quite OpenAI's, per operation (Together's bare model list). */
  parse?: Partial<Record<Operation, OperationCodec['parse']>>;
  /** Reads error bodies whose status says too little (a bad key or model answered with 400). */
  errorDetails?: Provider['errorDetails'];
  /** The api_base variables to name when there is neither an api_base nor a default. */
  baseHint?: string;
}

/** OpenAI and every OpenAI-compatible server (vLLM, LM Studio, gateways with an api_base). */
export function openAiCompatible(spec: OpenAiCompatibleSpec): Provider {
  const { name, defaultBase } = spec;
  function request(d: Deployment, op: Operation, payload: Payload): WireRequest {
    const given = d.apiBase ?? defaultBase;
    if (!given) throw new Error(`no api_base for provider "${name}"${spec.baseHint ? ` (set litellm_params.api_base or ${spec.baseHint})` : ''}`);
    const base = spec.base ? spec.base(given) : given;
    const headers: Record<string, string> = { accept: acceptFor(op) };
    if (spec.auth) Object.assign(headers, spec.auth(d, new URL(base), op));
    else if (d.credentials.apiKey) headers.authorization = `Bearer ${d.credentials.apiKey}`;
    if (d.credentials.organization) headers['openai-organization'] = d.credentials.organization;
    Object.assign(headers, lowerKeys(d.credentials.extraHeaders));
    const method = methodOf(op);
    const own = spec.paths?.[op];
    const url = joinUrl(base, own ?? `${spec.pathPrefix?.(new URL(base)) ?? ''}${OPENAI_PATHS[op]}`);
    if (spec.apiVersionQuery && !own && d.apiVersion && !url.searchParams.has('api-version')) url.searchParams.set('api-version', d.apiVersion);
    if (isLimitedList(op)) url.searchParams.set('limit', '1');
    if (method === 'WS') {
      url.searchParams.set('model', d.providerModel);
      headers['openai-beta'] = 'realtime=v1';
      return { method, url: toWebSocketUrl(url), headers };
    }
    const sized = spec.maxCompletionTokens === false ? payload : reasoningBody(d, op, payload);
    return { method, url, headers, body: encodeBody(withModel(d, op, sized), headers) };
  }
  return {
    name,
    genAiProvider: spec.genAiProvider,
    ...(defaultBase ? { defaultBase } : {}),
    envDefaults: spec.envDefaults ?? {},
    operations: operationsOf(spec.ops ?? OPERATIONS, request, spec.parse),
    reusableRequests: true,
    ...(spec.errorDetails ? { errorDetails: spec.errorDetails } : {}),
    errorMessage: openAiErrorMessage,
  };
}

export function lowerKeys(h: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

const OPENAI_KEY_AND_BASE: EnvDefaults = {
  api_key: ['OPENAI_API_KEY'],
  api_base: ['OPENAI_BASE_URL', 'OPENAI_API_BASE'],
};

/** OpenAI's operations: all but OCR, which OpenAI does not serve (LiteLLM sends OCR to Mistral, Azure AI, …). */
export const OPENAI_OPERATIONS: readonly Operation[] = OPERATIONS.filter((op) => op !== 'ocr');

/** OpenAI itself: its operations, a bearer key and OpenAI-Organization. Bare model names are its. */
export const openai: Provider = openAiCompatible({
  name: 'openai',
  genAiProvider: 'openai',
  defaultBase: OPENAI_DEFAULT_BASE,
  envDefaults: { ...OPENAI_KEY_AND_BASE, organization: ['OPENAI_ORGANIZATION'] },
  ops: OPENAI_OPERATIONS,
});

/** LiteLLM's text-completion-openai/ route: OpenAI, without the organization from the environment. */
export const textCompletionOpenAi: Provider = { ...openai, envDefaults: OPENAI_KEY_AND_BASE };
