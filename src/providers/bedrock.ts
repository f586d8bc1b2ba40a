import type { Deployment } from '../core/deployment.js';
import type { ErrorType } from '../core/errors.js';
import type { ErrorDetails, Payload, Provider, ResponseHeaders, WireRequest } from './types.js';
import { joinUrl } from './openai.js';
import { chatCompletion, openAiUsage, embeddingList, isObject, jsonHeaders, jsonPayload, modelList, nestedMaxTokens, rest, splitSystem, textOf, whenObject } from './translate.js';

/** LiteLLM's region when neither aws_region_name nor AWS_REGION_NAME/AWS_REGION is set. */
export const BEDROCK_DEFAULT_REGION = 'us-west-2';
/** The SigV4 signing name of bedrock-runtime (and of the bedrock control plane). */
const SIGNING_SERVICE = 'bedrock';

function param(d: Deployment, key: string): string | undefined {
  const v = d.params[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The model id as Bedrock wants it: LiteLLM's route prefixes (`converse/`, `invoke/`) removed.
 * Foundation model ids (`anthropic.claude-3-5-haiku-20241022-v1:0`), cross-region inference
 * profiles (`us.anthropic.…`, `global.…`) and ARNs all go into the path the same way.
 */
export function bedrockModelId(d: Deployment): string {
  return d.providerModel.replace(/^(converse|invoke)\//, '');
}

/** aws_region_name (or AWS_REGION_NAME/AWS_REGION), else the region of an ARN model id, else us-west-2. */
export function bedrockRegion(d: Deployment): string {
  const arnRegion = /^arn:aws[\w-]*:bedrock:([a-z0-9-]+):/.exec(bedrockModelId(d))?.[1];
  return param(d, 'aws_region_name') ?? arnRegion ?? BEDROCK_DEFAULT_REGION;
}

/** api_base, else aws_bedrock_runtime_endpoint, else bedrock-runtime.{region}.amazonaws.com (LiteLLM's order). */
function runtimeBase(d: Deployment): string {
  return d.apiBase ?? param(d, 'aws_bedrock_runtime_endpoint') ?? `https://bedrock-runtime.${bedrockRegion(d)}.amazonaws.com`;
}

const STOP_REASONS: Record<string, string> = {
  end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter', content_filtered: 'content_filter',
};

/**
 * Signs the request (or sends the Bedrock API key as a bearer, as LiteLLM does). Headers as the
 * AWS SDK sends them: an Accept only for InvokeModel (JSON), the content length signed too.
 */
async function send(d: Deployment, url: URL, body?: Record<string, unknown>, accept: string | null = null): Promise<WireRequest> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const sized: Record<string, string> = text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
  const headers = jsonHeaders(d, sized, accept);
  const wire: WireRequest = { method: text === undefined ? 'GET' : 'POST', url, headers, ...(text === undefined ? {} : { body: text }) };
  if (d.credentials.apiKey) {
    headers.authorization = `Bearer ${d.credentials.apiKey}`;
    return wire;
  }
  wire.headers = await sign(d, wire, text);
  return wire;
}

function modelUrl(d: Deployment, action: 'converse' | 'invoke'): URL {
  return joinUrl(runtimeBase(d), `/model/${encodeURIComponent(bedrockModelId(d))}/${action}`);
}

/** Converse: `{messages: [{role, content: [{text}]}], system: [{text}], inferenceConfig: {maxTokens}}`. */
function converse(d: Deployment, payload: Payload): Promise<WireRequest> {
  const p = jsonPayload(payload);
  const { system, turns } = splitSystem(p.messages);
  return send(d, modelUrl(d, 'converse'), {
    messages: turns.map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: [{ text: textOf(m.content) }] })),
    ...(system ? { system: [{ text: system }] } : {}),
    ...nestedMaxTokens(p, ['messages'], { object: 'inferenceConfig', field: 'maxTokens' }),
  });
}

function converseAnswer(json: Record<string, unknown>): unknown {
  const message = isObject(json.output) && isObject(json.output.message) ? json.output.message : undefined;
  if (!message || !Array.isArray(message.content)) return {};
  const text = textOf(message.content.filter((c) => isObject(c) && typeof c.text === 'string'));
  const reason = typeof json.stopReason === 'string' ? STOP_REASONS[json.stopReason] ?? json.stopReason : undefined;
  return chatCompletion(text, reason, undefined, isObject(json.usage) ? openAiUsage(json.usage.inputTokens, json.usage.outputTokens) : undefined);
}

/** Titan: {embedding: [...]}; Cohere: {embeddings: [[...]]} or {embeddings: {float: [[...]]}}. */
function embeddingAnswer(json: Record<string, unknown>): unknown {
  if (Array.isArray(json.embedding)) return embeddingList(json.embedding);
  const list = isObject(json.embeddings) ? json.embeddings.float : json.embeddings;
  return embeddingList(Array.isArray(list) ? list[0] : undefined);
}

/**
 * Amazon Bedrock: Converse for chat (`POST /model/{modelId}/converse`), InvokeModel for
 * embeddings (`POST /model/{modelId}/invoke`, Titan's or Cohere's body by model id), and the
 * control plane's `GET /foundation-models` for the free probe. Requests are signed with SigV4 by
 * @smithy/signature-v4 (the AWS SDK's own signer), from aws_access_key_id / aws_secret_access_key /
 * aws_session_token / aws_region_name or the standard AWS variables; a Bedrock API key
 * (api_key or AWS_BEARER_TOKEN_BEDROCK) is sent as a bearer instead, as LiteLLM does.
 */
export const bedrock: Provider = {
  name: 'bedrock',
  genAiProvider: 'aws.bedrock',
  envDefaults: {
    aws_access_key_id: ['AWS_ACCESS_KEY_ID'],
    aws_secret_access_key: ['AWS_SECRET_ACCESS_KEY'],
    aws_session_token: ['AWS_SESSION_TOKEN'],
    aws_region_name: ['AWS_REGION_NAME', 'AWS_REGION'],
    aws_bedrock_runtime_endpoint: ['AWS_BEDROCK_RUNTIME_ENDPOINT'],
    api_key: ['AWS_BEARER_TOKEN_BEDROCK'],
  },
  // An explicit key pair must not pick up the environment's session token (which belongs to
  // other credentials), as boto3 would not.
  envDefaultGroups: [['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token']],
  baseFor: runtimeBase,
  operations: {
    chat: { build: converse, parse: whenObject(converseAnswer) },
    embedding: {
      build: (d, payload) => send(d, modelUrl(d, 'invoke'), embeddingBody(bedrockModelId(d), jsonPayload(payload)), 'application/json'),
      parse: whenObject(embeddingAnswer),
    },
    models_list: {
      // The control plane, not bedrock-runtime (a runtime VPC endpoint does not serve it).
      build: (d) => send(d, joinUrl(d.apiBase ?? `https://bedrock.${bedrockRegion(d)}.amazonaws.com`, '/foundation-models')),
      parse: whenObject((json) => modelList(json.modelSummaries)),
    },
  },
  errorMessage: bedrockErrorMessage,
  errorDetails: bedrockErrorDetails,
};

/** InvokeModel bodies of the embedding families: Cohere's `{texts, input_type}`, else Titan's `{inputText}`. */
function embeddingBody(modelId: string, p: Record<string, unknown>): Record<string, unknown> {
  const input = (Array.isArray(p.input) ? p.input : [p.input]).map(textOf);
  if (/(^|[.:/])cohere\./.test(modelId)) return { texts: input, input_type: 'search_query', ...rest(p, ['input']) };
  return { inputText: input[0] ?? '', ...rest(p, ['input']) };
}

/**
 * The SigV4 signer's packages, loaded at the first signed request: ~35 ms of start-up and their
 * heap that a config without Bedrock never needs.
 */
let signerPackages: Promise<[typeof import('@smithy/signature-v4'), typeof import('@aws-crypto/sha256-js')]> | undefined;

/** SigV4 over the exact method, path, query, headers and body bytes that will be sent. */
async function sign(d: Deployment, wire: WireRequest, body: string | undefined): Promise<Record<string, string>> {
  const accessKeyId = param(d, 'aws_access_key_id');
  const secretAccessKey = param(d, 'aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('bedrock needs AWS credentials: aws_access_key_id and aws_secret_access_key (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or a Bedrock api_key (AWS_BEARER_TOKEN_BEDROCK)');
  }
  const sessionToken = param(d, 'aws_session_token');
  const [{ SignatureV4 }, { Sha256 }] = await (signerPackages ??= Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')]));
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: bedrockRegion(d),
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    sha256: Sha256,
  });
  const { url } = wire;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign({
    method: wire.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers: { ...wire.headers, host: url.host },
    ...(body === undefined ? {} : { body }),
  });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The AWS error name: the x-amzn-ErrorType header (`ThrottlingException:http://…`) or the body's __type. */
function errorName(body: unknown, headers: ResponseHeaders | undefined): string | undefined {
  const h = headers?.['x-amzn-errortype'];
  const fromHeader = typeof h === 'string' ? h.split(':')[0] : undefined;
  const t = isObject(body) && typeof body.__type === 'string' ? body.__type.split('#').pop() : undefined;
  return fromHeader || t || undefined;
}

/** `{"message": "…"}` (or `Message`), prefixed with the error name: "ThrottlingException: Too many requests…". */
function bedrockErrorMessage(body: unknown, headers?: ResponseHeaders): string | undefined {
  const msg = isObject(body) ? (typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : undefined) : undefined;
  const name = errorName(body, headers);
  if (msg === undefined) return name;
  return name ? `${name}: ${msg}` : msg;
}

const ERROR_TYPES: Record<string, ErrorType> = {
  ThrottlingException: 'rate_limited',
  ServiceQuotaExceededException: 'rate_limited',
  ModelNotReadyException: 'rate_limited',
  TooManyRequestsException: 'rate_limited',
  AccessDeniedException: 'auth',
  UnrecognizedClientException: 'auth',
  InvalidSignatureException: 'auth',
  IncompleteSignatureException: 'auth',
  MissingAuthenticationTokenException: 'auth',
  ExpiredTokenException: 'auth',
  InvalidClientTokenId: 'auth',
  SignatureDoesNotMatch: 'auth',
  ResourceNotFoundException: 'not_found',
  ModelTimeoutException: 'timeout',
  ModelErrorException: 'server_error',
  InternalServerException: 'server_error',
  ServiceUnavailableException: 'server_error',
};

function bedrockErrorDetails(_status: number, body: unknown, headers: ResponseHeaders): ErrorDetails | undefined {
  const name = errorName(body, headers);
  if (!name) return undefined;
  let type = ERROR_TYPES[name];
  // An unknown or unavailable model id is a 400 ValidationException at Bedrock.
  const msg = bedrockErrorMessage(body) ?? '';
  if (name === 'ValidationException' && /model identifier is invalid|model .*(not found|doesn't exist|does not exist)/i.test(msg)) type = 'not_found';
  return { code: name, ...(type ? { type } : {}) };
}
