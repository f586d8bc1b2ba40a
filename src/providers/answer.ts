import type { IncomingHttpHeaders } from 'node:http';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import type { ProbeAbort } from '../core/abort.js';
import { ProbeError } from '../core/errors.js';
import type { Operation } from '../core/operation.js';

/** Reading a provider's answer (client.ts): its body, capped, and its failures, typed. */

/** Operations whose answer is bytes, not JSON, when no content type says so. */
export function isBinaryOp(op: Operation): boolean {
  return op === 'audio_speech';
}

export function statusType(status: number): ProbeError['errorType'] {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - Date.now()) / 1000));
}

/** Socket, DNS, TLS and abort failures, typed. Messages name the kind, never the URL's secrets. */
export function transportError(err: unknown, abort: { readonly aborted: boolean }): ProbeError {
  if (abort.aborted) return new ProbeError('timeout', 'Timeout exceeded', { status: 408 });
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code ?? '';
  const cause = e?.cause?.message ?? e?.message ?? String(err);
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new ProbeError('timeout', 'Timeout exceeded', { status: 408 });
  }
  if (code === 'EDENIEDNETWORK') return new ProbeError('config', cause);
  if (code === 'ECONNREFUSED') return new ProbeError('connection', 'connection refused', { status: 503 });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ProbeError('connection', 'host not found (DNS)', { status: 503 });
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return new ProbeError('connection', 'connection reset by upstream', { status: 503 });
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code) || /certificate/i.test(cause)) return new ProbeError('connection', `TLS failure: ${code || cause}`, { status: 503 });
  return new ProbeError('connection', `request failed: ${code || cause}`, { status: 503 });
}

/** `error.code` (or `error.type`) of an OpenAI-style error body. */
export function errorCode(body: unknown): string | undefined {
  const err = (body as { error?: { code?: unknown; type?: unknown } } | undefined)?.error;
  if (err && typeof err === 'object') {
    if (typeof err.code === 'string') return err.code;
    if (typeof err.type === 'string') return err.type;
  }
  return undefined;
}


/** An answer read whole: its status, headers and body (capped). */
export interface ReadAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}

/** What `send` sends: the dispatcher's options, origin and path apart. */
export interface SendOptions {
  readonly origin: string;
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array | undefined;
}

/**
 * Sends one request and reads its answer whole through undici's dispatch API: a 2xx body up to
 * `maxOk` bytes (more is a bad_response), any other up to `maxError` (cut there). What
 * `request()` with an events-based capped read of its body did, without a Readable stream, an
 * async resource and the ticks they cost per probe (issue 18). Larger than the cap, or aborted: the request is aborted, so undici
 * drops its socket. `onHeaders` hears the status and headers when they arrive (a trace's first byte).
 */
export function send(dispatcher: Dispatcher, out: SendOptions, abort: ProbeAbort, maxOk: number, maxError: number, onHeaders?: (statusCode: number, headers: IncomingHttpHeaders) => void): Promise<ReadAnswer> {
  return new Promise((resolve, reject) => {
    // Aborted before it was sent: nothing goes out.
    if (abort.aborted) return reject(transportError(abort.reason, abort));
    dispatcher.dispatch({ origin: out.origin, path: out.path, method: out.method, headers: out.headers, body: out.body }, new AnswerReader(abort, maxOk, maxError, onHeaders, resolve, reject));
  });
}

/** The handler behind `send`: one per request. */
class AnswerReader implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #statusCode = 0;
  #headers: IncomingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #size = 0;
  #max: number;
  #settled = false;
  readonly #abort: ProbeAbort;
  readonly #maxError: number;
  /** Not `onHeaders`: that is the name of undici's older handler API. */
  readonly #heard: ((statusCode: number, headers: IncomingHttpHeaders) => void) | undefined;
  readonly #resolve: (a: ReadAnswer) => void;
  readonly #reject: (err: unknown) => void;
  readonly #onAbort = () => this.#controller?.abort(this.#abort.reason as Error);

  constructor(abort: ProbeAbort, maxOk: number, maxError: number, heard: ((statusCode: number, headers: IncomingHttpHeaders) => void) | undefined, resolve: (a: ReadAnswer) => void, reject: (err: unknown) => void) {
    this.#abort = abort;
    this.#max = maxOk;
    this.#maxError = maxError;
    this.#heard = heard;
    this.#resolve = resolve;
    this.#reject = reject;
    abort.once('abort', this.#onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Aborted while it waited for a connection: not sent.
    if (this.#abort.aborted) controller.abort(this.#abort.reason as Error);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: the answer follows
    this.#statusCode = statusCode;
    this.#headers = headers;
    if (statusCode >= 300) this.#max = this.#maxError;
    this.#heard?.(statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#size += chunk.byteLength;
    if (this.#size <= this.#max) {
      this.#chunks.push(chunk);
      return;
    }
    const ok = this.#statusCode >= 200 && this.#statusCode < 300;
    if (ok) {
      this.#fail(new ProbeError('bad_response', `response body larger than ${this.#max} bytes; read stopped`, { status: this.#statusCode }));
    } else {
      this.#chunks.push(chunk.subarray(0, this.#max - (this.#size - chunk.byteLength)));
      this.#done();
    }
    controller.abort(new undiciErrors.RequestAbortedError());
  }

  onResponseEnd(): void {
    this.#done();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#fail(err);
  }

  #done(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#abort.removeListener('abort', this.#onAbort);
    const chunks = this.#chunks;
    this.#resolve({ statusCode: this.#statusCode, headers: this.#headers, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
  }

  #fail(err: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#abort.removeListener('abort', this.#onAbort);
    this.#reject(err instanceof ProbeError ? err : transportError(err, this.#abort));
  }
}
