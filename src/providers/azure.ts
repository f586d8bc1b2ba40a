import type { Deployment } from '../core/deployment.js';
import type { Operation } from '../core/operation.js';
import type { Payload, Provider, WireRequest } from './types.js';
import { OPENAI_OPERATIONS, OPENAI_PATHS, acceptFor, encodeBody, isLimitedList, joinUrl, lowerKeys, methodOf, openAiErrorMessage, operationsOf, reasoningBody, toWebSocketUrl, withModel } from './openai.js';

/** Used when a deployment has no api_version; Azure rejects calls without one. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';
/**
 * Used for the Responses API when a deployment has no api_version: Azure serves it only from
 * 2025-03-01-preview on, so the GA default above would be a false red.
 */
export const AZURE_RESPONSES_DEFAULT_API_VERSION = '2025-04-01-preview';

/**
 * The operations Azure serves per deployment (`/openai/deployments/{name}/…`): the paths the
 * openai SDK's AzureOpenAI client rewrites (completions, chat, embeddings, audio, images, batch
 * creation), plus rerank. The others (responses, moderations, batch and model lists, realtime) are
 * per resource under `/openai/…`, the deployment named in the body (or the query, realtime).
 */
const PER_DEPLOYMENT: ReadonlySet<Operation> = new Set([
  'completion', 'chat', 'embedding', 'audio_transcription', 'audio_speech', 'image_generation', 'image_edit', 'rerank',
]);

/**
 * The version in `api-version`, the key in the `api-key` header (or an Entra ID token as a
 * bearer). Bodies carry the deployment as `model`, as the SDK sends them (Azure routes by the
 * path where there is a deployment in it, by `model` where there is not).
 */
function request(d: Deployment, op: Operation, payload: Payload): WireRequest {
  if (!d.apiBase) throw new Error('azure deployments need litellm_params.api_base');
  const headers: Record<string, string> = { accept: acceptFor(op) };
  if (d.credentials.apiKey) headers['api-key'] = d.credentials.apiKey;
  const adToken = d.params.azure_ad_token;
  if (typeof adToken === 'string' && adToken) headers.authorization = `Bearer ${adToken}`;
  Object.assign(headers, lowerKeys(d.credentials.extraHeaders));
  const base = d.apiBase.replace(/\/+$/, '').replace(/\/openai$/, '');
  if (VIDEO_OPS.has(op)) return videoRequest(d, op, base, headers, payload);
  const path = PER_DEPLOYMENT.has(op)
    ? `/openai/deployments/${encodeURIComponent(d.providerModel)}${OPENAI_PATHS[op]}`
    : `/openai${OPENAI_PATHS[op]}`;
  const url = joinUrl(base, path);
  url.searchParams.set('api-version', d.apiVersion ?? (op === 'responses' ? AZURE_RESPONSES_DEFAULT_API_VERSION : AZURE_DEFAULT_API_VERSION));
  if (isLimitedList(op)) url.searchParams.set('limit', '1');
  const method = methodOf(op);
  if (method === 'WS') {
    url.searchParams.set('deployment', d.providerModel);
    return { method, url: toWebSocketUrl(url), headers };
  }
  return { method, url, headers, body: encodeBody(withModel(d, op, reasoningBody(d, op, payload)), headers) };
}

const VIDEO_OPS: ReadonlySet<Operation> = new Set(['video_generation', 'video_list']);

/**
 * Azure's video API (Sora) is its v1 API, as LiteLLM calls it: `{api_base}/openai/v1/videos`, the
 * deployment as the body's model, and an `api-version` only when the deployment sets one.
 */
function videoRequest(d: Deployment, op: Operation, base: string, headers: Record<string, string>, payload: Payload): WireRequest {
  const url = joinUrl(base, `/openai/v1${OPENAI_PATHS[op]}`);
  if (d.apiVersion) url.searchParams.set('api-version', d.apiVersion);
  if (isLimitedList(op)) url.searchParams.set('limit', '1');
  const method = methodOf(op);
  return { method, url, headers, body: encodeBody(withModel(d, op, payload), headers) };
}

/** Azure OpenAI: every OpenAI operation, per deployment or per resource as above (videos on the v1 API). */
export const azure: Provider = {
  name: 'azure',
  genAiProvider: 'azure.ai.openai',
  envDefaults: {
    api_key: ['AZURE_API_KEY', 'AZURE_OPENAI_API_KEY'],
    api_base: ['AZURE_API_BASE', 'AZURE_OPENAI_ENDPOINT'],
    api_version: ['AZURE_API_VERSION', 'OPENAI_API_VERSION'],
  },
  operations: operationsOf(OPENAI_OPERATIONS, request),
  reusableRequests: true,
  errorMessage: openAiErrorMessage,
};

/** LiteLLM's azure_text/ route: the same API. It has taken no params from the environment so far. */
export const azureText: Provider = { ...azure, envDefaults: {} };
