import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genAiProviderOf, providerFor, serverEndpoint } from '../../src/registry/providers.js';
import { PROFILES, startFakeCompatible, type CompatibleProvider } from '../support/fake-compatible.js';
import type { FakeServer, Recorded } from '../support/fake-server.js';
import { deploymentOf, probeOnce } from './probe-once.js';

/**
 * The OpenAI-compatible family: each provider under its own base path, key, default base,
 * environment variables and gen_ai.provider.name, probing only the modes it serves.
 */
type Mode = 'chat' | 'completion' | 'responses' | 'embedding' | 'rerank' | 'moderation' | 'image_generation'
  | 'audio_transcription' | 'audio_speech' | 'batch' | 'models_list';

interface ModeSpec {
  method: 'GET' | 'POST';
  path: string;
  /** The exact JSON body, or a check of a multipart/GET request. */
  check: (req: Recorded, model: string) => void;
  /** The error when the provider answers 200 without the parts the plugin needs. */
  failing: RegExp;
}

const MODES: Record<Mode, ModeSpec> = {
  chat: { method: 'POST', path: '/chat/completions', failing: /^200 without choices in the chat completion$/, check: (r, m) => expect(r.body).toEqual({ model: m, messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 }) },
  completion: { method: 'POST', path: '/completions', failing: /^200 without choices in the completion$/, check: (r, m) => expect(r.body).toEqual({ model: m, prompt: 'ping', max_tokens: 16 }) },
  responses: { method: 'POST', path: '/responses', failing: /^200 without an output list/, check: (r, m) => expect(r.body).toEqual({ model: m, input: 'ping', max_output_tokens: 16 }) },
  embedding: { method: 'POST', path: '/embeddings', failing: /^200 without an embedding vector$/, check: (r, m) => expect(r.body).toEqual({ model: m, input: ['ping'] }) },
  rerank: { method: 'POST', path: '/rerank', failing: /^200 without rerank results$/, check: (r, m) => expect(r.body).toEqual({ model: m, query: 'ping', documents: ['ping', 'pong'], top_n: 1 }) },
  moderation: { method: 'POST', path: '/moderations', failing: /^200 without moderation results$/, check: (r, m) => expect(r.body).toEqual({ model: m, input: 'ping' }) },
  image_generation: { method: 'POST', path: '/images/generations', failing: /^200 without an image/, check: (r, m) => expect(r.body).toEqual({ model: m, prompt: 'ping', n: 1 }) },
  audio_transcription: {
    method: 'POST', path: '/audio/transcriptions', failing: /^200 without a text field/,
    check: (r, m) => {
      expect(r.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      const raw = r.rawBody.toString('latin1');
      expect(raw).toContain(`name="model"\r\n\r\n${m}\r\n`);
      expect(raw).toContain('name="file"; filename="probe.wav"');
      expect(raw).toContain('RIFF');
    },
  },
  audio_speech: { method: 'POST', path: '/audio/speech', failing: /not audio$/, check: (r, m) => expect(r.body).toEqual({ model: m, input: 'ping', voice: 'alloy' }) },
  batch: { method: 'GET', path: '/batches', failing: /^200 without a batch list$/, check: (r) => { expect(r.query).toEqual({ limit: '1' }); expect(r.rawBody.length).toBe(0); } },
  models_list: { method: 'GET', path: '/models', failing: /^200 without a model list$/, check: (r) => expect(r.rawBody.length).toBe(0) },
};

interface ProviderCase {
  provider: CompatibleProvider;
  genAi: string;
  /** server.address/port with no api_base, or undefined when an api_base is required. */
  defaultEndpoint?: { address: string; port: number };
  keyEnv: string;
  baseEnv: string;
  modes: Mode[];
  /** A mode it does not serve. */
  unsupported: Mode;
}

const PROVIDERS: ProviderCase[] = [
  { provider: 'groq', genAi: 'groq', defaultEndpoint: { address: 'api.groq.com', port: 443 }, keyEnv: 'GROQ_API_KEY', baseEnv: 'GROQ_API_BASE', modes: ['chat', 'responses', 'audio_transcription', 'audio_speech', 'batch', 'models_list'], unsupported: 'embedding' },
  { provider: 'mistral', genAi: 'mistral_ai', defaultEndpoint: { address: 'api.mistral.ai', port: 443 }, keyEnv: 'MISTRAL_API_KEY', baseEnv: 'MISTRAL_API_BASE', modes: ['chat', 'embedding', 'moderation', 'audio_transcription', 'models_list'], unsupported: 'image_generation' },
  { provider: 'deepseek', genAi: 'deepseek', defaultEndpoint: { address: 'api.deepseek.com', port: 443 }, keyEnv: 'DEEPSEEK_API_KEY', baseEnv: 'DEEPSEEK_API_BASE', modes: ['chat', 'models_list'], unsupported: 'embedding' },
  { provider: 'together_ai', genAi: '_OTHER', defaultEndpoint: { address: 'api.together.xyz', port: 443 }, keyEnv: 'TOGETHERAI_API_KEY', baseEnv: 'TOGETHER_AI_API_BASE', modes: ['chat', 'completion', 'embedding', 'image_generation', 'rerank', 'audio_speech', 'audio_transcription', 'models_list'], unsupported: 'moderation' },
  { provider: 'fireworks_ai', genAi: '_OTHER', defaultEndpoint: { address: 'api.fireworks.ai', port: 443 }, keyEnv: 'FIREWORKS_AI_API_KEY', baseEnv: 'FIREWORKS_AI_API_BASE', modes: ['chat', 'completion', 'embedding', 'models_list'], unsupported: 'rerank' },
  { provider: 'openrouter', genAi: '_OTHER', defaultEndpoint: { address: 'openrouter.ai', port: 443 }, keyEnv: 'OPENROUTER_API_KEY', baseEnv: 'OPENROUTER_API_BASE', modes: ['chat', 'completion', 'embedding', 'models_list'], unsupported: 'audio_speech' },
  { provider: 'xai', genAi: 'x_ai', defaultEndpoint: { address: 'api.x.ai', port: 443 }, keyEnv: 'XAI_API_KEY', baseEnv: 'XAI_API_BASE', modes: ['chat', 'completion', 'responses', 'image_generation', 'models_list'], unsupported: 'embedding' },
  { provider: 'perplexity', genAi: 'perplexity', defaultEndpoint: { address: 'api.perplexity.ai', port: 443 }, keyEnv: 'PERPLEXITYAI_API_KEY', baseEnv: 'PERPLEXITY_API_BASE', modes: ['chat'], unsupported: 'models_list' },
  { provider: 'hosted_vllm', genAi: '_OTHER', keyEnv: 'HOSTED_VLLM_API_KEY', baseEnv: 'HOSTED_VLLM_API_BASE', modes: ['chat', 'completion', 'responses', 'embedding', 'rerank', 'audio_transcription', 'models_list'], unsupported: 'image_generation' },
  { provider: 'lm_studio', genAi: '_OTHER', defaultEndpoint: { address: 'localhost', port: 1234 }, keyEnv: 'LM_STUDIO_API_KEY', baseEnv: 'LM_STUDIO_API_BASE', modes: ['chat', 'completion', 'responses', 'embedding', 'models_list'], unsupported: 'rerank' },
  { provider: 'azure_ai', genAi: 'azure.ai.inference', keyEnv: 'AZURE_AI_API_KEY', baseEnv: 'AZURE_AI_API_BASE', modes: ['chat', 'embedding'], unsupported: 'models_list' },
];

const KEY = 'fake-family-key-0001';
const MODEL = 'test-model';

/** model_info for a mode: models_list is the free probe, not a mode. */
function modelInfo(mode: Mode, extra = ''): string {
  const m = mode === 'models_list' ? 'chat, health_check_probe: models_list' : mode;
  return `{ mode: ${m}${extra} }`;
}

describe.each(PROVIDERS)('$provider', ({ provider, genAi, defaultEndpoint, keyEnv, baseEnv, modes, unsupported }) => {
  let up: FakeServer & { basePath: string; base: string };
  beforeAll(async () => { up = await startFakeCompatible(provider, { apiKey: KEY }); });
  afterAll(async () => { await up.close(); });
  const params = (extra = '') => `{ model: ${provider}/${MODEL}, api_base: "${up.base}", api_key: ${KEY}${extra} }`;

  describe.each(modes)('%s', (mode) => {
    const spec = MODES[mode];
    it(`${spec.method} {base}${spec.path} with a bearer key and the OpenAI body; healthy`, async () => {
      up.reset();
      const entry = await probeOnce(params(), { modelInfo: modelInfo(mode) });
      expect(up.requests).toHaveLength(1);
      const req = up.requests[0]!;
      expect(req.method).toBe(spec.method);
      expect(req.path).toBe(`${up.basePath}${spec.path}`);
      expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(req.headers['api-key']).toBeUndefined();
      spec.check(req, MODEL);
      expect(entry).toMatchObject({ custom_llm_provider: provider });
      expect(entry.error).toBeUndefined();
    });

    it('a 200 without the answer\'s parts is unhealthy: bad_response', async () => {
      const entry = await probeOnce(params(', extra_headers: { X-Fake-Behaviour: empty }'), { modelInfo: modelInfo(mode) });
      expect(entry.error_type).toBe('bad_response');
      expect(entry.error).toMatch(spec.failing);
    });
  });

  it(`${unsupported} is unsupported: the deployment says so and nothing is sent`, async () => {
    up.reset();
    const entry = await probeOnce(params(), { modelInfo: modelInfo(unsupported) });
    const op = unsupported === 'batch' ? 'batch_list' : unsupported;
    expect(entry).toMatchObject({ error_type: 'unsupported', error: `provider "${provider}" has no ${op} API` });
    expect(up.requests).toHaveLength(0);
    expect(providerFor(deploymentOf(params())).operations[op]).toBeUndefined();
  });

  it.each([
    ['unauthorized', 'auth'], ['not_found', 'not_found'], ['rate_limited', 'rate_limited'], ['server_error', 'server_error'],
  ])('its own %s error body is typed %s, with its status and message kept', async (behaviour, type) => {
    const entry = await probeOnce(params(`, extra_headers: { X-Fake-Behaviour: ${behaviour} }`));
    // Some answer with their own status (xAI: 400 for a bad key; Mistral, DeepSeek, OpenRouter,
    // Perplexity: 400 for an unknown model): the body decides the type, the status is reported as sent.
    const reply = PROFILES[provider][behaviour === 'unauthorized' ? 'unauthorized' : behaviour === 'rate_limited' ? 'rateLimited' : behaviour === 'server_error' ? 'serverError' : 'notFound'];
    const sent = typeof reply === 'function' ? reply(MODEL) : reply;
    expect(entry.error_type).toBe(type);
    expect(entry.exception_status).toBe((sent as { status: number }).status);
    expect(entry.error).toMatch(new RegExp(`^${(sent as { status: number }).status}: \\S`));
  });

  it(`takes ${keyEnv} and ${baseEnv} from the environment`, async () => {
    up.reset();
    const entry = await probeOnce(`{ model: ${provider}/${MODEL} }`, { env: { [keyEnv]: KEY, [baseEnv]: up.base } });
    expect(up.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(entry.error).toBeUndefined();
  });

  it(`gen_ai.provider.name ${genAi}; ${defaultEndpoint ? `${defaultEndpoint.address} by default` : 'an api_base is required'}`, async () => {
    const d = deploymentOf(`{ model: ${provider}/${MODEL}, api_key: k }`);
    expect(genAiProviderOf(d)).toBe(genAi);
    if (defaultEndpoint) {
      expect(serverEndpoint(d)).toEqual(defaultEndpoint);
    } else {
      const entry = await probeOnce(`{ model: ${provider}/${MODEL} }`);
      expect(entry).toMatchObject({ error_type: 'config', error: `no api_base for provider "${provider}" (set litellm_params.api_base or ${baseEnv})` });
    }
  });
});

describe('family details', () => {
  it('the real errors keep the provider\'s words: xAI\'s string error, vLLM\'s top-level message, Perplexity\'s HTML 401', async () => {
    const xai = await startFakeCompatible('xai', { apiKey: KEY });
    const vllm = await startFakeCompatible('hosted_vllm');
    const pplx = await startFakeCompatible('perplexity', { apiKey: KEY });
    try {
      expect(await probeOnce(`{ model: xai/grok-3, api_base: "${xai.base}", api_key: xai-wrong-00001 }`)).toMatchObject({
        error_type: 'auth', exception_status: 400, error: '400: Incorrect API key provided: xa***01. You can obtain an API key from https://console.x.ai.',
      });
      expect(await probeOnce(`{ model: hosted_vllm/not_found, api_base: "${vllm.base}" }`)).toMatchObject({
        error_type: 'not_found', exception_status: 404, error: '404: The model `not_found` does not exist.',
      });
      const p = await probeOnce(`{ model: perplexity/sonar, api_base: "${pplx.base}", api_key: pplx-wrong-0001 }`);
      expect(p).toMatchObject({ error_type: 'auth', exception_status: 401 });
      expect(p.error).toMatch(/^401: <html>.*401 Authorization Required/s);
    } finally {
      await Promise.all([xai.close(), vllm.close(), pplx.close()]);
    }
  });

  it('Groq\'s x-ratelimit-remaining-* headers reach the entry', async () => {
    const groq = await startFakeCompatible('groq');
    try {
      const entry = await probeOnce(`{ model: groq/llama-3.3-70b-versatile, api_base: "${groq.base}" }`);
      expect(entry).toMatchObject({ 'x-ratelimit-remaining-requests': '14399', 'x-ratelimit-remaining-tokens': '5990' });
      expect(entry['x-groq-region']).toBeUndefined();
    } finally {
      await groq.close();
    }
  });

  it('reasoning models get max_tokens here (only OpenAI and Azure take max_completion_tokens); vLLM keeps OpenAI\'s rule', async () => {
    const ds = await startFakeCompatible('deepseek');
    const vllm = await startFakeCompatible('hosted_vllm');
    try {
      await probeOnce(`{ model: deepseek/deepseek-reasoner, api_base: "${ds.base}" }`);
      expect(ds.requests[0]!.body).toMatchObject({ model: 'deepseek-reasoner', max_tokens: 16 });
      expect(ds.requests[0]!.body.max_completion_tokens).toBeUndefined();
      await probeOnce(`{ model: hosted_vllm/openai/gpt-oss-20b, api_base: "${vllm.base}" }`);
      expect(vllm.requests[0]!.body).toMatchObject({ model: 'openai/gpt-oss-20b', max_completion_tokens: 16 });
    } finally {
      await Promise.all([ds.close(), vllm.close()]);
    }
  });

  it('Mistral: an api_base without /v1 gets it, as in LiteLLM', async () => {
    const mistral = await startFakeCompatible('mistral');
    try {
      const entry = await probeOnce(`{ model: mistral/mistral-small-latest, api_base: "${mistral.url}" }`);
      expect(mistral.requests[0]!.path).toBe('/v1/chat/completions');
      expect(entry.error).toBeUndefined();
    } finally {
      await mistral.close();
    }
  });

  it('Together\'s bare-array model list counts as a model list', async () => {
    const together = await startFakeCompatible('together_ai');
    try {
      const entry = await probeOnce(`{ model: "together_ai/*", api_base: "${together.base}" }`);
      expect(together.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
      expect(entry).toMatchObject({ probe: 'models_list' });
      expect(entry.error).toBeUndefined();
    } finally {
      await together.close();
    }
  });

  it('Azure AI: api-key for *.services.ai.azure.com (under /models, with api-version), a bearer elsewhere (dialect level)', async () => {
    const foundry = deploymentOf('{ model: azure_ai/DeepSeek-R1, api_base: "https://my-res.services.ai.azure.com", api_key: az-key-1, api_version: "2024-05-01-preview" }');
    const a = await providerFor(foundry).operations.chat!.build(foundry, { messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 });
    expect(a.url.href).toBe('https://my-res.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview');
    expect(a.headers['api-key']).toBe('az-key-1');
    expect(a.headers.authorization).toBeUndefined();
    expect(JSON.parse(a.body as string)).toEqual({ model: 'DeepSeek-R1', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 });
    const serverless = deploymentOf('{ model: azure_ai/Llama-3.3-70B-Instruct, api_base: "https://llama-serverless.eastus2.models.ai.azure.com", api_key: az-key-2 }');
    const b = await providerFor(serverless).operations.chat!.build(serverless, { messages: [] });
    expect(b.url.href).toBe('https://llama-serverless.eastus2.models.ai.azure.com/chat/completions');
    expect(b.headers.authorization).toBe('Bearer az-key-2');
  });

  it('an unknown prefix with an api_base is OpenAI-compatible (_OTHER, every mode); without one: unknown provider', async () => {
    const vllm = await startFakeCompatible('hosted_vllm');
    try {
      const entry = await probeOnce(`{ model: my_gateway/some-model, api_base: "${vllm.base}" }`);
      expect(vllm.requests[0]!.path).toBe('/v1/chat/completions');
      expect(entry.error).toBeUndefined();
      expect(genAiProviderOf(deploymentOf(`{ model: my_gateway/x, api_base: "${vllm.base}" }`))).toBe('_OTHER');
    } finally {
      await vllm.close();
    }
    const unknown = await probeOnce('{ model: my_gateway/some-model }');
    expect(unknown).toMatchObject({ error_type: 'config', error: 'unknown provider "my_gateway" (set litellm_params.api_base for an OpenAI-compatible server)' });
  });
});
