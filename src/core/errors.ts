/**
 * The one small set of failure kinds used in /health, metrics and spans. Append only: stored
 * history encodes them by position. `stale` and `no_healthy_route` (a strategy router none of
 * whose routes is healthy) are shown states, never a probe's outcome.
 */
export const ERROR_TYPES = [
  'auth', 'not_found', 'rate_limited', 'timeout', 'connection', 'server_error', 'bad_request',
  'bad_response', 'config', 'no_plugin', 'plugin_error', 'unsupported', 'stale', 'no_healthy_route',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export function isErrorType(v: unknown): v is ErrorType {
  return typeof v === 'string' && (ERROR_TYPES as readonly string[]).includes(v);
}

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
