import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { behaviourOf, startFakeServer, type FakeServer, type Recorded, type Reply } from './fake-server.js';

/**
 * A fake Amazon Bedrock on loopback (docs.aws.amazon.com/bedrock/latest/APIReference):
 * bedrock-runtime's `POST /model/{modelId}/converse` and `POST /model/{modelId}/invoke`, and the
 * control plane's `GET /foundation-models`. Like AWS, it checks every request's SigV4 signature
 * against the credentials it knows, with its own verifier below (node:crypto only, written from
 * the documented algorithm, sharing nothing with the signer under test), and answers AWS's
 * errors: a JSON `{"message"}` body with the error name in `x-amzn-ErrorType`. Its
 * InvalidSignatureException echoes the canonical request and string to sign, as the real one does
 * (the session token is in there: the worst case for leaks).
 *
 * The model id (or X-Fake-Behaviour) picks the behaviour: ok | length | empty | throttled |
 * not_ready | access_denied | invalid_model | not_found | model_timeout | server_error |
 * unavailable | hang.
 */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface FakeBedrockOptions {
  credentials: AwsCredentials;
  /** The region requests must be signed for. */
  region: string;
  /** A Bedrock API key accepted as a bearer instead of SigV4. */
  apiKey?: string;
}

const RUNTIME = 'http://internal.amazon.com/coral/com.amazon.bedrock/';
const CORAL = 'http://internal.amazon.com/coral/com.amazon.coral.service/';

export function awsError(status: number, name: string, message: string, namespace = RUNTIME): Reply {
  return { status, json: { message }, headers: { 'x-amzn-errortype': `${name}:${namespace}`, 'x-amzn-requestid': 'fake-0000-request' } };
}

// ---------------------------------------------------------------------------------------------
// SigV4, independently: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding of everything but the unreserved characters, as SigV4 requires. */
function uriEncode(s: string): string {
  return Array.from(Buffer.from(s, 'utf8'))
    .map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

export interface SigV4Check {
  ok: boolean;
  /** Why it failed, or the parts of a good signature. */
  reason?: 'missing' | 'malformed' | 'unknown_key' | 'bad_scope' | 'stale' | 'payload_hash' | 'token' | 'signature';
  canonicalRequest?: string;
  stringToSign?: string;
  signedHeaders?: string[];
  scope?: { date: string; region: string; service: string };
}

/**
 * Recomputes the signature of a received request from the given credentials and compares it with
 * the Authorization header. Non-S3 services URI-encode each path segment twice: once by the client
 * (what arrives) and once more in the canonical request.
 */
export function verifySigV4(req: Recorded, creds: AwsCredentials, expect: { region: string; service: string }, now = Date.now()): SigV4Check {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !auth.startsWith('AWS4-HMAC-SHA256 ')) return { ok: false, reason: 'missing' };
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, keyId, date, region, service, signedList, signature] = m as unknown as string[];
  if (keyId !== creds.accessKeyId) return { ok: false, reason: 'unknown_key' };
  const scope = { date: date!, region: region!, service: service! };
  if (region !== expect.region || service !== expect.service) return { ok: false, reason: 'bad_scope', scope };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return { ok: false, reason: 'bad_scope', scope };
  const at = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(now - at) > 15 * 60_000) return { ok: false, reason: 'stale', scope };
  const signedHeaders = signedList!.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) return { ok: false, reason: 'malformed', scope };
  const token = req.headers['x-amz-security-token'];
  if ((creds.sessionToken ?? undefined) !== (token ?? undefined) || (token !== undefined && !signedHeaders.includes('x-amz-security-token'))) {
    return { ok: false, reason: 'token', scope };
  }
  const payloadHash = sha256Hex(req.rawBody);
  const declared = req.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== payloadHash) return { ok: false, reason: 'payload_hash', scope };

  const [rawPath = '/', rawQuery = ''] = req.rawTarget.split('?');
  const canonicalUri = rawPath.split('/').map(uriEncode).join('/');
  const canonicalQuery = rawQuery
    ? rawQuery.split('&').map((kv) => {
      const [k = '', v = ''] = kv.split('=');
      return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v.replace(/\+/g, ' ')))] as const;
    }).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&')
    : '';
  const canonicalHeaders = signedHeaders.map((h) => {
    const v = req.headers[h];
    const value = Array.isArray(v) ? v.join(',') : String(v ?? '');
    return `${h}:${value.trim().replace(/\s+/g, ' ')}\n`;
  }).join('');
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
  const credentialScope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${creds.secretAccessKey}`, date!);
  const kRegion = hmac(kDate, region!);
  const kService = hmac(kRegion, service!);
  const kSigning = hmac(kService, 'aws4_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest();
  const ok = timingSafeEqual(expected, Buffer.from(signature!, 'hex'));
  return { ok, ...(ok ? {} : { reason: 'signature' as const }), canonicalRequest, stringToSign, signedHeaders, scope };
}

// ---------------------------------------------------------------------------------------------

export const FOUNDATION_MODELS = [
  { modelArn: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', modelName: 'Claude 3.5 Haiku', providerName: 'Anthropic', inputModalities: ['TEXT'], outputModalities: ['TEXT'], responseStreamingSupported: true, customizationsSupported: [], inferenceTypesSupported: ['INFERENCE_PROFILE'], modelLifecycle: { status: 'ACTIVE' } },
];

function authCheck(req: Recorded, opts: FakeBedrockOptions, service: string): Reply | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) {
    return opts.apiKey !== undefined && auth === `Bearer ${opts.apiKey}` ? undefined : awsError(403, 'UnrecognizedClientException', 'Invalid API Key format: Must start with pre-defined prefix', CORAL);
  }
  const check = verifySigV4(req, opts.credentials, { region: opts.region, service });
  if (check.ok) return undefined;
  switch (check.reason) {
    case 'missing': return awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token', CORAL);
    case 'unknown_key':
    case 'token': return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.', CORAL);
    case 'stale': return awsError(403, 'InvalidSignatureException', 'Signature expired: the request time is too far from the current time.', CORAL);
    case 'signature':
      return awsError(403, 'InvalidSignatureException', `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${check.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${check.stringToSign}'\n`, CORAL);
    default: return awsError(403, 'IncompleteSignatureException', `Credential should be scoped to a valid region. (${check.reason})`, CORAL);
  }
}

export async function startFakeBedrock(opts: FakeBedrockOptions): Promise<FakeServer> {
  return startFakeServer((req) => {
    const denied = authCheck(req, opts, 'bedrock');
    if (denied) return denied;
    const m = /^\/model\/([^/]+)\/(converse|invoke)$/.exec(req.path);
    const modelId = m?.[1];
    const behaviour = behaviourOf(req, modelId);
    switch (behaviour) {
      case 'throttled': return awsError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.');
      case 'not_ready': return awsError(429, 'ModelNotReadyException', 'Model is not ready to serve inference requests.');
      case 'access_denied': return awsError(403, 'AccessDeniedException', 'You don\'t have access to the model with the specified model ID.');
      case 'invalid_model': return awsError(400, 'ValidationException', 'The provided model identifier is invalid.');
      case 'not_found': return awsError(404, 'ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.');
      case 'model_timeout': return awsError(408, 'ModelTimeoutException', 'Model has timed out in processing the request. Try your request again.');
      case 'server_error': return awsError(500, 'InternalServerException', 'The server encountered an internal error while processing the request.');
      case 'unavailable': return awsError(503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.');
      case 'hang': return 'hang';
    }
    const headers = { 'x-amzn-requestid': 'fake-0000-request' };
    if (req.method === 'GET' && req.path === '/foundation-models') return { status: 200, json: { modelSummaries: FOUNDATION_MODELS }, headers };
    if (!m || req.method !== 'POST') return awsError(404, 'UnknownOperationException', '', CORAL);
    if (req.headers['content-type'] !== 'application/json' || !req.body) return awsError(400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');
    if (m[2] === 'converse') {
      const msgs = req.body.messages;
      if (!Array.isArray(msgs) || !msgs.length || !msgs.every((x: any) => ['user', 'assistant'].includes(x.role) && Array.isArray(x.content))) {
        return awsError(400, 'ValidationException', 'The model returned the following errors: messages: Field required');
      }
      if (behaviour === 'empty') return { status: 200, json: { stopReason: 'end_turn', usage: { inputTokens: 8, outputTokens: 0, totalTokens: 8 }, metrics: { latencyMs: 100 } }, headers };
      const length = behaviour === 'length';
      return {
        status: 200,
        headers,
        json: {
          output: { message: { role: 'assistant', content: length ? [] : [{ text: 'pong' }] } },
          stopReason: length ? 'max_tokens' : 'end_turn',
          usage: { inputTokens: 8, outputTokens: 1, totalTokens: 9 },
          metrics: { latencyMs: 120 },
        },
      };
    }
    // InvokeModel: each model family has its own body.
    if (/(^|\.)cohere\.embed/.test(modelId!)) {
      if (!Array.isArray(req.body.texts) || !req.body.input_type) return awsError(400, 'ValidationException', 'Malformed input request: #: required key [input_type] not found, please reformat your input and try again.');
      return { status: 200, headers, json: { id: 'emb-1', embeddings: behaviour === 'empty' ? [] : [[0.0161, -0.0083, -0.0469]], response_type: 'embeddings_floats', texts: req.body.texts } };
    }
    if (typeof req.body.inputText !== 'string') return awsError(400, 'ValidationException', 'Malformed input request: #: required key [inputText] not found, please reformat your input and try again.');
    return { status: 200, headers, json: behaviour === 'empty' ? { inputTextTokenCount: 1 } : { embedding: [0.0121, -0.0332, 0.0543], inputTextTokenCount: 1 } };
  });
}
