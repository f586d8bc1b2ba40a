import { createHash, createHmac } from 'node:crypto';

/**
 * An independent AWS Signature Version 4 verifier, written from the AWS specification ("Create a
 * signed AWS API request", docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
 * with node:crypto alone: it shares no code with @smithy/signature-v4, which signs the exporter's
 * Bedrock requests, nor with the AWS SDK. It recomputes the signature of a request exactly as it
 * arrived on the wire (method, percent-encoded target, header values as sent, body bytes) and
 * says whether the Authorization header's signature is that one.
 */
export interface WireRequest {
  method: string;
  /** The request target as sent, percent-encoding and query included. */
  rawTarget: string;
  /** Header name/value pairs as sent (Node's rawHeaders). */
  rawHeaders: string[];
  rawBody: Buffer;
}

export interface SigV4Check {
  ok: boolean;
  /** Why not, when not (never a secret: names and hashes only). */
  problem?: string;
  accessKeyId?: string;
  date?: string;
  region?: string;
  service?: string;
  signedHeaders?: string[];
}

const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 wants it. */
function uriEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/**
 * The canonical URI of services other than S3: each segment of the path as sent (already
 * percent-encoded once) is encoded again, so `%3A` becomes `%253A`.
 */
function canonicalUri(path: string): string {
  return path.split('/').map(uriEncode).join('/') || '/';
}

/** Parameters sorted by encoded name then value, each side encoded. */
function canonicalQuery(query: string): string {
  if (!query) return '';
  const pairs = query.split('&').filter(Boolean).map((p) => {
    const eq = p.indexOf('=');
    const k = decodeURIComponent((eq < 0 ? p : p.slice(0, eq)).replace(/\+/g, ' '));
    const v = eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1).replace(/\+/g, ' '));
    return [uriEncode(k), uriEncode(v)] as const;
  });
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Verifies the SigV4 signature of `req` with `secretAccessKey`. */
export function verifySigV4(req: WireRequest, secretAccessKey: string): SigV4Check {
  const headers = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), req.rawHeaders[i + 1]!]);
  }
  const authorization = headers.get('authorization')?.[0] ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!m) return { ok: false, problem: 'no AWS4-HMAC-SHA256 Authorization header of the documented form' };
  const [, accessKeyId, date, region, service, signedList, signature] = m as unknown as string[];
  const signedHeaders = signedList!.split(';');
  const amzDate = headers.get('x-amz-date')?.[0];
  const base = { accessKeyId, date, region, service, signedHeaders };
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) return { ok: false, problem: 'no x-amz-date of the form YYYYMMDDTHHMMSSZ', ...base };
  if (amzDate.slice(0, 8) !== date) return { ok: false, problem: 'the credential scope date is not the x-amz-date day', ...base };
  if ([...signedHeaders].sort().join(';') !== signedList || !signedHeaders.includes('host')) {
    return { ok: false, problem: 'SignedHeaders not sorted, or without host', ...base };
  }
  for (const name of signedHeaders) if (!headers.has(name)) return { ok: false, problem: `signed header ${name} was not sent`, ...base };

  const q = req.rawTarget.indexOf('?');
  const path = q < 0 ? req.rawTarget : req.rawTarget.slice(0, q);
  const query = q < 0 ? '' : req.rawTarget.slice(q + 1);
  // Values trimmed, inner runs of spaces collapsed, repeated headers joined with commas.
  const canonicalHeaders = signedHeaders.map((n) => `${n}:${headers.get(n)!.map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`).join('');
  const payloadHash = hex(req.rawBody);
  const sentHash = headers.get('x-amz-content-sha256')?.[0];
  if (sentHash !== undefined && sentHash !== payloadHash) return { ok: false, problem: 'x-amz-content-sha256 is not the hash of the body', ...base };
  const canonicalRequest = [req.method, canonicalUri(path), canonicalQuery(query), canonicalHeaders, signedList, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return expected === signature ? { ok: true, ...base } : { ok: false, problem: 'the signature does not match the request', ...base };
}
