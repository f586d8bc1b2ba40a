import type { Deployment } from '../core/deployment.js';
import type { Operation } from '../core/operation.js';
import type { NetworkList } from '../core/networks.js';
import { factsKeyOf, type Connections } from './agents.js';
import { flatStrings } from '../core/flat-string.js';
import type { WireRequest } from './types.js';

/**
 * A request as it goes on the wire, built once per deployment and operation and sent again while
 * the plugin's payload stays the same: URL joining and parsing, header lower-casing, the body's
 * JSON.stringify and the deny-list check were most of the project's own CPU per probe (issue 18).
 * A reload makes new Deployment objects, so a cache keyed by them never serves a stale request.
 */
export interface PreparedRequest {
  /** The operation it was built for (most deployments have one: no Map of them each). */
  readonly op: Operation;
  readonly method: 'GET' | 'POST';
  /**
   * Its origin's key for what the connection showed (Connections.factsAt). No `URL` is kept:
   * with its context it was ~360 bytes a deployment that only this key was read from.
   */
  readonly factsKey: string;
  /** As undici's top-level request() splits a URL: `url.origin`, and the path with its query. */
  readonly origin: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  /** The URL's host when it is an address in the deny list it was checked against. */
  readonly deniedHost: string | undefined;
  /** The list it was checked against: another list (a reload) checks again. */
  readonly denyList: NetworkList | undefined;
  /**
   * A copy of the payload it was built from (plain JSON values only), shared with the other
   * deployments whose payload and body are the same (the usual case: one per model and mode).
   */
  readonly payload: unknown;
  /** The shared pool for the deployment's TLS settings and the deny list. */
  readonly connections: Connections;
}

/** Per deployment, its one prepared request, or a Map of them when it was called with several operations. */
const prepared = new WeakMap<Deployment, PreparedRequest | Map<Operation, PreparedRequest>>();

/** The request prepared for this deployment, operation, payload and deny list, if there is one. */
export function preparedFor(d: Deployment, op: Operation, payload: unknown, deny: NetworkList | undefined): PreparedRequest | undefined {
  const held = prepared.get(d);
  const p = held instanceof Map ? held.get(op) : held?.op === op ? held : undefined;
  return p && p.denyList === deny && sameJson(p.payload, payload) ? p : undefined;
}

/**
 * Keeps a built request for the next probe, when it can be sent again as is: a plain JSON payload
 * (no form, no class instances whose JSON could change), a string body, GET or POST.
 */
export function prepare(d: Deployment, op: Operation, payload: unknown, wire: WireRequest, deny: NetworkList | undefined, connections: Connections): PreparedRequest | undefined {
  if (wire.method === 'WS' || (wire.body !== undefined && typeof wire.body !== 'string')) return undefined;
  const { url } = wire;
  const host = url.hostname;
  const body = wire.body;
  const shared = body === undefined ? undefined : sharedCopies.get(body)?.deref();
  let payloadCopy: unknown;
  if (shared && sameJson(shared.payload, payload)) payloadCopy = shared.payload;
  else {
    payloadCopy = plainCopy(payload);
    if (payloadCopy === NOT_PLAIN) return undefined;
    if (body !== undefined && payloadCopy !== null && typeof payloadCopy === 'object') shareCopy(body, payloadCopy);
  }
  const p: PreparedRequest = {
    op,
    method: wire.method,
    factsKey: interned(factsKeyOf(url)),
    origin: interned(url.origin),
    // A query may hold a key (Gemini's ?key=): such a path is this deployment's own, never pooled.
    path: url.search ? `${url.pathname}${url.search}` : interned(url.pathname),
    headers: Object.freeze(copyHeaders(wire.headers)),
    body: shared !== undefined && shared.payload === payloadCopy ? shared.body : body,
    deniedHost: deny?.contains(host) ? host : undefined,
    denyList: deny,
    payload: payloadCopy,
    connections,
  };
  const held = prepared.get(d);
  if (held === undefined || (!(held instanceof Map) && held.op === op)) prepared.set(d, p);
  else if (held instanceof Map) held.set(op, p);
  else prepared.set(d, new Map([[held.op, held], [op, p]]));
  return p;
}

/**
 * Payload copies by the body built from them, held weakly: 10,000 deployments of one model send
 * one body, and their copies (~500 bytes each with its key lists) were most of what a prepared
 * request kept. An entry goes when no prepared request holds its copy any more (a reload).
 */
interface SharedCopy { readonly body: string; readonly payload: object }
const sharedCopies = new Map<string, WeakRef<SharedCopy>>();
const dropShared = new FinalizationRegistry<string>((body) => {
  if (sharedCopies.get(body)?.deref() === undefined) sharedCopies.delete(body);
});
function shareCopy(body: string, payload: object): void {
  const entry: SharedCopy = { body, payload };
  // The entry lives as long as its copy: a prepared request holds the copy, the copy the entry.
  entriesOfCopy.set(payload, entry);
  sharedCopies.set(body, new WeakRef(entry));
  dropShared.register(entry, body);
}
const entriesOfCopy = new WeakMap<object, SharedCopy>();

/**
 * Origins and paths, one flat string per distinct value (most deployments share a few): each
 * deployment's own was a slice keeping its whole URL text alive. Bounded, as reloads may bring
 * other hosts.
 */
const interned = flatStrings(4096);

const NOT_PLAIN = Symbol('not plain JSON');

/** A deep copy of plain JSON data (objects with Object's or no prototype, arrays, primitives), else NOT_PLAIN. */
function plainCopy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint' ? NOT_PLAIN : v;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const c = plainCopy(x);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out.push(c);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  if ('toJSON' in v) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(v);
  for (const k of keys) {
    const c = plainCopy((v as Record<string, unknown>)[k]);
    if (c === NOT_PLAIN) return NOT_PLAIN;
    out[k] = c;
  }
  keysOfCopy.set(out, keys);
  return out;
}

/** The keys of each copied object, in order: compared against without an Object.keys per probe. */
const keysOfCopy = new WeakMap<object, readonly string[]>();

/**
 * Whether `b` serialises as `a` (a plainCopy, the first argument always) did: the same keys in the same order (JSON keeps
 * the order), the same primitives, and nothing that is not plain data.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return a === null || typeof a !== 'object';
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const proto = Object.getPrototypeOf(b);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in b) return false;
  const ka = keysOfCopy.get(a);
  if (!ka) return false;
  let i = 0;
  // for…in: own enumerable keys in JSON.stringify's order (b is a plain object, checked above).
  for (const k in b) {
    if (k !== ka[i] || !Object.hasOwn(b, k) || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    i++;
  }
  return i === ka.length;
}

/**
 * A copy of `headers` that shares V8's hidden class with the other deployments' copies (a spread
 * copy got its own past a few dozen, ~250 bytes apiece). Object.assign would run the prototype
 * setter for a header literally named __proto__: such a header keeps the spread copy.
 */
function copyHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.hasOwn(headers, '__proto__') ? { ...headers } : Object.assign({}, headers);
}
