import { errors as undiciErrors } from 'undici';
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

/**
 * Reads a body up to `max` bytes. Events rather than `for await`: the async iterator cost more
 * than the rest of the read (npm run bench, 1,000-probe rounds).
 */
export function readCapped(body: NodeJS.ReadableStream & { destroy(err?: Error): unknown }, max: number, enforce: boolean, abort: { readonly aborted: boolean }, status: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // The error listener stays: a destroyed undici body emits an abort error later.
    const done = (err?: unknown) => {
      if (settled) return;
      settled = true;
      body.off('data', onData).off('end', onEnd);
      if (err === undefined) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      else reject(err instanceof ProbeError ? err : transportError(err, abort));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= max) return void chunks.push(chunk);
      body.destroy();
      if (enforce) return done(new ProbeError('bad_response', `response body larger than ${max} bytes; read stopped`, { status }));
      chunks.push(chunk.subarray(0, max - (size - chunk.byteLength)));
      done();
    };
    const onEnd = () => done();
    const onError = (err: unknown) => done(err);
    body.on('data', onData).on('end', onEnd).on('error', onError);
  });
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

