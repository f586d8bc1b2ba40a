import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { genAiProviderOf, serverEndpoint } from '../../src/registry/providers.js';
import { startFakeCohere } from '../support/fake-cohere.js';
import type { FakeServer } from '../support/fake-server.js';
import { deploymentOf, probeOnce } from './probe-once.js';

const KEY = 'co-fake-key-0000000001';
let up: FakeServer;
beforeAll(async () => { up = await startFakeCohere({ apiKey: KEY }); });
afterAll(async () => { await up.close(); });
beforeEach(() => up.reset());

const params = (model: string, prefix = 'cohere') => `{ model: ${prefix}/${model}, api_base: "${up.url}", api_key: ${KEY} }`;

interface ModeCase {
  mode: string;
  model: string;
  path: string;
  body: unknown;
  /** The behaviour that answers 200 without what the plugin needs, and the error it must give. */
  failing: [string, string];
}

const CASES: ModeCase[] = [
  {
    mode: 'chat', model: 'command-r-plus-08-2024', path: '/v2/chat',
    body: { model: 'command-r-plus-08-2024', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16, stream: false },
    failing: ['empty', '200 without choices in the chat completion'],
  },
  {
    mode: 'embedding', model: 'embed-english-v3.0', path: '/v2/embed',
    body: { model: 'embed-english-v3.0', texts: ['ping'], input_type: 'search_query', embedding_types: ['float'] },
    failing: ['empty', '200 without an embedding vector'],
  },
  {
    mode: 'rerank', model: 'rerank-v3.5', path: '/v2/rerank',
    body: { model: 'rerank-v3.5', query: 'ping', documents: ['ping', 'pong'], top_n: 1 },
    failing: ['empty', '200 without rerank results'],
  },
];

describe.each(CASES)('Cohere $mode', ({ mode, model, path, body, failing }) => {
  it(`POSTs ${path} with a bearer key and the v2 body; healthy on the answer`, async () => {
    const entry = await probeOnce(params(model));
    expect(up.requests).toHaveLength(1);
    const req = up.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(path);
    expect(req.query).toEqual({});
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual(body);
    expect(entry).toMatchObject({ mode, custom_llm_provider: 'cohere' });
    expect(entry.error).toBeUndefined();
  });

  it('a 200 without the answer\'s parts is unhealthy: bad_response', async () => {
    const entry = await probeOnce(params(failing[0]), { modelInfo: `{ mode: ${mode} }` });
    expect(entry).toMatchObject({ error_type: 'bad_response', error: failing[1] });
  });
});

describe('Cohere details', () => {
  it('cohere_chat/ is the same wire format', async () => {
    const entry = await probeOnce(params('command-r', 'cohere_chat'));
    expect(up.requests[0]!.path).toBe('/v2/chat');
    expect(entry).toMatchObject({ custom_llm_provider: 'cohere_chat' });
    expect(entry.error).toBeUndefined();
  });

  it('MAX_TOKENS with no text is healthy with the note; finish_reason ERROR on a 200 is bad_response', async () => {
    const a = await probeOnce(params('length'));
    expect(a.error).toBeUndefined();
    expect(a.details).toEqual({ note: 'empty answer: max_tokens spent (reasoning)' });
    const b = await probeOnce(params('failed'));
    expect(b).toMatchObject({ error_type: 'bad_response', error: '200 with finish_reason ERROR: the generation failed' });
  });

  it('an api_base naming a version still reaches /v2/chat; health_check_params go into the body', async () => {
    await probeOnce(`{ model: cohere/command-r, api_base: "${up.url}/v1", api_key: ${KEY} }`, { modelInfo: '{ health_check_params: { temperature: 0 } }' });
    expect(up.requests[0]!.path).toBe('/v2/chat');
    expect(up.requests[0]!.body.temperature).toBe(0);
  });

  it('cohere/* lists GET /v1/models; healthy on models[]', async () => {
    const entry = await probeOnce(`{ model: "cohere/*", api_base: "${up.url}", api_key: ${KEY} }`);
    expect(up.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(up.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(entry).toMatchObject({ probe: 'models_list' });
    expect(entry.error).toBeUndefined();
  });

  it('takes COHERE_API_KEY (or CO_API_KEY) and COHERE_API_BASE from the environment', async () => {
    const a = await probeOnce('{ model: cohere/command-r }', { env: { COHERE_API_KEY: KEY, COHERE_API_BASE: up.url } });
    expect(a.error).toBeUndefined();
    const b = await probeOnce('{ model: cohere/command-r }', { env: { CO_API_KEY: KEY, COHERE_API_BASE: up.url } });
    expect(b.error).toBeUndefined();
  });

  it('gen_ai.provider.name cohere; api.cohere.com by default', () => {
    const d = deploymentOf('{ model: cohere/command-r, api_key: k }');
    expect(genAiProviderOf(d)).toBe('cohere');
    expect(serverEndpoint(d)).toEqual({ address: 'api.cohere.com', port: 443 });
  });
});

describe('Cohere errors', () => {
  it.each([
    ['a wrong key', `{ model: cohere/command-r, api_base: "URL", api_key: wrong-key-123 }`, 'auth', 401, '401: invalid api token'],
    ['no key', `{ model: cohere/command-r, api_base: "URL" }`, 'auth', 401, '401: no api key supplied'],
  ])('%s → auth', async (_l, p, errorType, status, error) => {
    const entry = await probeOnce(p.replace('URL', up.url));
    expect(entry).toMatchObject({ error_type: errorType, exception_status: status, error });
  });

  it.each([
    ['not_found', 'not_found', 404, /^404: model 'not_found' not found/],
    ['payment', 'bad_request', 402, /^402: Please add or update your payment method/],
    ['rate_limited', 'rate_limited', 429, /^429: You are using a Trial key/],
    ['server_error', 'server_error', 500, /^500: internal server error/],
  ])('%s → %s (%i)', async (model, errorType, status, error) => {
    const entry = await probeOnce(params(model));
    expect(entry).toMatchObject({ error_type: errorType, exception_status: status });
    expect(entry.error).toMatch(error);
  });

  it('no image generation at Cohere: unsupported, nothing sent', async () => {
    const entry = await probeOnce(params('command-r'), { modelInfo: '{ mode: image_generation }' });
    expect(entry).toMatchObject({ error_type: 'unsupported', error: 'provider "cohere" has no image_generation API' });
    expect(up.requests).toHaveLength(0);
  });
});
