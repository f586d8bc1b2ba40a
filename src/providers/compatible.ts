import type { Dialect, ErrorDetails } from './types.js';
import type { Operation } from '../core/operation.js';
import { openAiDialect, openAiErrorMessage, type CompatibleOptions } from './openai.js';
import { isObject, modelList, trimBase } from './translate.js';

/**
 * Providers that speak the OpenAI wire format under their own base, key and
 * gen_ai.provider.name. Each lists only the OpenAI operations it serves (the others are
 * `unsupported`, not a 404 at probe time), and only OpenAI and Azure get max_completion_tokens for
 * reasoning models: these document max_tokens (vLLM takes both and keeps OpenAI's rule).
 */
const CHAT_ONLY: readonly Operation[] = ['chat'];

/** Together's GET /models answers a bare array, not `{data: [...]}`. */
function bareModelList(op: Operation, json: unknown): unknown {
  return op === 'models_list' && Array.isArray(json) ? modelList(json) : json;
}

/** Mistral's API lives under /v1; LiteLLM appends it to an api_base that lacks it, and so do we. */
function withV1(base: string): string {
  const b = trimBase(base);
  return b.endsWith('/v1') ? b : `${b}/v1`;
}

/**
 * Several of these answer a bad key or an unknown model with a 400 (xAI: "Incorrect API key
 * provided"; Mistral, DeepSeek, OpenRouter, Perplexity: "Invalid model", "Model Not Exist", …).
 * Their bodies say which: typed auth and not_found, as the same failure is everywhere else.
 */
export function compatibleErrorDetails(status: number, body: unknown): ErrorDetails | undefined {
  if (status !== 400 && status !== 422) return undefined;
  const err = isObject(body) && isObject(body.error) ? body.error : isObject(body) ? body : {};
  const words = [openAiErrorMessage(body), err.type, err.code].filter((w) => typeof w === 'string').join(' ');
  if (/\b(incorrect|invalid|missing|no) api key\b|api key (provided )?(is )?(invalid|not valid)|authentication fails/i.test(words)) return { type: 'auth' };
  if (/invalid_model|invalid model|model not exist|not a valid model|model .*(does not exist|not found)|unknown model/i.test(words)) return { type: 'not_found' };
  return undefined;
}

/** The family's common options: only max_tokens, and their 400s read. */
const FAMILY: CompatibleOptions = { maxCompletionTokens: false, errorDetails: compatibleErrorDetails };

/** Azure AI Foundry and Azure-hosted endpoints take the key as `api-key`; serverless ones as a bearer. */
const AZURE_KEY_HOST = /\.(services\.ai|openai)\.azure\.com$/i;

export const COMPATIBLE_DIALECTS: ReadonlyArray<[string, Dialect]> = [
  ['groq', openAiDialect('groq', 'groq', 'https://api.groq.com/openai/v1', {
    ...FAMILY, ops: ['chat', 'responses', 'audio_transcription', 'audio_speech', 'batch_list', 'models_list'],
  })],
  ['mistral', openAiDialect('mistral', 'mistral_ai', 'https://api.mistral.ai/v1', {
    ...FAMILY, ops: ['chat', 'embedding', 'moderation', 'audio_transcription', 'models_list'], base: withV1,
  })],
  ['deepseek', openAiDialect('deepseek', 'deepseek', 'https://api.deepseek.com', {
    ...FAMILY, ops: ['chat', 'models_list'],
  })],
  ['together_ai', openAiDialect('together_ai', '_OTHER', 'https://api.together.xyz/v1', {
    ...FAMILY, ops: ['chat', 'completion', 'embedding', 'image_generation', 'rerank', 'audio_speech', 'audio_transcription', 'models_list'],
    parse: bareModelList,
  })],
  ['fireworks_ai', openAiDialect('fireworks_ai', '_OTHER', 'https://api.fireworks.ai/inference/v1', {
    ...FAMILY, ops: ['chat', 'completion', 'embedding', 'models_list'],
  })],
  ['openrouter', openAiDialect('openrouter', '_OTHER', 'https://openrouter.ai/api/v1', {
    ...FAMILY, ops: ['chat', 'completion', 'embedding', 'models_list'],
  })],
  ['xai', openAiDialect('xai', 'x_ai', 'https://api.x.ai/v1', {
    ...FAMILY, ops: ['chat', 'completion', 'responses', 'image_generation', 'models_list'],
  })],
  ['perplexity', openAiDialect('perplexity', 'perplexity', 'https://api.perplexity.ai', {
    ...FAMILY, ops: CHAT_ONLY,
  })],
  ['hosted_vllm', openAiDialect('hosted_vllm', '_OTHER', undefined, {
    ...FAMILY, maxCompletionTokens: true,
    ops: ['chat', 'completion', 'responses', 'embedding', 'rerank', 'audio_transcription', 'models_list'], baseHint: 'HOSTED_VLLM_API_BASE',
  })],
  ['lm_studio', openAiDialect('lm_studio', '_OTHER', 'http://localhost:1234/v1', {
    ...FAMILY, ops: ['chat', 'completion', 'responses', 'embedding', 'models_list'],
  })],
  ['azure_ai', openAiDialect('azure_ai', 'azure.ai.inference', undefined, {
    ...FAMILY,
    ops: ['chat', 'embedding'],
    baseHint: 'AZURE_AI_API_BASE',
    apiVersionQuery: true,
    auth: (d, base): Record<string, string> => {
      const key = d.credentials.apiKey;
      if (!key) return {};
      return AZURE_KEY_HOST.test(base.hostname) ? { 'api-key': key } : { authorization: `Bearer ${key}` };
    },
    // Azure AI Foundry (…services.ai.azure.com) serves its models under /models.
    pathPrefix: (base) => (/\.services\.ai\.azure\.com$/i.test(base.hostname) && !/\/models\/?$/.test(base.pathname) ? '/models' : ''),
  })],
];
