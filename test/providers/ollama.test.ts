import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { genAiProviderOf, serverEndpoint } from '../../src/registry/providers.js';
import type { FakeServer } from '../support/fake-server.js';
import { startFakeOllama } from '../support/fake-ollama.js';
import { deploymentOf, probeOnce } from './probe-once.js';

let up: FakeServer;
beforeAll(async () => { up = await startFakeOllama(); });
afterAll(async () => { await up.close(); });
beforeEach(() => up.reset());

const params = (model: string, prefix = 'ollama_chat') => `{ model: ${prefix}/${model}, api_base: "${up.url}" }`;

interface ModeCase {
  prefix: string;
  mode: string;
  model: string;
  path: string;
  body: unknown;
  failing: [string, string];
}

const CASES: ModeCase[] = [
  ...['ollama_chat', 'ollama'].map((prefix) => ({
    prefix, mode: 'chat', model: 'llama3.2', path: '/api/chat',
    body: { model: 'llama3.2', messages: [{ role: 'user', content: 'ping' }], stream: false, options: { num_predict: 16 } },
    failing: ['empty', '200 without choices in the chat completion'] as [string, string],
  })),
  ...['ollama_chat', 'ollama'].map((prefix) => ({
    prefix, mode: 'embedding', model: 'nomic-embed-text', path: '/api/embed',
    body: { model: 'nomic-embed-text', input: ['ping'] },
    failing: ['empty', '200 without an embedding vector'] as [string, string],
  })),
  {
    prefix: 'ollama', mode: 'completion', model: 'llama3.2', path: '/api/generate',
    body: { model: 'llama3.2', prompt: 'ping', stream: false, options: { num_predict: 16 } },
    failing: ['empty', '200 without choices in the completion'],
  },
];

describe.each(CASES)('Ollama $prefix/ $mode', ({ prefix, mode, model, path, body, failing }) => {
  it(`POSTs ${path} with the native body; healthy on the answer`, async () => {
    const entry = await probeOnce(params(model, prefix), { modelInfo: `{ mode: ${mode} }` });
    expect(up.requests).toHaveLength(1);
    const req = up.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(path);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual(body);
    expect(entry).toMatchObject({ mode, custom_llm_provider: prefix });
    expect(entry.error).toBeUndefined();
  });

  it('a 200 without the answer\'s parts is unhealthy: bad_response', async () => {
    const entry = await probeOnce(params(failing[0], prefix), { modelInfo: `{ mode: ${mode} }` });
    expect(entry).toMatchObject({ error_type: 'bad_response', error: failing[1] });
  });
});

describe('Ollama details', () => {
  it('default base http://localhost:11434; OLLAMA_API_BASE from the environment; gen_ai.provider.name _OTHER', async () => {
    const d = deploymentOf('{ model: ollama_chat/llama3.2 }');
    expect(serverEndpoint(d)).toEqual({ address: 'localhost', port: 11434 });
    expect(genAiProviderOf(d)).toBe('_OTHER');
    const entry = await probeOnce('{ model: ollama_chat/llama3.2 }', { env: { OLLAMA_API_BASE: up.url } });
    expect(up.requests[0]!.path).toBe('/api/chat');
    expect(entry.error).toBeUndefined();
  });

  it('a done_reason "length" with no text is healthy with the note', async () => {
    const entry = await probeOnce(params('length'));
    expect(entry.error).toBeUndefined();
    expect(entry.details).toEqual({ note: 'empty answer: max_tokens spent (reasoning)' });
  });

  it('health_check_params: options merge with num_predict, the rest (keep_alive) goes top level', async () => {
    await probeOnce(params('llama3.2'), { modelInfo: '{ health_check_params: { keep_alive: 0, options: { temperature: 0 } } }' });
    expect(up.requests[0]!.body).toEqual({ model: 'llama3.2', messages: [{ role: 'user', content: 'ping' }], stream: false, options: { num_predict: 16, temperature: 0 }, keep_alive: 0 });
  });

  it('an api_base ending in /v1 (Ollama\'s OpenAI routes) still reaches the native /api/chat', async () => {
    await probeOnce(`{ model: ollama_chat/llama3.2, api_base: "${up.url}/v1" }`);
    expect(up.requests[0]!.path).toBe('/api/chat');
  });

  it('ollama/* lists GET /api/tags; healthy on models[]', async () => {
    const entry = await probeOnce(`{ model: "ollama/*", api_base: "${up.url}" }`);
    expect(up.requests[0]).toMatchObject({ method: 'GET', path: '/api/tags' });
    expect(entry).toMatchObject({ probe: 'models_list' });
    expect(entry.error).toBeUndefined();
  });

  it('an api_key goes as a bearer (Ollama cloud or a proxy in front); a wrong one is auth', async () => {
    const keyed = await startFakeOllama({ apiKey: 'ollama-key-000001' });
    try {
      const ok = await probeOnce(`{ model: ollama_chat/llama3.2, api_base: "${keyed.url}", api_key: ollama-key-000001 }`);
      expect(keyed.requests[0]!.headers.authorization).toBe('Bearer ollama-key-000001');
      expect(ok.error).toBeUndefined();
      const bad = await probeOnce(`{ model: ollama_chat/llama3.2, api_base: "${keyed.url}", api_key: wrong-key-0002 }`);
      expect(bad).toMatchObject({ error_type: 'auth', exception_status: 401, error: '401: unauthorized' });
    } finally {
      await keyed.close();
    }
  });
});

describe('Ollama errors', () => {
  it.each([
    ['not_found', 'not_found', 404, '404: model "not_found" not found, try pulling it first'],
    ['runner_died', 'server_error', 500, '500: llama runner process has terminated: signal: killed'],
    ['busy', 'server_error', 503, '503: server busy, please try again.  maximum pending requests exceeded'],
  ])('%s → %s (%i)', async (model, errorType, status, error) => {
    const entry = await probeOnce(params(model));
    expect(entry).toMatchObject({ error_type: errorType, exception_status: status, error });
  });

  it('nothing listening on the port is a connection error', async () => {
    const entry = await probeOnce('{ model: ollama_chat/llama3.2, api_base: "http://127.0.0.1:9" }');
    expect(entry).toMatchObject({ error_type: 'connection', error: 'connection refused' });
  });

  it('no rerank at Ollama: unsupported, nothing sent', async () => {
    const entry = await probeOnce(params('llama3.2'), { modelInfo: '{ mode: rerank }' });
    expect(entry).toMatchObject({ error_type: 'unsupported', error: 'provider "ollama_chat" has no rerank API' });
    expect(up.requests).toHaveLength(0);
  });
});
