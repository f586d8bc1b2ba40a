import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gemini } from '../../src/providers/gemini.js';
import { genAiProviderOf, serverEndpoint } from '../../src/registry/providers.js';
import { startExporter } from '../support/exporter.js';
import { startFakeGemini } from '../support/fake-gemini.js';
import type { FakeServer } from '../support/fake-server.js';
import { deploymentOf, probeOnce } from './probe-once.js';

const KEY = 'AIzaSyFAKE-gemini-key-000001';
let up: FakeServer;
beforeAll(async () => { up = await startFakeGemini({ apiKey: KEY }); });
afterAll(async () => { await up.close(); });
beforeEach(() => up.reset());

const params = (model: string, extra = '') => `{ model: gemini/${model}, api_base: "${up.url}", api_key: ${KEY}${extra} }`;

describe('Gemini chat', () => {
  it('POSTs /v1beta/models/{model}:generateContent with the key in x-goog-api-key, contents and maxOutputTokens; healthy on candidates', async () => {
    const entry = await probeOnce(params('gemini-2.0-flash'));
    expect(up.requests).toHaveLength(1);
    const req = up.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    // The key in the header only: a URL lands in proxy and access logs.
    expect(req.query).toEqual({});
    expect(req.rawTarget).not.toContain(KEY);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers['x-goog-api-key']).toBe(KEY);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('*/*');
    expect(req.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'ping' }] }], generationConfig: { maxOutputTokens: 16 } });
    expect(entry).toMatchObject({ model: 'gemini/gemini-2.0-flash', custom_llm_provider: 'gemini', mode: 'chat', api_base: up.url + '/' });
    expect(entry.error).toBeUndefined();
  });

  it('a thinking model that spends max_tokens (MAX_TOKENS, no parts) is healthy with the note', async () => {
    const entry = await probeOnce(params('length'));
    expect(entry.error).toBeUndefined();
    expect(entry.details).toEqual({ note: 'empty answer: max_tokens spent (reasoning)' });
  });

  it('a blocked prompt (no candidates) is unhealthy: bad_response', async () => {
    const entry = await probeOnce(params('empty'));
    expect(entry).toMatchObject({ error_type: 'bad_response', error: '200 without choices in the chat completion' });
  });

  it('health_check_params are Gemini fields: generationConfig merges with maxOutputTokens, the rest goes top level', async () => {
    await probeOnce(params('gemini-2.5-flash'), { modelInfo: '{ health_check_max_tokens: 64, health_check_reasoning_effort: low, health_check_params: { generationConfig: { thinkingConfig: { thinkingBudget: 0 } }, safetySettings: [] } }' });
    expect(up.requests[0]!.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'ping' }] }],
      generationConfig: { maxOutputTokens: 64, thinkingConfig: { thinkingBudget: 0 } },
      safetySettings: [],
    });
  });

  it.each([['host only', ''], ['…/v1beta', '/v1beta'], ['a trailing slash', '/']])('api_base given as %s reaches /v1beta/models/…', async (_l, suffix) => {
    await probeOnce(`{ model: gemini/gemini-2.0-flash, api_base: "${up.url}${suffix}", api_key: ${KEY} }`);
    expect(up.requests[0]!.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
  });

  it('by default goes to generativelanguage.googleapis.com, the key only in the request\'s x-goog-api-key header (dialect level)', async () => {
    const d = deploymentOf(`{ model: gemini/gemini-2.0-flash, api_key: ${KEY} }`);
    const wire = await gemini.operations.chat!.build(d, { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'ping' }, { role: 'assistant', content: 'pong' }] });
    expect(wire.url.href).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent');
    expect(wire.headers['x-goog-api-key']).toBe(KEY);
    expect(JSON.parse(wire.body as string)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'ping' }] }, { role: 'model', parts: [{ text: 'pong' }] }],
      systemInstruction: { parts: [{ text: 'be brief' }] },
    });
    expect(d.apiBase).toBeUndefined();
    expect(d.publicApiBase).toBeUndefined();
    expect(serverEndpoint(d)).toEqual({ address: 'generativelanguage.googleapis.com', port: 443 });
    expect(genAiProviderOf(d)).toBe('gcp.gemini');
  });

  it('takes GEMINI_API_KEY (or GOOGLE_API_KEY) and GEMINI_API_BASE from the environment', async () => {
    const a = await probeOnce('{ model: gemini/gemini-2.0-flash }', { env: { GEMINI_API_KEY: KEY, GEMINI_API_BASE: up.url } });
    expect(up.requests[0]!.headers['x-goog-api-key']).toBe(KEY);
    expect(a.error).toBeUndefined();
    up.reset();
    const b = await probeOnce('{ model: gemini/gemini-2.0-flash }', { env: { GOOGLE_API_KEY: KEY, GEMINI_API_BASE: up.url } });
    expect(b.error).toBeUndefined();
  });
});

describe('Gemini embedding', () => {
  it('POSTs :batchEmbedContents with one request (content with the user role, the model), as Google\'s SDK does; healthy on embeddings[0].values', async () => {
    const entry = await probeOnce(params('text-embedding-004'));
    const req = up.requests[0]!;
    expect(req.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(req.query).toEqual({});
    expect(req.headers['x-goog-api-key']).toBe(KEY);
    expect(req.body).toEqual({ requests: [{ content: { role: 'user', parts: [{ text: 'ping' }] }, model: 'models/text-embedding-004' }] });
    expect(entry).toMatchObject({ mode: 'embedding' });
    expect(entry.error).toBeUndefined();
  });

  it('an answer without values is unhealthy: bad_response', async () => {
    const entry = await probeOnce(params('empty'), { modelInfo: '{ mode: embedding }' });
    expect(entry).toMatchObject({ error_type: 'bad_response', error: '200 without an embedding vector' });
  });
});

describe('Gemini models_list', () => {
  it('gemini/* lists GET /v1beta/models with the key in x-goog-api-key; healthy on models[]', async () => {
    const entry = await probeOnce(`{ model: "gemini/*", api_base: "${up.url}", api_key: ${KEY} }`);
    expect(up.requests[0]).toMatchObject({ method: 'GET', path: '/v1beta/models', query: {} });
    expect(up.requests[0]!.headers['x-goog-api-key']).toBe(KEY);
    expect(entry).toMatchObject({ probe: 'models_list' });
    expect(entry.error).toBeUndefined();
  });
});

describe('Gemini errors', () => {
  it('a wrong key (400 API_KEY_INVALID) is auth, with Google\'s message', async () => {
    const entry = await probeOnce(`{ model: gemini/gemini-2.0-flash, api_base: "${up.url}", api_key: AIzaSyWRONG-key-000002 }`);
    expect(entry).toMatchObject({ error_type: 'auth', exception_status: 400, error: '400: API key not valid. Please pass a valid API key.' });
  });

  it('no key at all (403 PERMISSION_DENIED) is auth', async () => {
    const entry = await probeOnce(`{ model: gemini/gemini-2.0-flash, api_base: "${up.url}" }`);
    expect(entry).toMatchObject({ error_type: 'auth', exception_status: 403 });
    expect(up.requests[0]!.query).toEqual({});
    expect(up.requests[0]!.headers['x-goog-api-key']).toBeUndefined();
  });

  it.each([
    ['not_found', 'not_found', 404, /^404: models\/not_found is not found for API version v1beta/],
    ['forbidden', 'auth', 403, /^403: Permission denied: Consumer has been suspended\.$/],
    ['rate_limited', 'rate_limited', 429, /^429: You exceeded your current quota/],
    ['server_error', 'server_error', 500, /^500: An internal error has occurred/],
    ['overloaded', 'server_error', 503, /^503: The model is overloaded\. Please try again later\.$/],
  ])('%s → %s (%i)', async (model, errorType, status, error) => {
    const entry = await probeOnce(params(model));
    expect(entry).toMatchObject({ error_type: errorType, exception_status: status });
    expect(entry.error).toMatch(error);
    // Google says when to retry in RetryInfo, not Retry-After.
    if (model === 'rate_limited') expect(entry.retry_after_s).toBe(17);
  });

  it('no rerank at Gemini: unsupported, nothing sent', async () => {
    const entry = await probeOnce(params('gemini-2.0-flash'), { modelInfo: '{ mode: rerank }' });
    expect(entry).toMatchObject({ error_type: 'unsupported', error: 'provider "gemini" has no rerank API' });
    expect(up.requests).toHaveLength(0);
  });
});

describe('the Gemini key never leaves', () => {
  it('not in /health (api_base, error), /model/info, /metrics, history, logs or spans, even when the upstream echoes it in a ?key= URL or as is', async () => {
    const mem = new InMemorySpanExporter();
    const ex = await startExporter(`
model_list:
  - model_name: ok
    litellm_params: { model: gemini/gemini-2.0-flash, api_base: "${up.url}", api_key: ${KEY} }
  - model_name: echo
    litellm_params: { model: gemini/echo_url, api_base: "${up.url}", api_key: ${KEY} }
  - model_name: echo-env
    litellm_params: { model: gemini/echo_url, api_base: "${up.url}" }
  - model_name: echo-key
    litellm_params: { model: gemini/echo_key, api_base: "${up.url}", api_key: ${KEY} }
`, { env: { GEMINI_API_KEY: KEY }, logLevel: 'trace', spanProcessors: [new SimpleSpanProcessor({ exporter: mem })] });
    try {
      const health = await (await fetch(`${ex.url}/health`)).json() as any;
      // The key really went out (the test is not vacuous), and the echo came back.
      expect(up.requests.map((r) => r.headers['x-goog-api-key'])).toEqual([KEY, KEY, KEY, KEY]);
      expect(up.requests.map((r) => r.rawTarget).filter((t) => t.includes(KEY))).toEqual([]);
      expect(health.healthy_count).toBe(1);
      const echo = health.unhealthy_endpoints.find((e: any) => e.model_name === 'echo');
      expect(echo.error).toMatch(/^400: Invalid request to http:\/\/fake\/v1beta\/models\/echo_url:generateContent\?key=\[REDACTED\]$/);
      expect(echo.api_base).toBe(`${up.url}/`);
      const echoKey = health.unhealthy_endpoints.find((e: any) => e.model_name === 'echo-key');
      expect(echoKey.error).toBe('400: API key [REDACTED] is not enabled for this project.');
      const bodies = [
        JSON.stringify(health),
        await (await fetch(`${ex.url}/model/info`)).text(),
        await (await fetch(`${ex.url}/metrics`)).text(),
        await (await fetch(`${ex.url}/health/history`)).text(),
        await (await fetch(`${ex.url}/health/latest`)).text(),
        ex.logs(),
        JSON.stringify(mem.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events }))),
      ];
      expect(mem.getFinishedSpans().length).toBeGreaterThanOrEqual(4);
      for (const [i, b] of bodies.entries()) expect({ i, leaked: b.includes(KEY) || b.includes('AIzaSyFAKE') }).toEqual({ i, leaked: false });
    } finally {
      await ex.close();
    }
  });
});
