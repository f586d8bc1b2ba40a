import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import type { Deployment } from '../core/deployment.js';
import type { NetworkList } from '../core/networks.js';
import type { ConnectionFacts, TlsFacts } from '../core/trace.js';
import { guardedLookup } from './network-guard.js';

/**
 * The connection pools of the HTTP client, and what their connector sees of each connection it
 * opens: the address, the TLS version and certificate, and how long DNS, TCP and TLS took. The
 * connector is the one place that sees sockets; requests learn what it saw through
 * `factsFor(url)`, so neither plugins nor providers deal with sockets.
 */
export interface Connections {
  readonly agent: Agent;
  /** What the connector saw of the latest connection to the URL's origin, if it opened one. */
  factsFor(url: URL): ConnectionFacts | undefined;
  /** The same, by the origin's key (factsKeyOf), worked out once for a prepared request. */
  factsAt(key: string): ConnectionFacts | undefined;
  /** After the call: a one-off pool is closed; the shared ones stay. */
  done(): void;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The key factsAt takes for a URL: per probe, three URL getters and a concatenation saved. */
export function factsKeyOf(url: URL): string {
  return originKey(url.protocol, url.hostname, url.port);
}

/** Keyed as the connector is told the origin: ws(s) URLs connect as http(s). */
function originKey(protocol: string, hostname: string, port: string): string {
  const scheme = protocol === 'wss:' ? 'https:' : protocol === 'ws:' ? 'http:' : protocol;
  return `${scheme}//${hostname}:${port || (scheme === 'https:' ? '443' : '80')}`;
}

function connectOptions(tls: Deployment['tls'], deny: NetworkList | undefined) {
  return { rejectUnauthorized: tls.verify, ...(tls.ca ? { ca: tls.ca } : {}), ...(deny?.key ? { lookup: guardedLookup(deny) } : {}) };
}

/** undici's own connector, measuring each connection and handing what it saw to `opened`. */
function observingConnector(options: buildConnector.BuildOptions, opened: (origin: string, facts: ConnectionFacts) => void): buildConnector.connector {
  const base = buildConnector(options) as unknown as (o: buildConnector.Options, cb: buildConnector.Callback) => Socket | undefined;
  return (opts, callback) => {
    const t0 = performance.now();
    let lookedUp: number | undefined;
    let connected: number | undefined;
    const socket = base(opts, (...args) => {
      const s = args[1];
      if (s) {
        const end = performance.now();
        const tcpEnd = connected ?? end;
        const facts: ConnectionFacts = { remoteAddress: s.remoteAddress, remotePort: s.remotePort, connectMs: round(tcpEnd - (lookedUp ?? t0)) };
        if (lookedUp !== undefined) facts.dnsMs = round(lookedUp - t0);
        if ('getPeerCertificate' in s) {
          facts.tlsMs = round(end - tcpEnd);
          facts.tls = tlsFacts(s);
        }
        opened(originKey(opts.protocol, opts.hostname, String(opts.port ?? '')), facts);
      }
      callback(...args);
    });
    socket?.once('lookup', () => { lookedUp = performance.now(); }).once('connect', () => { connected = performance.now(); });
  };
}

/** The handshake's facts; the expiry is the earliest notAfter in the presented chain (as blackbox_exporter's). */
export function tlsFacts(s: TLSSocket): TlsFacts {
  const leaf = s.getPeerCertificate(true);
  let earliest: number | undefined;
  const seen = new Set<PeerCertificate>();
  for (let c: PeerCertificate | undefined = leaf; c && c.valid_to && !seen.has(c); c = (c as { issuerCertificate?: PeerCertificate }).issuerCertificate) {
    seen.add(c);
    const t = Date.parse(c.valid_to);
    if (Number.isFinite(t)) earliest = Math.min(earliest ?? t, t);
  }
  const cn = (name: PeerCertificate['subject'] | undefined) => {
    const v = name?.CN as string | string[] | undefined;
    return Array.isArray(v) ? v.join(', ') : v;
  };
  return { version: s.getProtocol() ?? undefined, subject: cn(leaf.subject), issuer: cn(leaf.issuer), certNotAfter: earliest };
}

/**
 * Keep-alive: an upstream that announces its idle timeout (`Keep-Alive: timeout=N`) is followed
 * up to 600 s (undici's keepAliveMaxTimeout); one that announces none keeps a connection 10 s.
 * Not the background interval: behind a load balancer whose silent idle timeout equals the gap
 * between two probes of an origin (an ALB's 60 s against a 60 s interval), every probe would
 * reuse a connection the balancer is closing at that moment and fail as a reset (issue 18).
 */
function newAgent(tls: Deployment['tls'], deny: NetworkList | undefined, opened: (origin: string, facts: ConnectionFacts) => void): Agent {
  // No per-origin connection limit: the scheduler's concurrency cap is the one limit. undici
  // opens up to about twice the cap (a finished request's connection is free again only a tick
  // after the next probe was dispatched), but a limit of the cap itself let probes wait behind
  // aborted connections not yet closed and time out unsent (11 of 2,000 in
  // test/faults/load-2000-hanging.test.ts; issue 18).
  return new Agent({ keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0, connect: observingConnector(connectOptions(tls, deny), opened) });
}

// Pooled agents, one per TLS setting (almost always just the default one) and deny list;
// per-call timeouts come from the runner's deadline sweep.
const pools = new Map<string, Connections>();

/** The shared pool for a TLS setting: connections are kept alive and reused across probes. */
export function pooledConnections(tls: Deployment['tls'], deny: NetworkList | undefined): Connections {
  const key = `${tls.verify ? 1 : 0}:${tls.ca ?? ''}:${deny?.key ?? ''}`;
  let pool = pools.get(key);
  if (!pool) {
    // Per origin, the latest connection opened: on a kept-alive connection the same certificate.
    const latest = new Map<string, ConnectionFacts>();
    const agent = newAgent(tls, deny, (origin, facts) => latest.set(origin, facts));
    pool = { agent, factsFor: (url) => latest.get(factsKeyOf(url)), factsAt: (key) => latest.get(key), done: () => {} };
    pools.set(key, pool);
  }
  return pool;
}

/**
 * A pool for one traced call: its own connection, so DNS, connect and TLS are measured (a
 * kept-alive connection would show none of them), closed when the call is done.
 */
export function oneOffConnections(tls: Deployment['tls'], deny: NetworkList | undefined): Connections {
  let seen: ConnectionFacts | undefined;
  const agent = newAgent(tls, deny, (_origin, facts) => { seen = facts; });
  return { agent, factsFor: () => seen, factsAt: () => seen, done: () => { void agent.destroy().catch(() => {}); } };
}
