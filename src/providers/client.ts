import type { ProbeAbort } from '../core/abort.js';
import type { Deployment } from '../core/deployment.js';
import { ProbeError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { REPORTED_HEADERS, type CallOptions, type Operation, type ProviderResponse } from '../core/operation.js';
import type { OperationCodec, Provider, WireRequest } from './types.js';
import { firstWebSocketEvent } from './websocket.js';
import { deniedError } from './network-guard.js';
import type { NetworkList } from '../core/networks.js';
import type { ConnectionFacts, ProbeTrace } from '../core/trace.js';
import { oneOffConnections, pooledConnections, type Connections } from './agents.js';
import { CallRecorder } from './trace-record.js';
import { moveUserInfoToBasicAuth } from './user-info.js';
import { prepare, preparedFor, type PreparedRequest } from './prepared.js';
import { errorCode, isBinaryOp, parseRetryAfter, send, statusType } from './answer.js';

/** JSON answers of a health probe are tiny; a larger body is cut here and the socket dropped. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Error bodies are only read this far: enough for a provider's message. */
const MAX_ERROR_BYTES = 16 * 1024;

export interface CallRequest {
  deployment: Deployment;
  /** The deployment's provider (registry/providers.ts providerFor): the client knows no table. */
  provider: Provider;
  op: Operation;
  payload?: Record<string, unknown> | FormData;
  /** Ends the call: the probe's deadline or shutdown. */
  abort: ProbeAbort;
  options?: CallOptions;
  /** Where the request may not connect (general_settings.health_check_deny_networks). */
  denyNetworks?: NetworkList;
  /** A debug probe's trace: the call gets its own connection and is recorded (redacted). */
  trace?: ProbeTrace;
  /** What the connection showed (address, TLS certificate), once an answer arrived over it. */
  onConnection?: (facts: ConnectionFacts) => void;
}

/**
 * Sends one provider request and maps every failure to a typed ProbeError. Not async itself: a
 * prepared request goes out without one more promise and its ticks per probe.
 */
export function callProvider(req: CallRequest): Promise<ProviderResponse> {
  const { deployment: d, provider, op, payload, denyNetworks, trace } = req;
  const codec = provider.operations[op];
  if (!codec) return Promise.reject(new ProbeError('unsupported', `provider "${d.provider}" has no ${op} API`));
  // A traced call records how its request was built, over its own connection: never reused.
  const reusable = !trace && provider.reusableRequests === true;
  const ready = reusable ? preparedFor(d, op, payload, denyNetworks) : undefined;
  return ready ? sendPrepared(req, codec, ready) : buildAndCall(req, codec, reusable);
}

/** Builds the request (kept for the next probe when it can be), then sends it. */
async function buildAndCall(req: CallRequest, codec: OperationCodec, reusable: boolean): Promise<ProviderResponse> {
  const { deployment: d, op, payload, denyNetworks, trace } = req;
  const merged = mergeCheckParams(payload, d.checkParams);
  let wire;
  try {
    wire = await codec.build(d, merged);
  } catch (err) {
    throw new ProbeError('config', (err as Error).message);
  }

  moveUserInfoToBasicAuth(wire, Object.keys(d.credentials.extraHeaders).some((k) => k.toLowerCase() === 'authorization'));
  if (reusable) {
    const built = prepare(d, op, payload, wire, denyNetworks, pooledConnections(d.tls, denyNetworks));
    if (built) return sendPrepared(req, codec, built);
  }
  const rec = trace ? new CallRecorder(trace, op, wire, d.secrets) : undefined;
  const conns = trace ? oneOffConnections(d.tls, denyNetworks) : pooledConnections(d.tls, denyNetworks);
  try {
    if (denyNetworks?.contains(wire.url.hostname)) throw deniedError(wire.url.hostname);
    return await exchange(req, codec, wire, conns, rec);
  } catch (err) {
    rec?.failed(err);
    throw err;
  } finally {
    rec?.end();
    conns.done();
  }
}

/** A prepared request (prepared.ts), over the shared pool. */
function sendPrepared(req: CallRequest, codec: OperationCodec, p: PreparedRequest): Promise<ProviderResponse> {
  if (p.deniedHost !== undefined) return Promise.reject(deniedError(p.deniedHost));
  return answerOf(req, codec, p, p.connections, undefined);
}

/** One request over `conns`, its answer read and judged; `rec` records it when traced. */
async function exchange(req: CallRequest, codec: OperationCodec, wire: WireRequest, conns: Connections, rec: CallRecorder | undefined): Promise<ProviderResponse> {
  if (wire.method === 'WS') {
    const res = await firstWebSocketEvent(wire.url, wire.headers, req.abort.signal, conns.agent);
    connected(req, { url: wire.url }, conns, rec);
    return res;
  }
  if (wire.body instanceof FormData) {
    // Plugins build forms with the global FormData; encode it here (boundary and all) so the
    // pooled undici client sends plain bytes.
    const encoded = new Response(wire.body);
    wire.headers['content-type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
    wire.body = new Uint8Array(await encoded.arrayBuffer());
  }
  const { url } = wire;
  return answerOf(req, codec, {
    method: wire.method, url, origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname, headers: wire.headers, body: wire.body,
  }, conns, rec);
}

/** What the connection showed (address, TLS certificate), once an answer arrived over it. */
function connected({ onConnection }: CallRequest, to: Pick<Outgoing, 'url' | 'factsKey'>, conns: Connections, rec: CallRecorder | undefined): void {
  if (!onConnection && !rec) return;
  const facts = to.factsKey !== undefined ? conns.factsAt(to.factsKey) : to.url && conns.factsFor(to.url);
  if (!facts) return;
  onConnection?.(facts);
  rec?.connected(facts);
}

/** The request as undici's dispatcher takes it: origin and path apart, so nothing parses a URL per probe. */
interface Outgoing {
  readonly method: 'GET' | 'POST';
  /** Unset on a prepared request, which keeps only its origin's key. */
  readonly url?: URL;
  /** Set on a prepared request: the origin's key, so the URL is not read again per probe. */
  readonly factsKey?: string;
  readonly origin: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array | undefined;
}

async function answerOf(req: CallRequest, codec: OperationCodec, out: Outgoing, conns: Connections, rec: CallRecorder | undefined): Promise<ProviderResponse> {
  const { deployment: d, provider, op, abort, options } = req;
  // A traced call records the connection and the first byte when the headers arrive.
  const res = await send(conns.agent, out, abort, options?.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES, MAX_ERROR_BYTES, rec && ((status, headers) => {
    connected(req, out, conns, rec);
    rec.answered(status, headers);
  }));
  if (!rec) connected(req, out, conns, undefined);

  // Header values come from outside like any body: an upstream may echo the key into them.
  const reported = (v: string) => redact(v, d.secrets).slice(0, 128);
  const headers: Record<string, string> = {};
  for (const name of REPORTED_HEADERS) {
    const v = res.headers[name];
    if (typeof v === 'string') headers[name] = reported(v);
  }
  // A provider's own names for the same facts (Anthropic's anthropic-ratelimit-*), reported as ours.
  if (provider.headerAliases) {
    for (const [from, to] of Object.entries(provider.headerAliases)) {
      const v = res.headers[from];
      if (typeof v === 'string' && headers[to] === undefined) headers[to] = reported(v);
    }
  }
  const contentType = String(res.headers['content-type'] ?? '');
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  const { bytes } = res;
  rec?.body(bytes, contentType);
  const text = () => bytes.toString('utf8');

  if (!ok) {
    let body: unknown;
    try { body = JSON.parse(text()); } catch { body = undefined; }
    // Redacted before it is cut: a key straddling the cut would otherwise leave its first part.
    const message = provider.errorMessage(body, res.headers) ?? (redact(text().trim(), d.secrets).slice(0, 300) || 'no error message');
    const details = provider.errorDetails?.(res.statusCode, body, res.headers);
    const retryAfterS = parseRetryAfter(res.headers['retry-after']) ?? details?.retryAfterS;
    throw new ProbeError(details?.type ?? statusType(res.statusCode), `${res.statusCode}: ${message}`, { status: res.statusCode, retryAfterS, code: details?.code ?? errorCode(body) });
  }

  let json: unknown;
  if (/\bjson\b/i.test(contentType) || (contentType === '' && bytes.length > 0 && !isBinaryOp(op))) {
    try {
      json = JSON.parse(text());
    } catch {
      throw new ProbeError('bad_response', `${res.statusCode} with a body that is not valid JSON`, { status: res.statusCode });
    }
    const providerError = json && typeof json === 'object' && 'error' in json ? provider.errorMessage(json) : undefined;
    if (providerError) throw new ProbeError('bad_response', `${res.statusCode} with an error: ${providerError}`, { status: res.statusCode });
    // The provider's own answer shape, translated into the OpenAI shape the plugins judge.
    if (codec.parse) {
      try {
        json = codec.parse(json);
      } catch (err) {
        if (err instanceof ProbeError) throw err;
        throw new ProbeError('bad_response', `${res.statusCode} with an answer that could not be read: ${(err as Error).message}`, { status: res.statusCode });
      }
    }
  }
  return { status: res.statusCode, contentType, json, bytes, headers };
}

/** health_check_params go into every body: JSON keys, or form fields for multipart uploads. */
function mergeCheckParams(payload: Record<string, unknown> | FormData | undefined, params: Readonly<Record<string, unknown>>) {
  if (payload === undefined) return undefined;
  if (!(payload instanceof FormData)) return { ...payload, ...params };
  for (const [k, v] of Object.entries(params)) payload.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  return payload;
}
