import type { Deployment } from '../config/deployment.js';

/** What a mode plugin asks a provider for; the dialect turns it into a path and a body. */
export type Operation =
  | 'chat' | 'completion' | 'responses' | 'embedding' | 'image_generation' | 'image_edit'
  | 'audio_transcription' | 'audio_speech' | 'batch_list' | 'rerank' | 'moderation' | 'models_list'
  | 'realtime';

export interface WireRequest {
  /** WS: a websocket handshake (realtime), the URL already ws:// or wss://. */
  method: 'GET' | 'POST' | 'WS';
  url: URL;
  headers: Record<string, string>;
  body?: string | Uint8Array | FormData;
}

export interface ProviderResponse {
  status: number;
  contentType: string;
  /** Parsed JSON (OpenAI-shaped after the dialect's translation) when the answer was JSON. */
  json?: unknown;
  bytes: Uint8Array;
  /** The allow-listed response headers we report (x-ms-region, rate-limit remaining). */
  headers: Record<string, string>;
}

export interface Dialect {
  /** The config prefix, e.g. "azure". */
  readonly name: string;
  /** gen_ai.provider.name per the OTel GenAI semantic conventions. */
  readonly genAiProvider: string;
  /** Where requests go when a deployment has no api_base. */
  readonly defaultBase?: string;
  supports(op: Operation): boolean;
  /** Builds the HTTP request; `payload` is OpenAI-shaped and already merged with health_check_params. */
  build(d: Deployment, op: Operation, payload: Record<string, unknown> | FormData | undefined): WireRequest;
  /** The provider's own error message from an error body, if it has one. */
  errorMessage(body: unknown): string | undefined;
}
