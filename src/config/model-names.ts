/**
 * What a model's name says about it: the last resort where neither the config (model_info.mode)
 * nor the model table (model-table.ts) says: the mode of a deployment, and whether it is a
 * reasoning model (which spends a small max_tokens on thinking and answers empty, and at OpenAI
 * takes max_completion_tokens instead). Also the max_tokens rules that follow from the mode. No
 * imports: the provider layer reads it too.
 */
const MODE_PATTERNS: Array<[RegExp, string]> = [
  [/rerank/i, 'rerank'],
  [/moderation/i, 'moderation'],
  [/realtime/i, 'realtime'],
  [/whisper|transcribe/i, 'audio_transcription'],
  [/(^|[-_/.])tts|text-to-speech|speech/i, 'audio_speech'],
  [/embed|(^|\/)bge-|(^|\/)e5-|(^|\/)gte-/i, 'embedding'],
  [/dall-e|gpt-image|imagen|stable-diffusion|sdxl|(^|\/)flux/i, 'image_generation'],
  [/(^|[/.])(sora|veo)-|video-gen/i, 'video_generation'],
  [/(^|[-_/.])ocr([-_.:@]|$)|document-ai/i, 'ocr'],
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


/**
 * Modes whose real request is a paid job (a whole video): probed with their free request (a list
 * of jobs) unless model_info.health_check_probe is `generate`.
 */
export const FREE_BY_DEFAULT_MODES = new Set(['video_generation']);

/** Modes whose requests take max_tokens; other endpoints reject unknown fields with 400. */
export const MAX_TOKENS_MODES = new Set(['chat', 'completion', 'responses']);
