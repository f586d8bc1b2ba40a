import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from './support/fake-upstream.js';

let up: FakeUpstream;
beforeAll(async () => { up = await startFakeUpstream({ apiKey: 'sk-mode-key' }); });
afterAll(async () => { await up.close(); });
beforeEach(() => up.reset());

/** Probes one deployment once through the real exporter; returns the request and the entry. */
async function probe(litellmParams: string, modelInfo: string, general = ''): Promise<{ req: RecordedRequest | undefined; entry: any }> {
  const ex = await startExporter(`
model_list:
  - model_name: m
    litellm_params: ${litellmParams}
    model_info: ${modelInfo}
${general}`, { listen: false });
  try {
    const report = await ex.app.once();
    return { req: up.requests[0], entry: [...report.healthy_endpoints, ...report.unhealthy_endpoints][0] };
  } finally {
    await ex.close();
  }
}
const openai = (model: string, behaviour?: string) =>
  `{ model: openai/${model}, api_base: "${up.openaiBase}", api_key: sk-mode-key${behaviour ? `, extra_headers: { X-Fake-Behaviour: ${behaviour} }` : ''} }`;
const azure = (dep: string) => `{ model: azure/${dep}, api_base: "${up.url}", api_key: sk-mode-key, api_version: "2024-10-21" }`;

/** Reads the WAV header fields the API checks. */
function wavInfo(b: Buffer) {
  return { riff: b.toString('ascii', 0, 4), wave: b.toString('ascii', 8, 12), format: b.readUInt16LE(20), channels: b.readUInt16LE(22), rate: b.readUInt32LE(24), bits: b.readUInt16LE(34), dataBytes: b.readUInt32LE(40), size: b.length };
}

interface ModeCase {
  mode: string;
  model: string;
  method: string;
  path: string;
  check: (req: RecordedRequest) => void;
  /** A model whose answer must make the probe unhealthy, and the error it must say. */
  failing: [model: string, error: RegExp];
}

const CASES: ModeCase[] = [
  {
    mode: 'chat', model: 'gpt-4o', method: 'POST', path: '/v1/chat/completions', failing: ['no_choices', /without choices/],
    check: (r) => expect(r.body).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 }),
  },
  {
    mode: 'completion', model: 'gpt-3.5-turbo-instruct', method: 'POST', path: '/v1/completions', failing: ['empty', /without choices in the completion/],
    check: (r) => expect(r.body).toEqual({ model: 'gpt-3.5-turbo-instruct', prompt: 'ping', max_tokens: 16 }),
  },
  {
    mode: 'responses', model: 'gpt-4.1', method: 'POST', path: '/v1/responses', failing: ['empty', /without an output list/],
    check: (r) => expect(r.body).toEqual({ model: 'gpt-4.1', input: 'ping', max_output_tokens: 16 }),
  },
  {
    mode: 'embedding', model: 'text-embedding-3-small', method: 'POST', path: '/v1/embeddings', failing: ['empty', /without an embedding vector/],
    check: (r) => expect(r.body).toEqual({ model: 'text-embedding-3-small', input: ['ping'] }),
  },
  {
    mode: 'image_generation', model: 'dall-e-2', method: 'POST', path: '/v1/images/generations', failing: ['empty', /without an image/],
    check: (r) => expect(r.body).toEqual({ model: 'dall-e-2', prompt: 'ping', n: 1, size: '256x256' }),
  },
  {
    mode: 'image_edit', model: 'dall-e-2', method: 'POST', path: '/v1/images/edits', failing: ['empty', /without an edited image/],
    check: (r) => {
      expect(r.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      const image = r.form!.image as { filename: string; type: string; bytes: Buffer };
      expect(image.type).toBe('image/png');
      expect(image.bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(image.bytes.readUInt32BE(16)).toBe(image.bytes.readUInt32BE(20)); // square
      expect(r.form).toMatchObject({ prompt: 'ping', n: '1', size: '256x256', model: 'dall-e-2' });
      expect(r.form!.max_tokens).toBeUndefined();
    },
  },
  {
    mode: 'audio_transcription', model: 'whisper-1', method: 'POST', path: '/v1/audio/transcriptions', failing: ['empty', /without a text field/],
    check: (r) => {
      expect(r.headers['content-type']).toMatch(/^multipart\/form-data/);
      const file = r.form!.file as { filename: string; type: string; bytes: Buffer };
      expect(file).toMatchObject({ filename: 'probe.wav', type: 'audio/wav' });
      expect(wavInfo(file.bytes)).toEqual({ riff: 'RIFF', wave: 'WAVE', format: 1, channels: 1, rate: 16000, bits: 16, dataBytes: 16000, size: 16044 });
      expect(r.form).toMatchObject({ model: 'whisper-1', response_format: 'json' });
    },
  },
  {
    mode: 'audio_speech', model: 'tts-1', method: 'POST', path: '/v1/audio/speech', failing: ['text_audio', /content type "text\/plain", not audio/],
    check: (r) => expect(r.body).toEqual({ model: 'tts-1', input: 'ping', voice: 'alloy' }),
  },
  {
    mode: 'batch', model: 'gpt-4o-mini', method: 'GET', path: '/v1/batches', failing: ['empty', /without a batch list/],
    check: (r) => { expect(r.query).toEqual({ limit: '1' }); expect(r.rawBody.length).toBe(0); },
  },
  {
    // Free by default: the job list, never a paid video (health_check_probe: generate for that).
    mode: 'video_generation', model: 'sora-2', method: 'GET', path: '/v1/videos', failing: ['empty', /without a video list/],
    check: (r) => { expect(r.query).toEqual({ limit: '1' }); expect(r.rawBody.length).toBe(0); },
  },
  {
    mode: 'rerank', model: 'rerank-english-v3.0', method: 'POST', path: '/v1/rerank', failing: ['empty', /without rerank results/],
    check: (r) => expect(r.body).toEqual({ model: 'rerank-english-v3.0', query: 'ping', documents: ['ping', 'pong'], top_n: 1 }),
  },
  {
    mode: 'moderation', model: 'omni-moderation-latest', method: 'POST', path: '/v1/moderations', failing: ['empty', /without moderation results/],
    check: (r) => expect(r.body).toEqual({ model: 'omni-moderation-latest', input: 'ping' }),
  },
  {
    mode: 'realtime', model: 'gpt-4o-realtime-preview', method: 'WS', path: '/v1/realtime', failing: ['ws_reject', /handshake failed/],
    check: (r) => {
      expect(r.query).toEqual({ model: 'gpt-4o-realtime-preview' });
      expect(r.headers.authorization).toBe('Bearer sk-mode-key');
      expect(r.headers['openai-beta']).toBe('realtime=v1');
    },
  },
];

describe.each(CASES)('mode $mode', ({ mode, model, method, path, check, failing }) => {
  it(`sends ${method} ${path} with the smallest request and is healthy on a real answer`, async () => {
    const { req, entry } = await probe(openai(model), `{ mode: ${mode} }`);
    expect(entry).toMatchObject({ mode, model_name: 'm' });
    expect(entry.error).toBeUndefined();
    expect(up.requests).toHaveLength(1);
    expect(req!.method).toBe(method);
    expect(req!.path).toBe(path);
    if (req!.body) expect(req!.body.max_tokens === undefined).toBe(!['chat', 'completion'].includes(mode));
    check(req!);
  });

  it('is unhealthy with a clear error on a malformed or failing answer', async () => {
    const { entry } = await probe(openai(failing[0], failing[0]), `{ mode: ${mode} }`);
    expect(entry.error).toMatch(failing[1]);
    expect(entry.error_type).toMatch(/bad_response|connection/);
  });
});

describe('Azure paths per mode', () => {
  it.each([
    ['embedding', 'POST', '/openai/deployments/emb/embeddings'],
    ['audio_transcription', 'POST', '/openai/deployments/emb/audio/transcriptions'],
    ['image_generation', 'POST', '/openai/deployments/emb/images/generations'],
    ['batch', 'GET', '/openai/batches'],
    // Per resource, the deployment in the body, as the openai SDK's AzureOpenAI sends them.
    ['moderation', 'POST', '/openai/moderations'],
    ['responses', 'POST', '/openai/responses'],
  ])('%s → %s %s with api-version and api-key', async (mode, method, path) => {
    const { req, entry } = await probe(azure('emb'), `{ mode: ${mode} }`);
    expect(entry.error).toBeUndefined();
    expect(req).toMatchObject({ method, path });
    expect(req!.query['api-version']).toBe('2024-10-21');
    expect(req!.headers['api-key']).toBe('sk-mode-key');
    if (method === 'POST') expect(req!.body?.model ?? req!.form?.model).toBe('emb');
  });

  it('realtime opens wss-style /openai/realtime with the deployment and api-key', async () => {
    const { req, entry } = await probe(azure('rt-dep').replace('2024-10-21', '2024-10-01-preview'), '{ mode: realtime }');
    expect(entry.error).toBeUndefined();
    expect(req).toMatchObject({ method: 'WS', path: '/openai/realtime', query: { 'api-version': '2024-10-01-preview', deployment: 'rt-dep' } });
    expect(req!.headers['api-key']).toBe('sk-mode-key');
  });
});

describe('max_tokens and params', () => {
  it('health_check_params are merged into every mode, including multipart forms', async () => {
    const a = await probe(openai('text-embedding-3-small'), '{ mode: embedding, health_check_params: { dimensions: 8, encoding_format: float } }');
    expect(a.req!.body).toEqual({ model: 'text-embedding-3-small', input: ['ping'], dimensions: 8, encoding_format: 'float' });
    up.reset();
    const b = await probe(openai('whisper-1'), '{ mode: audio_transcription, health_check_params: { language: en } }');
    expect(b.req!.form!.language).toBe('en');
  });

  it('health_check_supports_max_tokens overrides the per-mode rule both ways', async () => {
    const a = await probe(openai('gpt-4o'), '{ mode: chat, health_check_supports_max_tokens: false }');
    expect(a.req!.body.max_tokens).toBeUndefined();
    up.reset();
    const b = await probe(openai('text-embedding-3-small'), '{ mode: embedding, health_check_supports_max_tokens: true }');
    expect(b.req!.body.max_tokens).toBeUndefined(); // the embedding plugin sends no max_tokens field at all
  });

  it('reasoning models: max_completion_tokens, the reasoning budget knobs and reasoning_effort', async () => {
    const { req } = await probe(openai('o3-mini'), '{ health_check_max_tokens_reasoning: 256, health_check_max_tokens_non_reasoning: 8, health_check_reasoning_effort: low }');
    expect(req!.body).toEqual({ model: 'o3-mini', messages: [{ role: 'user', content: 'ping' }], max_completion_tokens: 256, reasoning_effort: 'low' });
    up.reset();
    const plain = await probe(openai('gpt-4o'), '{ health_check_max_tokens_reasoning: 256, health_check_max_tokens_non_reasoning: 8 }');
    expect(plain.req!.body.max_tokens).toBe(8);
  });

  it('an empty answer cut by max_tokens (a reasoning model thinking) is healthy, not a false alarm', async () => {
    const { entry } = await probe(openai('length'), '{}');
    expect(entry.error).toBeUndefined();
    expect(entry.details).toEqual({ note: 'empty answer: max_tokens spent (reasoning)' });
  });

  it('general_settings.health_check_prompt replaces the prompt', async () => {
    const { req } = await probe(openai('gpt-4o'), '{}', 'general_settings: { health_check_prompt: "say ok" }');
    expect(req!.body.messages).toEqual([{ role: 'user', content: 'say ok' }]);
  });
});

describe('image edit', () => {
  it('a content-policy refusal counts healthy: the deployment answered', async () => {
    const { entry } = await probe(openai('policy'), '{ mode: image_edit }');
    expect(entry.error).toBeUndefined();
    expect(entry.details.note).toMatch(/content policy/);
  });
});

describe('mode when absent', () => {
  it.each([
    ['text-embedding-3-large', 'embedding'], ['dall-e-3', 'image_generation'], ['whisper-1', 'audio_transcription'],
    ['gpt-4o-transcribe', 'audio_transcription'], ['tts-1-hd', 'audio_speech'], ['rerank-v3.5', 'rerank'],
    ['omni-moderation-latest', 'moderation'], ['gpt-4o-realtime-preview', 'realtime'], ['gpt-4o', 'chat'],
  ])('%s is probed as %s, and the entry says so', async (model, mode) => {
    const { entry } = await probe(openai(model), '{}');
    expect(entry.mode).toBe(mode);
    expect(entry.error).toBeUndefined();
  });
});

describe('wildcard routes and the free probe', () => {
  it('openai/* without health_check_model lists models instead of generating, and says so', async () => {
    const { req, entry } = await probe(`{ model: "openai/*", api_base: "${up.openaiBase}", api_key: sk-mode-key }`, '{}');
    expect(req).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(entry).toMatchObject({ probe: 'models_list', model: 'openai/*' });
    expect(entry.error).toBeUndefined();
  });

  it('openai/* with health_check_model probes that model', async () => {
    const { req, entry } = await probe(`{ model: "openai/*", api_base: "${up.openaiBase}", api_key: sk-mode-key }`, '{ health_check_model: openai/gpt-4o-mini }');
    expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(req!.body.model).toBe('gpt-4o-mini');
    expect(entry.probe).toBeUndefined();
  });

  it('any deployment can opt into the free probe with health_check_probe: models_list', async () => {
    const { req, entry } = await probe(openai('dall-e-3'), '{ mode: image_generation, health_check_probe: models_list }');
    expect(req).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(entry).toMatchObject({ probe: 'models_list', mode: 'image_generation' });
  });

  it('the free probe still fails on a bad key', async () => {
    const { entry } = await probe(`{ model: "openai/*", api_base: "${up.openaiBase}", api_key: sk-wrong }`, '{}');
    expect(entry).toMatchObject({ error_type: 'auth', exception_status: 401, probe: 'models_list' });
  });
});
