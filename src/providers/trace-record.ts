import { publicUrl, redact, REDACTED } from '../core/redact.js';
import type { ConnectionFacts, ProbeTrace, TraceCall } from '../core/trace.js';
import type { WireRequest } from './types.js';

/** The first this many characters of an answer's body go into a trace. */
export const TRACE_BODY_CHARS = 1024;
const MAX_HEADERS = 64;
const MAX_HEADER_CHARS = 256;

/**
 * Header names whose values are credentials whatever they hold (a signature, a session token):
 * shown as [REDACTED]. Every other value still goes through redact() with the deployment's
 * secrets, so a key echoed into any header is caught too. Words, not substrings:
 * x-ratelimit-remaining-tokens is a count, x-session-token a credential.
 */
const CREDENTIAL_HEADER = /(^|[-_])(auth[a-z]*|api-?key|key|secret|password|passwd|token|session|signature|credential|cookie|set-cookie)($|[-_])/i;

/** Headers as a trace shows them: names lower-cased, credentials hidden, values redacted and cut. */
export function tracedHeaders(headers: Readonly<Record<string, string | string[] | undefined>>, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [name, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    if (++n > MAX_HEADERS) break;
    const value = Array.isArray(v) ? v.join(', ') : String(v);
    out[name.toLowerCase()] = CREDENTIAL_HEADER.test(name) ? REDACTED : redact(value, secrets).slice(0, MAX_HEADER_CHARS);
  }
  return out;
}

const TEXTUAL = /json|text|xml|html|javascript|x-www-form-urlencoded/i;

/**
 * The first KB of a body as text, redacted over the whole body before the cut (a secret
 * straddling the cut must not leave its first part); a binary body is described, not shown.
 */
export function tracedBody(bytes: Uint8Array, contentType: string, secrets: readonly string[]): Pick<TraceCall, 'body' | 'bodyBytes' | 'bodyTruncated'> {
  if (bytes.length === 0) return { body: '', bodyBytes: 0 };
  if (contentType !== '' && !TEXTUAL.test(contentType)) return { body: `(${bytes.length} bytes of ${contentType.split(';')[0]}, not shown)`, bodyBytes: bytes.length };
  const text = redact(Buffer.from(bytes).toString('utf8'), secrets);
  return { body: text.slice(0, TRACE_BODY_CHARS), bodyBytes: bytes.length, ...(text.length > TRACE_BODY_CHARS ? { bodyTruncated: true } : {}) };
}

const since = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

/** Records one request of a debug probe into its trace; every text it keeps is redacted here. */
export class CallRecorder {
  readonly #call: TraceCall;
  readonly #secrets: readonly string[];
  readonly #t0 = performance.now();

  constructor(trace: ProbeTrace, operation: string, wire: WireRequest, secrets: readonly string[]) {
    this.#secrets = secrets;
    const query = wire.url.search ? redact(wire.url.search, secrets).slice(1) : '';
    this.#call = {
      operation,
      method: wire.method,
      url: redact(publicUrl(wire.url.toString()), secrets),
      ...(query ? { query } : {}),
      requestHeaders: tracedHeaders(wire.headers, secrets),
      totalMs: 0,
    };
    trace.calls.push(this.#call);
  }

  connected(facts: ConnectionFacts): void {
    const tls = facts.tls && {
      ...facts.tls,
      subject: facts.tls.subject && redact(facts.tls.subject, this.#secrets),
      issuer: facts.tls.issuer && redact(facts.tls.issuer, this.#secrets),
    };
    this.#call.connection = { ...facts, ...(tls ? { tls } : {}) };
  }

  answered(status: number, headers: Readonly<Record<string, string | string[] | undefined>>): void {
    this.#call.firstByteMs = since(this.#t0);
    this.#call.status = status;
    this.#call.responseHeaders = tracedHeaders(headers, this.#secrets);
  }

  body(bytes: Uint8Array, contentType: string): void {
    Object.assign(this.#call, tracedBody(bytes, contentType, this.#secrets));
  }

  /** A failure: the text the probe reports (already safe), redacted once more. */
  failed(err: unknown): void {
    this.#call.error = redact(err instanceof Error ? err.message : String(err), this.#secrets);
  }

  end(): void {
    this.#call.totalMs = since(this.#t0);
  }
}
