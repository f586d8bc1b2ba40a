import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bedrock } from '../../src/providers/bedrock.js';
import { genAiProviderOf, serverEndpoint } from '../../src/registry/providers.js';
import { startExporter } from '../support/exporter.js';
import { startFakeBedrock, verifySigV4, type AwsCredentials } from '../support/fake-bedrock.js';
import type { FakeServer, Recorded } from '../support/fake-server.js';
import { deploymentOf, probeOnce } from './probe-once.js';

const REGION = 'us-east-1';
const CREDS: AwsCredentials = { accessKeyId: 'AKIAFAKEBEDROCK00001', secretAccessKey: 'fakeSecretKey/0000000000000000000000000001' };
const SESSION: AwsCredentials = { accessKeyId: 'ASIAFAKEBEDROCK00002', secretAccessKey: 'fakeSecretKey/0000000000000000000000000002', sessionToken: 'FwoGZXIvYXdzEFAKEsessiontoken00000000000003' };
const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';

let up: FakeServer;
let withSession: FakeServer;
beforeAll(async () => {
  up = await startFakeBedrock({ credentials: CREDS, region: REGION, apiKey: 'ABSKQmVkcm9ja0FQSUtleS1mYWtl' });
  withSession = await startFakeBedrock({ credentials: SESSION, region: 'eu-central-1' });
});
afterAll(async () => { await up.close(); await withSession.close(); });
beforeEach(() => { up.reset(); withSession.reset(); });

const creds = (c: AwsCredentials, region: string) =>
  `aws_access_key_id: ${c.accessKeyId}, aws_secret_access_key: "${c.secretAccessKey}"${c.sessionToken ? `, aws_session_token: ${c.sessionToken}` : ''}, aws_region_name: ${region}`;
const params = (model: string, extra = '') => `{ model: "bedrock/${model}", api_base: "${up.url}", ${creds(CREDS, REGION)}${extra} }`;

/** Checks the SigV4 header shape and that the signature verifies (and a wrong secret does not). */
function expectSignedBy(req: Recorded, c: AwsCredentials, region: string) {
  const auth = String(req.headers.authorization);
  expect(auth).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${c.accessKeyId}/\\d{8}/${region}/bedrock/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`));
  expect(req.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  const good = verifySigV4(req, c, { region, service: 'bedrock' });
  expect(good).toMatchObject({ ok: true });
  expect(good.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-content-sha256']));
  if (req.rawBody.length) expect(good.signedHeaders).toContain('content-type');
  // The same request does not verify under another secret, region or service.
  expect(verifySigV4(req, { ...c, secretAccessKey: `${c.secretAccessKey}x` }, { region, service: 'bedrock' })).toMatchObject({ ok: false, reason: 'signature' });
  expect(verifySigV4(req, c, { region: 'us-west-2', service: 'bedrock' })).toMatchObject({ ok: false, reason: 'bad_scope' });
}

describe('the independent SigV4 check', () => {
  it('reproduces AWS\'s published example signature (IAM ListUsers, 2015-08-30), and nothing else', () => {
    const req = {
      method: 'GET', path: '/', rawTarget: '/?Action=ListUsers&Version=2010-05-08', query: {}, rawHeaders: [], rawBody: Buffer.alloc(0), body: undefined, at: 0,
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host: 'iam.amazonaws.com', 'x-amz-date': '20150830T123600Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
      },
    } as Recorded;
    const example = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const at = Date.UTC(2015, 7, 30, 12, 36);
    const r = verifySigV4(req, example, { region: 'us-east-1', service: 'iam' }, at);
    expect(r).toMatchObject({ ok: true });
    expect(createHash('sha256').update(r.canonicalRequest!).digest('hex')).toBe('f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    expect(verifySigV4(req, { ...example, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ' }, { region: 'us-east-1', service: 'iam' }, at)).toMatchObject({ ok: false, reason: 'signature' });
    expect(verifySigV4({ ...req, rawTarget: '/?Action=ListUsers&Version=2010-05-09' }, example, { region: 'us-east-1', service: 'iam' }, at)).toMatchObject({ ok: false, reason: 'signature' });
  });
});

describe('Bedrock chat (Converse), SigV4-signed', () => {
  it('POSTs /model/{modelId}/converse with the Converse body; the signature verifies independently; healthy', async () => {
    const entry = await probeOnce(params(HAIKU));
    expect(up.requests).toHaveLength(1);
    const req = up.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/model/${HAIKU}/converse`);
    expect(req.rawTarget).toBe('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(req.rawBody).digest('hex'));
    expect(req.headers['x-amz-security-token']).toBeUndefined();
    expect(req.body).toEqual({ messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 16 } });
    expectSignedBy(req, CREDS, REGION);
    expect(entry).toMatchObject({ model: `bedrock/${HAIKU}`, custom_llm_provider: 'bedrock', mode: 'chat' });
    expect(entry.error).toBeUndefined();
  });

  it('a cross-region inference profile id (us.…) works the same: encoded in the path, signed over the encoded path', async () => {
    const entry = await probeOnce(params(`us.${HAIKU}`));
    const req = up.requests[0]!;
    expect(req.rawTarget).toBe('/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');
    expectSignedBy(req, CREDS, REGION);
    expect(entry.error).toBeUndefined();
  });

  it('LiteLLM\'s bedrock/converse/ route prefix is not part of the model id', async () => {
    await probeOnce(params(`converse/${HAIKU}`));
    expect(up.requests[0]!.path).toBe(`/model/${HAIKU}/converse`);
  });

  it('a session token is sent as x-amz-security-token and signed, with the region of aws_region_name', async () => {
    const entry = await probeOnce(`{ model: "bedrock/${HAIKU}", api_base: "${withSession.url}", ${creds(SESSION, 'eu-central-1')} }`);
    const req = withSession.requests[0]!;
    expect(req.headers['x-amz-security-token']).toBe(SESSION.sessionToken);
    expectSignedBy(req, SESSION, 'eu-central-1');
    expect(verifySigV4(req, { ...SESSION, sessionToken: undefined }, { region: 'eu-central-1', service: 'bedrock' })).toMatchObject({ ok: false, reason: 'token' });
    expect(entry.error).toBeUndefined();
  });

  it('takes the standard AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION)', async () => {
    const entry = await probeOnce(`{ model: "bedrock/${HAIKU}", api_base: "${withSession.url}" }`, {
      env: { AWS_ACCESS_KEY_ID: SESSION.accessKeyId, AWS_SECRET_ACCESS_KEY: SESSION.secretAccessKey, AWS_SESSION_TOKEN: SESSION.sessionToken, AWS_REGION: 'eu-central-1' },
    });
    expectSignedBy(withSession.requests[0]!, SESSION, 'eu-central-1');
    expect(entry.error).toBeUndefined();
  });

  it('AWS_REGION_NAME wins over AWS_REGION, as in LiteLLM', async () => {
    const d = deploymentOf(`{ model: "bedrock/${HAIKU}" }`, '{}', { AWS_REGION_NAME: 'ap-south-1', AWS_REGION: 'eu-west-1' });
    expect(serverEndpoint(d)).toEqual({ address: 'bedrock-runtime.ap-south-1.amazonaws.com', port: 443 });
  });

  it('an explicit key pair does not pick up the environment\'s session token', async () => {
    const entry = await probeOnce(params(HAIKU), { env: { AWS_SESSION_TOKEN: 'stale-token-from-env-0001' } });
    expect(up.requests[0]!.headers['x-amz-security-token']).toBeUndefined();
    expect(entry.error).toBeUndefined();
  });

  it('an empty answer stopped at max_tokens is healthy with the note; no output at all is bad_response', async () => {
    const a = await probeOnce(params('length'));
    expect(a.error).toBeUndefined();
    expect(a.details).toEqual({ note: 'empty answer: max_tokens spent (reasoning)' });
    const b = await probeOnce(params('empty'));
    expect(b).toMatchObject({ error_type: 'bad_response', error: '200 without choices in the chat completion' });
  });

  it('health_check_params: inferenceConfig merges with maxTokens; OpenAI\'s reasoning_effort is dropped', async () => {
    await probeOnce(params(HAIKU), { modelInfo: '{ health_check_reasoning_effort: low, health_check_params: { inferenceConfig: { temperature: 0 } } }' });
    expect(up.requests[0]!.body).toEqual({ messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 16, temperature: 0 } });
  });

  it('aws_bedrock_runtime_endpoint points it at another endpoint (a VPC endpoint, here the fake)', async () => {
    const entry = await probeOnce(`{ model: "bedrock/${HAIKU}", aws_bedrock_runtime_endpoint: "${up.url}", ${creds(CREDS, REGION)} }`);
    expectSignedBy(up.requests[0]!, CREDS, REGION);
    expect(entry.error).toBeUndefined();
  });

  it('a Bedrock API key (api_key) goes as a bearer instead of SigV4', async () => {
    const entry = await probeOnce(`{ model: "bedrock/${HAIKU}", api_base: "${up.url}", api_key: ABSKQmVkcm9ja0FQSUtleS1mYWtl, aws_region_name: ${REGION} }`);
    const req = up.requests[0]!;
    expect(req.headers.authorization).toBe('Bearer ABSKQmVkcm9ja0FQSUtleS1mYWtl');
    expect(req.headers['x-amz-date']).toBeUndefined();
    expect(entry.error).toBeUndefined();
  });
});

describe('Bedrock embedding (InvokeModel)', () => {
  it.each([
    ['amazon.titan-embed-text-v2:0', { inputText: 'ping' }],
    ['cohere.embed-english-v3', { texts: ['ping'], input_type: 'search_query' }],
  ])('%s: POST /model/{id}/invoke with its family\'s body, signed; healthy', async (model, body) => {
    const entry = await probeOnce(params(model));
    const req = up.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/model/${model}/invoke`);
    expect(req.rawTarget).toBe(`/model/${encodeURIComponent(model)}/invoke`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual(body);
    expectSignedBy(req, CREDS, REGION);
    expect(entry).toMatchObject({ mode: 'embedding' });
    expect(entry.error).toBeUndefined();
  });

  it('an answer without a vector is bad_response', async () => {
    const entry = await probeOnce(params('empty'), { modelInfo: '{ mode: embedding }' });
    expect(entry).toMatchObject({ error_type: 'bad_response', error: '200 without an embedding vector' });
  });
});

describe('Bedrock models_list (control plane)', () => {
  it('bedrock/* lists GET /foundation-models, signed; healthy on modelSummaries', async () => {
    const entry = await probeOnce(`{ model: "bedrock/*", api_base: "${up.url}", ${creds(CREDS, REGION)} }`);
    const req = up.requests[0]!;
    expect(req).toMatchObject({ method: 'GET', path: '/foundation-models' });
    expect(req.rawBody.length).toBe(0);
    expectSignedBy(req, CREDS, REGION);
    expect(entry).toMatchObject({ probe: 'models_list' });
    expect(entry.error).toBeUndefined();
  });

  it('goes to bedrock.{region}.amazonaws.com, not bedrock-runtime, by default (dialect level)', async () => {
    const d = deploymentOf(`{ model: "bedrock/*", ${creds(CREDS, 'eu-west-3')} }`);
    const wire = await bedrock.operations.models_list!.build(d, undefined);
    expect(wire.url.href).toBe('https://bedrock.eu-west-3.amazonaws.com/foundation-models');
  });
});

describe('Bedrock errors', () => {
  it('a wrong secret: the fake\'s own check refuses it (403 InvalidSignatureException) → auth', async () => {
    const entry = await probeOnce(`{ model: "bedrock/${HAIKU}", api_base: "${up.url}", ${creds({ ...CREDS, secretAccessKey: 'wrongSecret/00000000000000000000000000009' }, REGION)} }`);
    expect(entry).toMatchObject({ error_type: 'auth', exception_status: 403 });
    expect(entry.error).toMatch(/^403: InvalidSignatureException: The request signature we calculated does not match/);
  });

  it('the canonical request echoed in that error carries the session token: it arrives redacted', async () => {
    const entry = await probeOnce(`{ model: "bedrock/${HAIKU}", api_base: "${withSession.url}", ${creds({ ...SESSION, secretAccessKey: 'wrongSecret/00000000000000000000000000009' }, 'eu-central-1')} }`);
    expect(entry.error).toContain('x-amz-security-token:[REDACTED]');
    expect(entry.error).not.toContain(SESSION.sessionToken);
  });

  it('an unknown access key (403 UnrecognizedClientException) → auth', async () => {
    const entry = await probeOnce(`{ model: "bedrock/${HAIKU}", api_base: "${up.url}", ${creds({ ...CREDS, accessKeyId: 'AKIAUNKNOWN000000009' }, REGION)} }`);
    expect(entry).toMatchObject({ error_type: 'auth', exception_status: 403, error: '403: UnrecognizedClientException: The security token included in the request is invalid.' });
  });

  it('a request signed for another region is refused → auth', async () => {
    const entry = await probeOnce(`{ model: "bedrock/${HAIKU}", api_base: "${up.url}", ${creds(CREDS, 'us-west-2')} }`);
    expect(entry).toMatchObject({ error_type: 'auth', exception_status: 403 });
  });

  it('no credentials at all: a config error, nothing sent', async () => {
    const entry = await probeOnce(`{ model: "bedrock/${HAIKU}", api_base: "${up.url}" }`);
    expect(entry).toMatchObject({ error_type: 'config' });
    expect(entry.error).toMatch(/^bedrock needs AWS credentials: aws_access_key_id and aws_secret_access_key/);
    expect(up.requests).toHaveLength(0);
  });

  it.each([
    ['throttled', 'rate_limited', 429, '429: ThrottlingException: Too many requests, please wait before trying again.'],
    ['not_ready', 'rate_limited', 429, '429: ModelNotReadyException: Model is not ready to serve inference requests.'],
    ['access_denied', 'auth', 403, '403: AccessDeniedException: You don\'t have access to the model with the specified model ID.'],
    ['invalid_model', 'not_found', 400, '400: ValidationException: The provided model identifier is invalid.'],
    ['not_found', 'not_found', 404, '404: ResourceNotFoundException: Could not resolve the foundation model from the provided model identifier.'],
    ['model_timeout', 'timeout', 408, '408: ModelTimeoutException: Model has timed out in processing the request. Try your request again.'],
    ['server_error', 'server_error', 500, '500: InternalServerException: The server encountered an internal error while processing the request.'],
    ['unavailable', 'server_error', 503, '503: ServiceUnavailableException: Bedrock is unable to process your request.'],
  ])('%s → %s (%i), the AWS error name and message kept', async (model, errorType, status, error) => {
    const entry = await probeOnce(params(model));
    expect(entry).toMatchObject({ error_type: errorType, exception_status: status, error });
  });

  it('no rerank through Bedrock here: unsupported, nothing sent', async () => {
    const entry = await probeOnce(params(HAIKU), { modelInfo: '{ mode: rerank }' });
    expect(entry).toMatchObject({ error_type: 'unsupported', error: 'provider "bedrock" has no rerank API' });
    expect(up.requests).toHaveLength(0);
  });
});

describe('Bedrock names and endpoints', () => {
  it('gen_ai.provider.name aws.bedrock; server.address bedrock-runtime.{region}.amazonaws.com (us-west-2 by default, or an ARN\'s region)', () => {
    expect(genAiProviderOf(deploymentOf(`{ model: "bedrock/${HAIKU}" }`))).toBe('aws.bedrock');
    expect(serverEndpoint(deploymentOf(`{ model: "bedrock/${HAIKU}" }`))).toEqual({ address: 'bedrock-runtime.us-west-2.amazonaws.com', port: 443 });
    expect(serverEndpoint(deploymentOf(`{ model: "bedrock/${HAIKU}", aws_region_name: eu-central-1 }`))).toEqual({ address: 'bedrock-runtime.eu-central-1.amazonaws.com', port: 443 });
    const arn = 'arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.anthropic.claude-3-5-sonnet-20240620-v1:0';
    expect(serverEndpoint(deploymentOf(`{ model: "bedrock/${arn}" }`))).toEqual({ address: 'bedrock-runtime.ap-northeast-1.amazonaws.com', port: 443 });
  });

  it('no AWS key, secret or token in /health, /model/info, /metrics or logs', async () => {
    const ex = await startExporter(`
model_list:
  - model_name: ok
    litellm_params: { model: "bedrock/${HAIKU}", api_base: "${withSession.url}", ${creds(SESSION, 'eu-central-1')} }
  - model_name: bad-secret
    litellm_params: { model: "bedrock/${HAIKU}", api_base: "${withSession.url}", ${creds({ ...SESSION, secretAccessKey: 'wrongSecret/00000000000000000000000000009' }, 'eu-central-1')} }
  - model_name: from-env
    litellm_params: { model: "bedrock/${HAIKU}", api_base: "${withSession.url}" }
`, { env: { AWS_ACCESS_KEY_ID: SESSION.accessKeyId, AWS_SECRET_ACCESS_KEY: SESSION.secretAccessKey, AWS_SESSION_TOKEN: SESSION.sessionToken, AWS_REGION: 'eu-central-1' }, logLevel: 'trace' });
    try {
      const health = await (await fetch(`${ex.url}/health`)).json() as any;
      expect(health.healthy_count).toBe(2);
      expect(health.unhealthy_endpoints[0].error).toMatch(/InvalidSignatureException/);
      const out = [JSON.stringify(health), await (await fetch(`${ex.url}/model/info`)).text(), await (await fetch(`${ex.url}/metrics`)).text(), ex.logs()].join('\n');
      for (const secret of [SESSION.accessKeyId, SESSION.secretAccessKey, SESSION.sessionToken!, 'wrongSecret/']) expect(out).not.toContain(secret);
    } finally {
      await ex.close();
    }
  });
});
