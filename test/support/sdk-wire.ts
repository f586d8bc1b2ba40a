import { createHash } from 'node:crypto';
import dns from 'node:dns';
import net from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { startExporter } from './exporter.js';
import { startFakeServer, type FakeServer, type Recorded, type Reply } from './fake-server.js';
import { verifySigV4 } from './sigv4-verify.js';

/**
 * Helpers for the wire-fidelity tests (test/providers/sdk-wire-*.test.ts): each provider ×
 * operation is sent twice to a recorder on loopback, once by the provider's official SDK and
 * once by the exporter's probe, and the two recorded requests are compared as `view`s.
 *
 * What a view leaves out, and why (every other header, the path, the query and the body must be
 * equal):
 * - telemetry: user-agent, x-stainless-lang/-os/-arch/-runtime/-runtime-version/-package-version
 *   (openai, Anthropic), x-goog-api-client (Google), x-fern-* (Cohere), x-amz-user-agent (AWS);
 * - SDK-only retry and idempotency bookkeeping: x-stainless-retry-count, x-stainless-timeout,
 *   amz-sdk-invocation-id, amz-sdk-request;
 * - what fetch (undici) adds on its own in the SDKs: accept-language, sec-fetch-mode,
 *   accept-encoding; and connection framing: host (the same recorder), connection,
 *   content-length (bodies are compared parsed, so key order does not count);
 * - the multipart boundary (random): content-type is compared as its media type;
 * - a content-type on a request without a body (Ollama's and Google's SDKs send one on GETs);
 * - AWS SigV4: x-amz-date (the clock) and the signature itself, which `verifySigV4` checks
 *   instead for both sides; the Authorization header is compared as its credential scope (day
 *   left out) and its SignedHeaders without the SDK-only headers above.
 */
export const IGNORED_HEADERS = new Set([
  'user-agent', 'x-stainless-lang', 'x-stainless-os', 'x-stainless-arch', 'x-stainless-runtime', 'x-stainless-runtime-version',
  'x-stainless-package-version', 'x-goog-api-client', 'x-amz-user-agent', 'x-stainless-retry-count', 'x-stainless-timeout',
  'amz-sdk-invocation-id', 'amz-sdk-request', 'accept-language', 'sec-fetch-mode', 'accept-encoding', 'host', 'connection',
  'content-length', 'x-amz-date',
]);
const IGNORED_PREFIXES = ['x-fern-'];
const ignored = (name: string) => IGNORED_HEADERS.has(name) || IGNORED_PREFIXES.some((p) => name.startsWith(p));

/** A request as compared: secrets replaced by their names, so a failing diff shows no key. */
export interface WireView {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

type FormSummary = Record<string, string | { filename: string; type: string; bytes: number; sha256: string }>;

async function formOf(req: Recorded): Promise<FormSummary> {
  const fd = await new Request('http://recorder/', { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: req.rawBody }).formData();
  const out: FormSummary = {};
  for (const [k, v] of fd) {
    if (typeof v === 'string') { out[k] = v; continue; }
    const bytes = Buffer.from(await v.arrayBuffer());
    out[k] = { filename: v.name, type: v.type, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  return out;
}

function awsAuthorization(value: string): string {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^,]+), ?SignedHeaders=([^,]+), ?Signature=[0-9a-f]{64}$/.exec(value);
  if (!m) return value;
  const signed = m[3]!.split(';').filter((h) => !ignored(h) || h === 'host' || h === 'x-amz-date' || h === 'content-length');
  return `AWS4-HMAC-SHA256 Credential=${m[1]}/<day>/${m[2]}, SignedHeaders=${signed.join(';')}`;
}

/** The comparable view of a recorded request, with each secret replaced by «its name». */
export async function viewOf(req: Recorded, secrets: Readonly<Record<string, string>>): Promise<WireView> {
  const contentType = String(req.headers['content-type'] ?? '');
  const hasBody = req.rawBody.length > 0;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (ignored(name) || value === undefined) continue;
    if (name === 'content-type' && !hasBody) continue;
    const v = Array.isArray(value) ? value.join(', ') : value;
    headers[name] = name === 'content-type' ? v.split(';')[0]!.trim() : name === 'authorization' ? awsAuthorization(v) : v;
  }
  const q = req.rawTarget.indexOf('?');
  const body = !hasBody ? undefined
    : contentType.startsWith('multipart/form-data') ? { multipart: await formOf(req) }
      : req.body !== undefined ? req.body
        : { bytes: req.rawBody.length, sha256: createHash('sha256').update(req.rawBody).digest('hex') };
  const view: WireView = { method: req.method, path: q < 0 ? req.rawTarget : req.rawTarget.slice(0, q), query: req.query, headers, body };
  return redactView(view, secrets);
}

/** Every secret's value, wherever it occurs, becomes «name». */
export function redactView<T>(value: T, secrets: Readonly<Record<string, string>>): T {
  let text = JSON.stringify(value);
  // Longest first: a secret that contains another is replaced whole.
  for (const [name, secret] of Object.entries(secrets).sort((a, b) => b[1].length - a[1].length)) {
    if (secret) text = text.split(JSON.stringify(secret).slice(1, -1)).join(`«${name}»`);
  }
  return JSON.parse(text) as T;
}

/** A recorder that answers every request with `answer` and keeps each under the current phase. */
export interface Recorder {
  url: string;
  phase: 'sdk' | 'exporter';
  of(phase: 'sdk' | 'exporter'): Recorded[];
  close(): Promise<void>;
}

export async function startRecorder(answer: Reply | ((req: Recorded) => Reply)): Promise<Recorder> {
  const seen: Array<{ phase: Recorder['phase']; req: Recorded }> = [];
  let server: FakeServer | undefined;
  const rec: Recorder = {
    url: '',
    phase: 'sdk',
    of: (phase) => seen.filter((s) => s.phase === phase).map((s) => s.req),
    close: () => server!.close(),
  };
  server = await startFakeServer((req) => {
    seen.push({ phase: rec.phase, req });
    return typeof answer === 'function' ? answer(req) : answer;
  });
  rec.url = server.url;
  return rec;
}

/** Loopback: 127.0.0.0/8, ::1, localhost, or a local socket path. */
export function isLoopback(host: string | undefined): boolean {
  if (host === undefined || host === '' || host === 'localhost') return true;
  const h = host.replace(/^\[|\]$/g, '');
  if (h === '::1' || h === '::ffff:127.0.0.1') return true;
  return net.isIPv4(h) && h.startsWith('127.');
}

/**
 * Makes every TCP connection and name lookup of this process refuse anything but loopback, and
 * lists what was refused. The SDKs are pointed at the recorder; this proves none of them calls
 * anywhere else (a credential chain, a metadata endpoint, telemetry). Patched at the socket, so
 * fetch (undici), node:http, https and http2 all pass through it. Returns the undo.
 */
export function guardLoopback(): { refused: string[]; restore(): void } {
  const refused: string[] = [];
  const connect = net.Socket.prototype.connect;
  const lookup = dns.lookup;
  net.Socket.prototype.connect = function guarded(this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const target = first !== null && typeof first === 'object'
      ? first as { host?: string; port?: number; path?: string }
      : { port: Number(first), host: typeof args[1] === 'string' ? args[1] : undefined };
    if (!target.path && !isLoopback(target.host)) {
      refused.push(`${target.host}:${target.port}`);
      throw new Error(`a connection outside loopback was attempted: ${target.host}:${target.port}`);
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  (dns as { lookup: unknown }).lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
    if (!isLoopback(hostname)) {
      refused.push(`dns:${hostname}`);
      const cb = rest.find((r) => typeof r === 'function') as ((err: Error) => void) | undefined;
      const err = Object.assign(new Error(`a name lookup outside loopback was attempted: ${hostname}`), { code: 'ENOTFOUND' });
      if (cb) { process.nextTick(cb, err); return; }
      throw err;
    }
    return (lookup as (...a: unknown[]) => unknown)(hostname, ...rest);
  };
  return {
    refused,
    restore() {
      net.Socket.prototype.connect = connect;
      (dns as { lookup: unknown }).lookup = lookup;
    },
  };
}

/** One provider × operation: the deployment the exporter probes, and the same call made with the SDK. */
export interface WireCase {
  /** "<provider> <operation>", the test's name. */
  id: string;
  /** The entry's litellm_params as a YAML flow mapping, given the recorder's URL. */
  params: (url: string) => string;
  modelInfo?: string;
  /** What the recorder answers both (a valid answer: both sides must accept it). */
  answer: Reply | ((req: Recorded) => Reply);
  /** The same call made with the official SDK, pointed at the recorder. */
  sdk: (url: string) => Promise<unknown>;
  /** Every secret either side may send, by name: replaced by «name» before comparing. */
  secrets: Readonly<Record<string, string>>;
  /** The AWS secret key, when the requests are SigV4-signed: both signatures are verified. */
  sigv4SecretKey?: string;
  /** A documented difference, taken out of both views before they are compared. */
  adjust?: (view: WireView) => WireView;
}

export interface WireRun {
  /** The SDK's and the exporter's request of a case (exactly one each, else a test failure). */
  requests(c: WireCase): { sdk: Recorded[]; exporter: Recorded[] };
  /** The exporter's /health entry of a case. */
  entry(c: WireCase): Record<string, any> | undefined;
  /** The SDK call's failure, redacted, if it failed. */
  sdkError(c: WireCase): string | undefined;
  /** Connections and lookups outside loopback that were refused while the SDKs and the probes ran. */
  refused: string[];
}

/**
 * Starts a recorder per case, makes every SDK call (one at a time, under `guardLoopback`), then
 * probes every case's deployment once with one real exporter (config parsing, env defaults, the
 * plugins, the provider layer, the HTTP client): both requests of a case land on its recorder.
 */
export function runWireCases(cases: readonly WireCase[]): WireRun {
  const recorders = new Map<string, Recorder>();
  const entries = new Map<string, Record<string, any>>();
  const sdkErrors = new Map<string, string>();
  const refused: string[] = [];
  let guard: ReturnType<typeof guardLoopback> | undefined;
  beforeAll(async () => {
    guard = guardLoopback();
    for (const c of cases) recorders.set(c.id, await startRecorder(c.answer));
    for (const c of cases) {
      try {
        await c.sdk(recorders.get(c.id)!.url);
      } catch (err) {
        sdkErrors.set(c.id, redactView(String((err as Error)?.stack ?? err), c.secrets));
      }
    }
    for (const r of recorders.values()) r.phase = 'exporter';
    const yaml = `model_list:\n${cases.map((c, i) => `  - model_name: "case-${i}"\n    litellm_params: ${c.params(recorders.get(c.id)!.url)}\n    model_info: ${c.modelInfo ?? '{}'}\n`).join('')}`;
    const ex = await startExporter(yaml, { listen: false });
    try {
      const report = await ex.app.once();
      for (const e of [...report.healthy_endpoints, ...report.unhealthy_endpoints] as Array<Record<string, any>>) {
        const i = Number(String(e.model_name).replace('case-', ''));
        entries.set(cases[i]!.id, e);
      }
    } finally {
      await ex.close();
    }
    refused.push(...guard.refused);
  }, 120_000);
  afterAll(async () => {
    guard?.restore();
    await Promise.all([...recorders.values()].map((r) => r.close()));
  });
  return {
    requests: (c) => ({ sdk: recorders.get(c.id)!.of('sdk'), exporter: recorders.get(c.id)!.of('exporter') }),
    entry: (c) => entries.get(c.id),
    sdkError: (c) => sdkErrors.get(c.id),
    refused,
  };
}

/**
 * The assertions of one case: the SDK call succeeded; each side sent exactly one request; their
 * views are equal (secrets shown by name only); SigV4 signatures, where there are, verify
 * independently on both sides; and the exporter judged the answer healthy.
 */
export async function expectSameWire(run: WireRun, c: WireCase): Promise<void> {
  expect(run.sdkError(c), 'the SDK call').toBeUndefined();
  const { sdk, exporter } = run.requests(c);
  expect(sdk.length, 'requests the SDK sent').toBe(1);
  expect(exporter.length, 'requests the exporter sent').toBe(1);
  const adjust = c.adjust ?? ((v: WireView) => v);
  const [mine, theirs] = [adjust(await viewOf(exporter[0]!, c.secrets)), adjust(await viewOf(sdk[0]!, c.secrets))];
  expect(mine).toEqual(theirs);
  if (c.sigv4SecretKey !== undefined) {
    for (const [side, req] of [['exporter', exporter[0]!], ['sdk', sdk[0]!]] as const) {
      const check = verifySigV4(req, c.sigv4SecretKey);
      expect(redactView({ side, ok: check.ok, problem: check.problem }, c.secrets)).toEqual({ side, ok: true });
    }
  }
  const entry = run.entry(c);
  expect(redactView({ error: entry?.error, healthy: entry !== undefined && entry.error === undefined }, c.secrets)).toEqual({ error: undefined, healthy: true });
}
