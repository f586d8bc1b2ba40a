/**
 * The plugin contract, kept as small as blackbox_exporter's ProbeFn: a module exports a `mode`
 * and one async `probe(deployment, ctx)`. The core owns timing, timeouts, retries (none: every
 * probe is a paid call), telemetry and storage; a plugin builds one request and judges the answer.
 */
import type { Deployment } from '../config/deployment.js';
import type { Operation, ProviderResponse } from '../providers/types.js';

export type { Deployment } from '../config/deployment.js';
export type { Operation, ProviderResponse } from '../providers/types.js';

/** The one small set of failure kinds used in /health, metrics and spans. */
export const ERROR_TYPES = [
  'auth', 'not_found', 'rate_limited', 'timeout', 'connection', 'server_error', 'bad_request',
  'bad_response', 'config', 'no_plugin', 'plugin_error', 'unsupported', 'stale',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/**
 * A failure with a type. Plugins may throw it (or any object with `errorType`); anything else
 * thrown becomes `plugin_error`. `message` must already be free of secrets or come from a
 * provider (the runner redacts it again either way).
 */
export class ProbeError extends Error {
  readonly errorType: ErrorType;
  /** HTTP status of the failed call, reported as exception_status. */
  readonly status?: number;
  readonly retryAfterS?: number;
  /** The provider's own error code (e.g. "content_policy_violation"), when it sent one. */
  readonly code?: string;
  constructor(errorType: ErrorType, message: string, opts: { status?: number; retryAfterS?: number; code?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProbeError';
    this.errorType = errorType;
    this.status = opts.status;
    this.retryAfterS = opts.retryAfterS;
    this.code = opts.code;
  }
}

export interface CallOptions {
  /** Cap on the response body; larger answers are cut and reported as bad_response. */
  maxBytes?: number;
}

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
   * or a multipart form (uploads); the
   * provider dialect adds the model, URL and auth, and merges `health_check_params`. A non-2xx
   * answer or a transport failure throws a ProbeError with the right type.
   */
  call(op: Operation, payload?: Record<string, unknown> | FormData, opts?: CallOptions): Promise<ProviderResponse>;
}

export type Detail = string | number | boolean;

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
  probe(deployment: Deployment, ctx: ProbeContext): Promise<ProbeOutcome>;
}
