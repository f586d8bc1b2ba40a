import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropic } from '../../src/providers/anthropic.js';
import { genAiProviderOf, serverEndpoint } from '../../src/registry/providers.js';
import { startFakeAnthropic } from '../support/fake-anthropic.js';
import type { FakeServer } from '../support/fake-server.js';
import { deploymentOf, probeOnce } from './probe-once.js';

const KEY = 'sk-ant-api03-fakekey0001';
let up: FakeServer;
beforeAll(async () => { up = await startFakeAnthropic({ apiKey: KEY, retryAfterS: 12 }); });
afterAll(async () => { await up.close(); });
beforeEach(() => up.reset());

const params = (model: string, extra = '') => `{ model: anthropic/${model}, api_base: "${up.url}", api_key: ${KEY}${extra} }`;

describe('Anthropic chat', () => {
  it('POSTs /v1/messages with x-api-key, anthropic-version and the translated body; healthy on content[]', async () => {
    const entry = await probeOnce(params('claude-3-5-haiku-20241022'));
    expect(up.requests).toHaveLength(1);
    const req = up.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/messages');
    expect(req.query).toEqual({});
    expect(req.headers['x-api-key']).toBe(KEY);
    expect(req.headers['anthropic-version']).toBe('2023-06-01');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({ model: 'claude-3-5-haiku-20241022', max_tokens: 16, messages: [{ role: 'user', content: 'ping' }] });
    expect(entry).toMatchObject({ model: 'anthropic/claude-3-5-haiku-20241022', custom_llm_provider: 'anthropic', mode: 'chat' });
    expect(entry.error).toBeUndefined();
  });

  it('sends the API version a deployment names (litellm_params.anthropic_version), with the key as that version\'s SDK sends it', async () => {
    // An older version: x-api-key, as SDK 0.x sends every version before 2026-10-21.
    await probeOnce(params('claude-3-5-haiku-20241022', ', anthropic_version: "2023-01-01"'));
    expect(up.requests[0]!.headers).toMatchObject({ 'anthropic-version': '2023-01-01', 'x-api-key': KEY });
    expect(up.requests[0]!.headers.authorization).toBeUndefined();
    up.reset();
    // 2026-10-21 on: the key as a bearer, as SDK 1.x sends it.
    const entry = await probeOnce(params('claude-3-5-haiku-20241022', ', anthropic_version: "2026-10-21"'));
    expect(up.requests[0]!.headers).toMatchObject({ 'anthropic-version': '2026-10-21', authorization: `Bearer ${KEY}` });
    expect(up.requests[0]!.headers['x-api-key']).toBeUndefined();
    expect(entry.error).toBeUndefined();
  });

  it('an anthropic-version in extra_headers wins over anthropic_version and picks the auth header the same way', async () => {
    await probeOnce(params('claude-3-5-haiku-20241022', ', anthropic_version: "2023-01-01", extra_headers: { Anthropic-Version: "2026-10-21" }'));
    const req = up.requests[0]!;
    expect(req.headers['anthropic-version']).toBe('2026-10-21');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.rawHeaders.filter((h) => h.toLowerCase() === 'anthropic-version')).toHaveLength(1);
  });

  it('reports anthropic-ratelimit-*-remaining under the x-ratelimit-remaining-* names', async () => {
    const entry = await probeOnce(params('claude-3-5-haiku-20241022'));
    expect(entry['x-ratelimit-remaining-requests']).toBe('49');
    expect(entry['x-ratelimit-remaining-tokens']).toBe('39000');
    expect(entry['anthropic-ratelimit-requests-remaining']).toBeUndefined();
  });

  it('always sends max_tokens (required there): health_check_max_tokens, else 16 even when the mode sends none', async () => {
    await probeOnce(params('claude-sonnet-4-20250514'), { modelInfo: '{ health_check_max_tokens: 5 }' });
    expect(up.requests[0]!.body.max_tokens).toBe(5);
    up.reset();
    const entry = await probeOnce(params('claude-sonnet-4-20250514'), { modelInfo: '{ health_check_supports_max_tokens: false }' });
    expect(up.requests[0]!.body.max_tokens).toBe(16);
    expect(entry.error).toBeUndefined();
  });

  it('merges health_check_params into the body and drops OpenAI-only reasoning_effort', async () => {
    await probeOnce(params('claude-sonnet-4-20250514'), { modelInfo: '{ health_check_reasoning_effort: low, health_check_params: { temperature: 0, top_k: 1 } }' });
    expect(up.requests[0]!.body).toEqual({ model: 'claude-sonnet-4-20250514', max_tokens: 16, messages: [{ role: 'user', content: 'ping' }], temperature: 0, top_k: 1 });
  });

  it('an empty answer stopped by max_tokens (extended thinking) is healthy with the note', async () => {
    const entry = await probeOnce(params('length'));
    expect(entry.error).toBeUndefined();
    expect(entry.details).toEqual({ note: 'empty answer: max_tokens spent (reasoning)' });
  });

  it('a 200 without content[] is unhealthy: bad_response', async () => {
    const entry = await probeOnce(params('empty'));
    expect(entry).toMatchObject({ error_type: 'bad_response', error: '200 without choices in the chat completion' });
  });

  it.each([
    ['host only', ''], ['…/v1', '/v1'], ['…/v1/messages', '/v1/messages'], ['a trailing slash', '/'],
  ])('api_base given as %s reaches /v1/messages', async (_label, suffix) => {
    const entry = await probeOnce(`{ model: anthropic/claude-3-5-haiku-20241022, api_base: "${up.url}${suffix}", api_key: ${KEY} }`);
    expect(up.requests[0]!.path).toBe('/v1/messages');
    expect(entry.error).toBeUndefined();
  });

  it('takes ANTHROPIC_API_KEY and ANTHROPIC_API_BASE from the environment', async () => {
    const entry = await probeOnce('{ model: anthropic/claude-3-5-haiku-20241022 }', { env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_API_BASE: up.url } });
    expect(up.requests[0]!.headers['x-api-key']).toBe(KEY);
    expect(entry.error).toBeUndefined();
  });

  it('puts system messages in `system` and maps roles (dialect level)', async () => {
    const d = deploymentOf('{ model: anthropic/claude-3-5-haiku-20241022, api_key: k }');
    const wire = await anthropic.operations.chat!.build(d, { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'ping' }] }], max_tokens: 3 });
    expect(wire.url.href).toBe('https://api.anthropic.com/v1/messages');
    expect(JSON.parse(wire.body as string)).toEqual({ model: 'claude-3-5-haiku-20241022', max_tokens: 3, system: 'be brief', messages: [{ role: 'user', content: 'ping' }] });
  });
});

describe('Anthropic models_list (the free probe)', () => {
  it('anthropic/* lists /v1/models with the same headers; healthy on data[]', async () => {
    const entry = await probeOnce(`{ model: "anthropic/*", api_base: "${up.url}", api_key: ${KEY} }`);
    const req = up.requests[0]!;
    expect(req).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(req.headers['x-api-key']).toBe(KEY);
    expect(req.headers['anthropic-version']).toBe('2023-06-01');
    expect(req.rawBody.length).toBe(0);
    expect(entry).toMatchObject({ probe: 'models_list' });
    expect(entry.error).toBeUndefined();
  });

  it('a wrong key fails the free probe too: auth', async () => {
    const entry = await probeOnce(`{ model: "anthropic/*", api_base: "${up.url}", api_key: sk-ant-wrong }`);
    expect(entry).toMatchObject({ error_type: 'auth', exception_status: 401, error: '401: invalid x-api-key' });
  });
});

describe('Anthropic errors: one set of types, the provider\'s message kept', () => {
  it.each([
    ['unauthorized', 'auth', 401, '401: invalid x-api-key'],
    ['forbidden', 'auth', 403, '403: Your API key does not have permission to use the specified resource.'],
    ['not_found', 'not_found', 404, '404: model: not_found'],
    ['rate_limited', 'rate_limited', 429, '429: Number of request tokens has exceeded your per-minute rate limit'],
    ['server_error', 'server_error', 500, '500: Internal server error'],
    ['overloaded', 'server_error', 529, '529: Overloaded'],
    ['bad_request', 'bad_request', 400, '400: Your credit balance is too low to access the Anthropic API.'],
  ])('%s → %s (%i)', async (model, errorType, status, error) => {
    const entry = await probeOnce(params(model));
    expect(entry).toMatchObject({ error_type: errorType, exception_status: status, error });
    if (model === 'rate_limited') expect(entry.retry_after_s).toBe(12);
  });

  it('a hanging upstream times out', async () => {
    const entry = await probeOnce(params('hang'), { modelInfo: '{ health_check_timeout: 0.3 }' });
    expect(entry).toMatchObject({ error_type: 'timeout', exception_status: 408, error: 'Timeout exceeded' });
  });

  it('no embeddings API: an embedding deployment is unsupported, and nothing is sent', async () => {
    const entry = await probeOnce(params('claude-3-5-haiku-20241022'), { modelInfo: '{ mode: embedding }' });
    expect(entry).toMatchObject({ error_type: 'unsupported', error: 'provider "anthropic" has no embedding API' });
    expect(up.requests).toHaveLength(0);
  });
});

describe('Anthropic telemetry names', () => {
  it('gen_ai.provider.name is anthropic; server.address is api.anthropic.com by default', () => {
    const d = deploymentOf('{ model: anthropic/claude-3-5-haiku-20241022, api_key: k }');
    expect(genAiProviderOf(d)).toBe('anthropic');
    expect(serverEndpoint(d)).toEqual({ address: 'api.anthropic.com', port: 443 });
  });
});
