/**
 * The plugin contract, kept as small as blackbox_exporter's ProbeFn: a module exports a `mode`
 * and one async `probe(target, ctx)`. The core owns timing, timeouts, retries (none: every
 * probe is a paid call), telemetry and storage; a plugin builds one request and judges the answer.
 */
import type { ProbeTarget } from './deployment.js';
import type { ErrorType } from './errors.js';
import type { CallOptions, Operation, ProviderResponse } from './operation.js';
import type { Detail } from './result.js';

export type { ProbeTarget } from './deployment.js';
export { ProbeError, type ErrorType } from './errors.js';
export { badAnswer, expectAnswer, readAnswer, type AnswerShape, type AnswerShapes } from './answer.js';
export type { CallOptions, Operation, ProviderResponse } from './operation.js';
export type { Detail } from './result.js';

export interface ProbeContext {
  /** Aborted on timeout or shutdown; pass it on to anything slow. */
  readonly signal: AbortSignal;
  /** The short fixed probe prompt (never logged). */
  readonly prompt: string;
  /**
   * max_tokens to send, or undefined to send none: set for chat, completion and responses (and
   * any mode whose model_info.health_check_supports_max_tokens is true), unset for wildcards.
   */
  readonly maxTokens: number | undefined;
  /**
   * Sends one request in the deployment's provider wire format. `payload` is OpenAI-shaped JSON
   * or a multipart form (uploads); the provider layer adds the model, URL and auth, and merges
   * `health_check_params`. A non-2xx answer or a transport failure throws a ProbeError with the
   * right type (its text free of the deployment's secrets).
   */
  call(op: Operation, payload?: Record<string, unknown> | FormData, opts?: CallOptions): Promise<ProviderResponse>;
}

export interface ProbeOutcome {
  healthy: boolean;
  /** Why it is unhealthy, in a few words (shown in /health as `error`). */
  error?: string;
  errorType?: ErrorType;
  /** Small, non-secret facts worth showing (e.g. probe: "models_list"). */
  details?: Record<string, Detail>;
}

export interface ProbePlugin {
  readonly mode: string;
  readonly description?: string;
  probe(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome>;
}
