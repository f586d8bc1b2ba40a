/**
 * What a model's name says about it. Used where the config is silent: the mode of a deployment
 * without model_info.mode, and whether it is a reasoning model (which spends a small max_tokens
 * on thinking and answers empty, and at OpenAI takes max_completion_tokens instead). Also the
 * max_tokens rules that follow from the mode. No imports: the provider layer reads it too.
 */
const MODE_PATTERNS: Array<[RegExp, string]> = [
  [/rerank/i, 'rerank'],
  [/moderation/i, 'moderation'],
  [/realtime/i, 'realtime'],
  [/whisper|transcribe/i, 'audio_transcription'],
  [/(^|[-_/.])tts|text-to-speech|speech/i, 'audio_speech'],
  [/embed|(^|\/)bge-|(^|\/)e5-|(^|\/)gte-/i, 'embedding'],
  [/dall-e|gpt-image|imagen|stable-diffusion|sdxl|(^|\/)flux/i, 'image_generation'],
];

/** The mode a model name implies, or undefined (the caller falls back to chat). */
export function inferMode(model: string): string | undefined {
  for (const [re, mode] of MODE_PATTERNS) if (re.test(model)) return mode;
  return undefined;
}

const REASONING = /(^|\/)(o\d(-|$)|o\d-mini|gpt-5|gpt-oss)|reasoner|deepseek-r1|thinking|gemini-2\.5|gemini-3|qwq|magistral/i;

export function isReasoningModel(model: string): boolean {
  return REASONING.test(model);
}

/** A LiteLLM wildcard route (`openai/*`, `anthropic/claude-*`): no single model to generate with. */
export function isWildcard(model: string): boolean {
  return model.includes('*');
}

/** max_tokens sent when model_info names none (and Anthropic's, which requires one, when the mode sends none). */
export const DEFAULT_MAX_TOKENS = 16;

/** Modes whose requests take max_tokens; other endpoints reject unknown fields with 400. */
export const MAX_TOKENS_MODES = new Set(['chat', 'completion', 'responses']);

/**
 * Params that only make sense together: when an entry sets any of them itself, none of the others
 * comes from the environment. An explicit AWS key pair must not pick up the environment's
 * session token (which belongs to other credentials), as boto3 would not.
 */
export const ENV_DEFAULT_GROUPS: ReadonlyArray<readonly string[]> = [
  ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'],
];

/**
 * LiteLLM's environment fallbacks for params a deployment leaves out: `model: whisper-1` with no
 * api_key uses OPENAI_API_KEY, an azure/ route with no api_base uses AZURE_API_BASE, and so on.
 * First variable set wins.
 */
export const PROVIDER_ENV_DEFAULTS: Record<string, Record<string, readonly string[]>> = {
  openai: {
    api_key: ['OPENAI_API_KEY'],
    api_base: ['OPENAI_BASE_URL', 'OPENAI_API_BASE'],
    organization: ['OPENAI_ORGANIZATION'],
  },
  'text-completion-openai': {
    api_key: ['OPENAI_API_KEY'],
    api_base: ['OPENAI_BASE_URL', 'OPENAI_API_BASE'],
  },
  azure: {
    api_key: ['AZURE_API_KEY', 'AZURE_OPENAI_API_KEY'],
    api_base: ['AZURE_API_BASE', 'AZURE_OPENAI_ENDPOINT'],
    api_version: ['AZURE_API_VERSION', 'OPENAI_API_VERSION'],
  },
  anthropic: {
    api_key: ['ANTHROPIC_API_KEY'],
    api_base: ['ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL'],
  },
  gemini: {
    api_key: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    api_base: ['GEMINI_API_BASE'],
  },
  cohere: {
    api_key: ['COHERE_API_KEY', 'CO_API_KEY'],
    api_base: ['COHERE_API_BASE'],
  },
  cohere_chat: {
    api_key: ['COHERE_API_KEY', 'CO_API_KEY'],
    api_base: ['COHERE_API_BASE'],
  },
  bedrock: {
    aws_access_key_id: ['AWS_ACCESS_KEY_ID'],
    aws_secret_access_key: ['AWS_SECRET_ACCESS_KEY'],
    aws_session_token: ['AWS_SESSION_TOKEN'],
    aws_region_name: ['AWS_REGION_NAME', 'AWS_REGION'],
    aws_bedrock_runtime_endpoint: ['AWS_BEDROCK_RUNTIME_ENDPOINT'],
    api_key: ['AWS_BEARER_TOKEN_BEDROCK'],
  },
  ollama: { api_key: ['OLLAMA_API_KEY'], api_base: ['OLLAMA_API_BASE'] },
  ollama_chat: { api_key: ['OLLAMA_API_KEY'], api_base: ['OLLAMA_API_BASE'] },
  groq: { api_key: ['GROQ_API_KEY'], api_base: ['GROQ_API_BASE'] },
  mistral: { api_key: ['MISTRAL_AZURE_API_KEY', 'MISTRAL_API_KEY'], api_base: ['MISTRAL_AZURE_API_BASE', 'MISTRAL_API_BASE'] },
  deepseek: { api_key: ['DEEPSEEK_API_KEY'], api_base: ['DEEPSEEK_API_BASE'] },
  together_ai: {
    api_key: ['TOGETHER_API_KEY', 'TOGETHER_AI_API_KEY', 'TOGETHERAI_API_KEY', 'TOGETHER_AI_TOKEN'],
    api_base: ['TOGETHER_AI_API_BASE', 'TOGETHERAI_API_BASE'],
  },
  fireworks_ai: {
    api_key: ['FIREWORKS_API_KEY', 'FIREWORKS_AI_API_KEY', 'FIREWORKSAI_API_KEY', 'FIREWORKS_AI_TOKEN'],
    api_base: ['FIREWORKS_API_BASE', 'FIREWORKS_AI_API_BASE'],
  },
  openrouter: { api_key: ['OPENROUTER_API_KEY', 'OR_API_KEY'], api_base: ['OPENROUTER_API_BASE'] },
  xai: { api_key: ['XAI_API_KEY'], api_base: ['XAI_API_BASE'] },
  perplexity: { api_key: ['PERPLEXITYAI_API_KEY', 'PERPLEXITY_API_KEY'], api_base: ['PERPLEXITY_API_BASE'] },
  hosted_vllm: { api_key: ['HOSTED_VLLM_API_KEY'], api_base: ['HOSTED_VLLM_API_BASE'] },
  lm_studio: { api_key: ['LM_STUDIO_API_KEY'], api_base: ['LM_STUDIO_API_BASE'] },
  azure_ai: { api_key: ['AZURE_AI_API_KEY'], api_base: ['AZURE_AI_API_BASE'] },
};
