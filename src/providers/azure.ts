import type { Deployment } from '../core/deployment.js';
import type { Operation } from '../core/operation.js';
import type { Payload, Provider, WireRequest } from './types.js';
import { OPENAI_OPERATIONS, OPENAI_PATHS, encodeBody, isLimitedList, joinUrl, lowerKeys, methodOf, openAiErrorMessage, operationsOf, reasoningBody, toWebSocketUrl } from './openai.js';

/** Used when a deployment has no api_version; Azure rejects calls without one. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/**
 * The deployment name is in the path, the version in `api-version`, the key in the `api-key`
 * header (or an Entra ID token as a bearer). Files and batches are not per deployment.
 */
function request(d: Deployment, op: Operation, payload: Payload): WireRequest {
  if (!d.apiBase) throw new Error('azure deployments need litellm_params.api_base');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (d.credentials.apiKey) headers['api-key'] = d.credentials.apiKey;
  const adToken = d.params.azure_ad_token;
  if (typeof adToken === 'string' && adToken) headers.authorization = `Bearer ${adToken}`;
  Object.assign(headers, lowerKeys(d.credentials.extraHeaders));
  const base = d.apiBase.replace(/\/+$/, '').replace(/\/openai$/, '');
  if (VIDEO_OPS.has(op)) return videoRequest(d, op, base, headers, payload);
  // Batches, files, models and the realtime endpoint are per resource, not per deployment.
  const perDeployment = op !== 'batch_list' && op !== 'models_list' && op !== 'realtime';
  const path = perDeployment
    ? `/openai/deployments/${encodeURIComponent(d.providerModel)}${OPENAI_PATHS[op]}`
    : `/openai${OPENAI_PATHS[op]}`;
  const url = joinUrl(base, path);
  url.searchParams.set('api-version', d.apiVersion ?? AZURE_DEFAULT_API_VERSION);
  if (isLimitedList(op)) url.searchParams.set('limit', '1');
  const method = methodOf(op);
  if (method === 'WS') {
    url.searchParams.set('deployment', d.providerModel);
    return { method, url: toWebSocketUrl(url), headers };
  }
  // The deployment in the path picks the model; the body carries none.
  return { method, url, headers, body: method === 'GET' ? undefined : encodeBody(reasoningBody(d, op, payload), headers) };
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
  if (method !== 'POST') return { method, url, headers };
  if (payload instanceof FormData) {
    if (!payload.has('model')) payload.set('model', d.providerModel);
    return { method, url, headers, body: encodeBody(payload, headers) };
  }
  return { method, url, headers, body: encodeBody({ model: d.providerModel, ...payload }, headers) };
}

/** Azure OpenAI: every OpenAI operation, per deployment (videos per resource, as above). */
export const azure: Provider = {
  name: 'azure',
  genAiProvider: 'azure.ai.openai',
  envDefaults: {
    api_key: ['AZURE_API_KEY', 'AZURE_OPENAI_API_KEY'],
    api_base: ['AZURE_API_BASE', 'AZURE_OPENAI_ENDPOINT'],
    api_version: ['AZURE_API_VERSION', 'OPENAI_API_VERSION'],
  },
  operations: operationsOf(OPENAI_OPERATIONS, request),
  errorMessage: openAiErrorMessage,
};

/** LiteLLM's azure_text/ route: the same API. It has taken no params from the environment so far. */
export const azureText: Provider = { ...azure, envDefaults: {} };
