import type { Operation } from '../core/operation.js';
import type { ErrorDetails, Provider } from './types.js';
import { openAiCompatible, openAiErrorMessage, type OpenAiCompatibleSpec } from './openai.js';
import { isObject, modelList, trimBase } from './translate.js';

/**
 * Providers that speak the OpenAI wire format under their own base, key and
 * gen_ai.provider.name. Each lists only the OpenAI operations it serves (the others are
 * `unsupported`, not a 404 at probe time), and only OpenAI and Azure get max_completion_tokens for
 * reasoning models: these document max_tokens (vLLM takes both and keeps OpenAI's rule).
 */
const CHAT_ONLY: readonly Operation[] = ['chat'];

/** Together's GET /models answers a bare array, not `{data: [...]}`. */
function bareModelList(json: unknown): unknown {
  return Array.isArray(json) ? modelList(json) : json;
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
const FAMILY = { maxCompletionTokens: false, errorDetails: compatibleErrorDetails } satisfies Partial<OpenAiCompatibleSpec>;

/** Azure AI Foundry and Azure-hosted endpoints take the key as `api-key`; serverless ones as a bearer. */
const AZURE_KEY_HOST = /\.(services\.ai|openai)\.azure\.com$/i;

/** Each entry: prefix, gen_ai.provider.name, default base, LiteLLM's variables, the operations served. */
const SPECS: readonly OpenAiCompatibleSpec[] = [
  {
    ...FAMILY, name: 'groq', genAiProvider: 'groq', defaultBase: 'https://api.groq.com/openai/v1',
    envDefaults: { api_key: ['GROQ_API_KEY'], api_base: ['GROQ_API_BASE'] },
    ops: ['chat', 'responses', 'audio_transcription', 'audio_speech', 'batch_list', 'models_list'],
  },
  {
    ...FAMILY, name: 'mistral', genAiProvider: 'mistral_ai', defaultBase: 'https://api.mistral.ai/v1', base: withV1,
    envDefaults: { api_key: ['MISTRAL_AZURE_API_KEY', 'MISTRAL_API_KEY'], api_base: ['MISTRAL_AZURE_API_BASE', 'MISTRAL_API_BASE'] },
    ops: ['chat', 'embedding', 'moderation', 'audio_transcription', 'ocr', 'models_list'],
  },
  {
    ...FAMILY, name: 'deepseek', genAiProvider: 'deepseek', defaultBase: 'https://api.deepseek.com',
    envDefaults: { api_key: ['DEEPSEEK_API_KEY'], api_base: ['DEEPSEEK_API_BASE'] },
    ops: ['chat', 'models_list'],
  },
  {
    ...FAMILY, name: 'together_ai', genAiProvider: '_OTHER', defaultBase: 'https://api.together.xyz/v1',
    envDefaults: {
      api_key: ['TOGETHER_API_KEY', 'TOGETHER_AI_API_KEY', 'TOGETHERAI_API_KEY', 'TOGETHER_AI_TOKEN'],
      api_base: ['TOGETHER_AI_API_BASE', 'TOGETHERAI_API_BASE'],
    },
    ops: ['chat', 'completion', 'embedding', 'image_generation', 'rerank', 'audio_speech', 'audio_transcription', 'models_list'],
    parse: { models_list: bareModelList },
  },
  {
    ...FAMILY, name: 'fireworks_ai', genAiProvider: '_OTHER', defaultBase: 'https://api.fireworks.ai/inference/v1',
    envDefaults: {
      api_key: ['FIREWORKS_API_KEY', 'FIREWORKS_AI_API_KEY', 'FIREWORKSAI_API_KEY', 'FIREWORKS_AI_TOKEN'],
      api_base: ['FIREWORKS_API_BASE', 'FIREWORKS_AI_API_BASE'],
    },
    ops: ['chat', 'completion', 'embedding', 'models_list'],
  },
  {
    ...FAMILY, name: 'openrouter', genAiProvider: '_OTHER', defaultBase: 'https://openrouter.ai/api/v1',
    envDefaults: { api_key: ['OPENROUTER_API_KEY', 'OR_API_KEY'], api_base: ['OPENROUTER_API_BASE'] },
    ops: ['chat', 'completion', 'embedding', 'models_list'],
  },
  {
    ...FAMILY, name: 'xai', genAiProvider: 'x_ai', defaultBase: 'https://api.x.ai/v1',
    envDefaults: { api_key: ['XAI_API_KEY'], api_base: ['XAI_API_BASE'] },
    ops: ['chat', 'completion', 'responses', 'image_generation', 'models_list'],
  },
  {
    ...FAMILY, name: 'perplexity', genAiProvider: 'perplexity', defaultBase: 'https://api.perplexity.ai',
    envDefaults: { api_key: ['PERPLEXITYAI_API_KEY', 'PERPLEXITY_API_KEY'], api_base: ['PERPLEXITY_API_BASE'] },
    ops: CHAT_ONLY,
  },
  {
    ...FAMILY, name: 'hosted_vllm', genAiProvider: '_OTHER', maxCompletionTokens: true, baseHint: 'HOSTED_VLLM_API_BASE',
    envDefaults: { api_key: ['HOSTED_VLLM_API_KEY'], api_base: ['HOSTED_VLLM_API_BASE'] },
    ops: ['chat', 'completion', 'responses', 'embedding', 'rerank', 'audio_transcription', 'models_list'],
  },
  {
    ...FAMILY, name: 'lm_studio', genAiProvider: '_OTHER', defaultBase: 'http://localhost:1234/v1',
    envDefaults: { api_key: ['LM_STUDIO_API_KEY'], api_base: ['LM_STUDIO_API_BASE'] },
    ops: ['chat', 'completion', 'responses', 'embedding', 'models_list'],
  },
  {
    // Voyage's embeddings speak OpenAI's shape; LiteLLM names no api_base variable for it.
    ...FAMILY, name: 'voyage', genAiProvider: '_OTHER', defaultBase: 'https://api.voyageai.com/v1',
    envDefaults: { api_key: ['VOYAGE_API_KEY', 'VOYAGE_AI_API_KEY', 'VOYAGE_AI_TOKEN'] },
    ops: ['embedding'],
  },
  {
    ...FAMILY, name: 'azure_ai', genAiProvider: 'azure.ai.inference', baseHint: 'AZURE_AI_API_BASE', apiVersionQuery: true,
    envDefaults: { api_key: ['AZURE_AI_API_KEY'], api_base: ['AZURE_AI_API_BASE'] },
    ops: ['chat', 'embedding', 'ocr'],
    // Mistral's OCR on Azure AI Foundry, where LiteLLM sends it.
    paths: { ocr: '/providers/mistral/azure/ocr' },
    auth: (d, base, op): Record<string, string> => {
      const key = d.credentials.apiKey;
      if (!key) return {};
      // The OCR route takes a bearer everywhere (as LiteLLM sends it).
      return AZURE_KEY_HOST.test(base.hostname) && op !== 'ocr' ? { 'api-key': key } : { authorization: `Bearer ${key}` };
    },
    // Azure AI Foundry (…services.ai.azure.com) serves its models under /models.
    pathPrefix: (base) => (/\.services\.ai\.azure\.com$/i.test(base.hostname) && !/\/models\/?$/.test(base.pathname) ? '/models' : ''),
  },
];

/** The OpenAI-compatible family, each under its own prefix (its name). */
export const COMPATIBLE_PROVIDERS: readonly Provider[] = SPECS.map(openAiCompatible);

const unknownByPrefix = new Map<string, Provider>();

/**
 * A prefix this exporter does not know, with an api_base: OpenAI-compatible, every operation (as
 * LiteLLM's openai/ and custom_openai/ routes are).
 */
export function unknownCompatible(prefix: string): Provider {
  // Built once per prefix: providerFor runs for every call and span.
  let p = unknownByPrefix.get(prefix);
  if (!p) unknownByPrefix.set(prefix, (p = openAiCompatible({ name: prefix, genAiProvider: '_OTHER' })));
  return p;
}
