/**
 * What a debug probe records (GET /health/probe?debug=true, CLI --probe ID --debug): one entry per
 * request the plugin made, filled in by the provider layer, which alone sees the wire. Every
 * string in it is redacted where it is recorded (providers/trace-record.ts): the trace never
 * holds a key, an Authorization value or a key= query, so nothing downstream needs to know.
 * Plugins never see it.
 */

/** The TLS side of a connection, from the handshake. */
export interface TlsFacts {
  /** e.g. TLSv1.3 */
  version?: string;
  /** The leaf certificate's subject and issuer common names. */
  subject?: string;
  issuer?: string;
  /** Epoch ms of the earliest notAfter in the chain the upstream presented. */
  certNotAfter?: number;
}

/** One connection, as the connector saw it open. */
export interface ConnectionFacts {
  remoteAddress?: string;
  remotePort?: number;
  tls?: TlsFacts;
  /** Phase durations in ms: DNS (absent for an IP address), TCP connect, TLS handshake. */
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
}

/** One request of a debug probe, redacted. */
export interface TraceCall {
  operation: string;
  method: string;
  /** scheme://host:port/path: no user info, no query. */
  url: string;
  /** The query, each value redacted when it is or looks like a credential. */
  query?: string;
  requestHeaders: Record<string, string>;
  /** Absent when no connection was made (refused, DNS failure, denied network). */
  connection?: ConnectionFacts;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** The first KB of the answer's body as text (redacted), or a note for binary bodies. */
  body?: string;
  bodyBytes?: number;
  bodyTruncated?: boolean;
  /** From the start of the request: until the answer's headers, and until its end. */
  firstByteMs?: number;
  totalMs: number;
  /** Why the request failed (the same redacted text the probe reports). */
  error?: string;
}

/** The collector handed down to the provider layer; one per debug probe. */
export interface ProbeTrace {
  readonly calls: TraceCall[];
}

export function newTrace(): ProbeTrace {
  return { calls: [] };
}
