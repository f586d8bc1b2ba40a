/** What a mode plugin asks a provider for; the provider turns it into a path and a body. */
export const OPERATIONS = [
  'chat', 'completion', 'responses', 'embedding', 'image_generation', 'image_edit',
  'audio_transcription', 'audio_speech', 'batch_list', 'rerank', 'moderation', 'models_list',
  'realtime', 'ocr', 'video_generation', 'video_list',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** A provider's answer, translated to the OpenAI shape the plugins judge. */
export interface ProviderResponse {
  status: number;
  contentType: string;
  /** Parsed JSON (OpenAI-shaped after the provider's translation) when the answer was JSON. */
  json?: unknown;
  bytes: Uint8Array;
  /** The allow-listed response headers we report (x-ms-region, rate-limit remaining). */
  headers: Record<string, string>;
}

export interface CallOptions {
  /** Cap on the response body; larger answers are cut and reported as bad_response. */
  maxBytes?: number;
}

/** The answer headers reported in /health (LiteLLM's names); no other header is ever kept. */
export const REPORTED_HEADERS = ['x-ms-region', 'x-ratelimit-remaining-requests', 'x-ratelimit-remaining-tokens'] as const;
export type ReportedHeader = (typeof REPORTED_HEADERS)[number];
