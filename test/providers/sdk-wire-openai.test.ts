import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { probePng, probeWav } from '../../src/core/media.js';
import { AZURE_RESPONSES_DEFAULT_API_VERSION } from '../../src/providers/azure.js';
import type { Recorded, Reply } from '../support/fake-server.js';
import { expectSameWire, runWireCases, type WireCase, type WireView } from '../support/sdk-wire.js';

/**
 * Wire fidelity of the OpenAI dialect (OpenAI, Azure OpenAI, the OpenAI-compatible family): for
 * each operation the exporter sends, the openai SDK (AzureOpenAI for Azure) makes the same call
 * against a recorder on loopback, and the exporter's probe must match it on method, path, query,
 * auth headers, the other headers and the body (test/support/sdk-wire.ts lists what is left out
 * of the comparison, and why).
 *
 * Documented differences and choices:
 * - embeddings: the SDK asks for `encoding_format: base64` when the caller names none, and
 *   decodes the answer itself (a transport choice of the SDK); the exporter takes the API's
 *   default (floats). That one field is left out.
 * - Azure: the AzureOpenAI client is made with `deployment` (its documented option). Without it
 *   the SDK cannot find the deployment of a multipart image edit and sends it to
 *   `/openai/images/edits`, which Azure does not serve.
 * - Azure videos go to Azure's v1 API (`/openai/v1/videos`, as LiteLLM sends them), which
 *   Microsoft documents with the plain OpenAI client at `{endpoint}/openai/v1`; it is given
 *   Azure's `api-key` header in place of its bearer.
 * - Not compared, for want of an SDK call: rerank (no OpenAI API), OCR (Mistral's, Azure AI's),
 *   and realtime (a websocket handshake, covered by test/every-mode-probe.test.ts).
 */
const K = {
  openai: 'sk-wire-openai-0001',
  azure: 'azwirekey00000000000000000000002',
  compatible: 'sk-wire-compatible-0003',
};
const PROMPT = [{ role: 'user' as const, content: 'ping' }];
const json = (body: unknown): Reply => ({ status: 200, json: body });

const chatAnswer = json({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }] });
const completionAnswer = json({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm', choices: [{ index: 0, text: 'pong', finish_reason: 'stop' }] });
const responseAnswer = json({ id: 'resp_1', object: 'response', created_at: 1, status: 'completed', model: 'm', output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'pong', annotations: [] }] }] });
/** Floats, or the same floats as base64 float32 when the request asks for base64 (the SDK's default). */
const embeddingAnswer = (req: Recorded): Reply => {
  const floats = [0.25, -0.5];
  const embedding = req.body?.encoding_format === 'base64' ? Buffer.from(new Float32Array(floats).buffer).toString('base64') : floats;
  return json({ object: 'list', data: [{ object: 'embedding', index: 0, embedding }], model: 'm', usage: { prompt_tokens: 1, total_tokens: 1 } });
};
const imageAnswer = json({ created: 1, data: [{ b64_json: 'aW1hZ2U=' }] });
const speechAnswer: Reply = { status: 200, bytes: Buffer.from('ID3fake-mpeg-audio'), headers: { 'content-type': 'audio/mpeg' } };
const emptyList = json({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
const moderationAnswer = json({ id: 'modr-1', model: 'm', results: [{ flagged: false, categories: {}, category_scores: {} }] });
const modelsAnswer = json({ object: 'list', data: [{ id: 'm', object: 'model', created: 1, owned_by: 'o' }] });
const videoAnswer = json({ id: 'video_1', object: 'video', status: 'queued', created_at: 1, model: 'sora-2', progress: 0, seconds: '4', size: '720x1280' });

/** The SDK's base64 request for embeddings (see above). */
const withoutEncodingFormat = (v: WireView): WireView => {
  const { encoding_format: _dropped, ...body } = (v.body ?? {}) as Record<string, unknown>;
  return { ...v, body };
};

const openai = (url: string) => new OpenAI({ apiKey: K.openai, baseURL: `${url}/v1`, maxRetries: 0 });
const oa = (model: string) => (url: string) => `{ model: "openai/${model}", api_base: "${url}/v1", api_key: ${K.openai} }`;
const png = () => toFile(probePng(), 'probe.png', { type: 'image/png' });
const wav = () => toFile(probeWav(), 'probe.wav', { type: 'audio/wav' });

const OPENAI: WireCase[] = [
  { id: 'openai chat', params: oa('gpt-4o-mini'), answer: chatAnswer, sdk: (u) => openai(u).chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT, max_tokens: 16 }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai chat (reasoning model: max_completion_tokens)', params: oa('o3-mini'), answer: chatAnswer, sdk: (u) => openai(u).chat.completions.create({ model: 'o3-mini', messages: PROMPT, max_completion_tokens: 16 }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai completion', params: oa('gpt-3.5-turbo-instruct'), answer: completionAnswer, sdk: (u) => openai(u).completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'ping', max_tokens: 16 }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai responses', params: oa('gpt-4o-mini'), modelInfo: '{ mode: responses }', answer: responseAnswer, sdk: (u) => openai(u).responses.create({ model: 'gpt-4o-mini', input: 'ping', max_output_tokens: 16 }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai embedding', params: oa('text-embedding-3-small'), answer: embeddingAnswer, sdk: (u) => openai(u).embeddings.create({ model: 'text-embedding-3-small', input: ['ping'] }), secrets: { OPENAI_API_KEY: K.openai }, adjust: withoutEncodingFormat },
  { id: 'openai image_generation', params: oa('dall-e-3'), answer: imageAnswer, sdk: (u) => openai(u).images.generate({ model: 'dall-e-3', prompt: 'ping', n: 1, size: '1024x1024' }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai image_edit', params: oa('dall-e-2'), modelInfo: '{ mode: image_edit }', answer: imageAnswer, sdk: async (u) => openai(u).images.edit({ model: 'dall-e-2', image: await png(), prompt: 'ping', n: 1, size: '256x256' }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai audio_transcription', params: oa('whisper-1'), answer: json({ text: 'ping' }), sdk: async (u) => openai(u).audio.transcriptions.create({ model: 'whisper-1', file: await wav(), response_format: 'json' }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai audio_speech', params: oa('tts-1'), answer: speechAnswer, sdk: async (u) => (await openai(u).audio.speech.create({ model: 'tts-1', input: 'ping', voice: 'alloy' })).arrayBuffer(), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai batch_list', params: oa('gpt-4o-mini'), modelInfo: '{ mode: batch }', answer: emptyList, sdk: (u) => openai(u).batches.list({ limit: 1 }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai moderation', params: oa('omni-moderation-latest'), answer: moderationAnswer, sdk: (u) => openai(u).moderations.create({ model: 'omni-moderation-latest', input: 'ping' }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai models_list', params: oa('*'), answer: modelsAnswer, sdk: (u) => openai(u).models.list(), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai video_list (video_generation, free)', params: oa('sora-2'), answer: emptyList, sdk: (u) => openai(u).videos.list({ limit: 1 }), secrets: { OPENAI_API_KEY: K.openai } },
  { id: 'openai video_generation (generate)', params: oa('sora-2'), modelInfo: '{ health_check_probe: generate }', answer: videoAnswer, sdk: (u) => openai(u).videos.create({ model: 'sora-2', prompt: 'ping', seconds: '4' }), secrets: { OPENAI_API_KEY: K.openai } },
];

const AZURE_VERSION = '2024-10-21';
const azure = (url: string, deployment: string, apiVersion = AZURE_VERSION) => new AzureOpenAI({ apiKey: K.azure, endpoint: url, apiVersion, deployment, maxRetries: 0 });
const az = (dep: string, extra = `, api_version: "${AZURE_VERSION}"`) => (url: string) => `{ model: "azure/${dep}", api_base: "${url}", api_key: ${K.azure}${extra} }`;
const S = { AZURE_API_KEY: K.azure };
/** Azure's v1 API as Microsoft documents it for the OpenAI client, with Azure's key header. */
const azureV1 = (url: string) => new OpenAI({ apiKey: K.azure, baseURL: `${url}/openai/v1`, defaultHeaders: { 'api-key': K.azure, authorization: null }, maxRetries: 0 });

const AZURE: WireCase[] = [
  { id: 'azure chat', params: az('gpt-4o-prod'), answer: chatAnswer, sdk: (u) => azure(u, 'gpt-4o-prod').chat.completions.create({ model: 'gpt-4o-prod', messages: PROMPT, max_tokens: 16 }), secrets: S },
  {
    id: 'azure chat (a reasoning deployment named by base_model: max_completion_tokens)',
    params: az('my-o3-mini', ', api_version: "2024-12-01-preview"'), modelInfo: '{ base_model: azure/o3-mini }', answer: chatAnswer,
    sdk: (u) => azure(u, 'my-o3-mini', '2024-12-01-preview').chat.completions.create({ model: 'my-o3-mini', messages: PROMPT, max_completion_tokens: 16 }), secrets: S,
  },
  { id: 'azure completion', params: az('instruct-dep'), modelInfo: '{ mode: completion }', answer: completionAnswer, sdk: (u) => azure(u, 'instruct-dep').completions.create({ model: 'instruct-dep', prompt: 'ping', max_tokens: 16 }), secrets: S },
  {
    id: 'azure responses (default api-version)', params: az('resp-dep', ''), modelInfo: '{ mode: responses }', answer: responseAnswer,
    sdk: (u) => azure(u, 'resp-dep', AZURE_RESPONSES_DEFAULT_API_VERSION).responses.create({ model: 'resp-dep', input: 'ping', max_output_tokens: 16 }), secrets: S,
  },
  {
    id: 'azure responses (the deployment\'s api_version)', params: az('resp-dep', ', api_version: "2025-03-01-preview"'), modelInfo: '{ mode: responses }', answer: responseAnswer,
    sdk: (u) => azure(u, 'resp-dep', '2025-03-01-preview').responses.create({ model: 'resp-dep', input: 'ping', max_output_tokens: 16 }), secrets: S,
  },
  { id: 'azure embedding', params: az('embed-dep'), modelInfo: '{ mode: embedding }', answer: embeddingAnswer, sdk: (u) => azure(u, 'embed-dep').embeddings.create({ model: 'embed-dep', input: ['ping'] }), secrets: S, adjust: withoutEncodingFormat },
  { id: 'azure image_generation', params: az('dall-e-3'), answer: imageAnswer, sdk: (u) => azure(u, 'dall-e-3').images.generate({ model: 'dall-e-3', prompt: 'ping', n: 1, size: '1024x1024' }), secrets: S },
  { id: 'azure image_edit', params: az('dall-e-2'), modelInfo: '{ mode: image_edit }', answer: imageAnswer, sdk: async (u) => azure(u, 'dall-e-2').images.edit({ model: 'dall-e-2', image: await png(), prompt: 'ping', n: 1, size: '256x256' }), secrets: S },
  { id: 'azure audio_transcription', params: az('whisper'), modelInfo: '{ mode: audio_transcription }', answer: json({ text: 'ping' }), sdk: async (u) => azure(u, 'whisper').audio.transcriptions.create({ model: 'whisper', file: await wav(), response_format: 'json' }), secrets: S },
  { id: 'azure audio_speech', params: az('tts'), modelInfo: '{ mode: audio_speech }', answer: speechAnswer, sdk: async (u) => (await azure(u, 'tts').audio.speech.create({ model: 'tts', input: 'ping', voice: 'alloy' })).arrayBuffer(), secrets: S },
  { id: 'azure batch_list', params: az('gpt-4o-prod'), modelInfo: '{ mode: batch }', answer: emptyList, sdk: (u) => azure(u, 'gpt-4o-prod').batches.list({ limit: 1 }), secrets: S },
  { id: 'azure moderation', params: az('omni-moderation'), modelInfo: '{ mode: moderation }', answer: moderationAnswer, sdk: (u) => azure(u, 'omni-moderation').moderations.create({ model: 'omni-moderation', input: 'ping' }), secrets: S },
  { id: 'azure models_list', params: az('*'), answer: modelsAnswer, sdk: (u) => azure(u, 'unused').models.list(), secrets: S },
  { id: 'azure video_list (v1 API)', params: az('sora-2', ''), answer: emptyList, sdk: (u) => azureV1(u).videos.list({ limit: 1 }), secrets: S },
  { id: 'azure video_generation (v1 API, generate)', params: az('sora-2', ''), modelInfo: '{ health_check_probe: generate }', answer: videoAnswer, sdk: (u) => azureV1(u).videos.create({ model: 'sora-2', prompt: 'ping', seconds: '4' }), secrets: S },
];

/** The OpenAI-compatible family: the same SDK at each provider's base (the recorder's, here). */
const compatible = (url: string, defaultQuery?: Record<string, string>) => new OpenAI({ apiKey: K.compatible, baseURL: `${url}/v1`, maxRetries: 0, ...(defaultQuery ? { defaultQuery } : {}) });
const C = { API_KEY: K.compatible };
const FAMILY: WireCase[] = [
  ...['groq', 'mistral', 'deepseek', 'together_ai', 'fireworks_ai', 'openrouter', 'xai', 'perplexity', 'hosted_vllm', 'lm_studio', 'my-gateway'].map((prefix): WireCase => ({
    id: `${prefix} chat`,
    params: (url) => `{ model: "${prefix}/some-model", api_base: "${url}/v1", api_key: ${K.compatible} }`,
    answer: chatAnswer,
    sdk: (u) => compatible(u).chat.completions.create({ model: 'some-model', messages: PROMPT, max_tokens: 16 }),
    secrets: C,
  })),
  { id: 'groq models_list', params: (url) => `{ model: "groq/*", api_base: "${url}/v1", api_key: ${K.compatible} }`, answer: modelsAnswer, sdk: (u) => compatible(u).models.list(), secrets: C },
  { id: 'voyage embedding', params: (url) => `{ model: voyage/voyage-3, api_base: "${url}/v1", api_key: ${K.compatible} }`, answer: embeddingAnswer, sdk: (u) => compatible(u).embeddings.create({ model: 'voyage-3', input: ['ping'] }), secrets: C, adjust: withoutEncodingFormat },
  {
    id: 'azure_ai chat (serverless endpoint: bearer, api-version)',
    params: (url) => `{ model: azure_ai/some-model, api_base: "${url}/v1", api_key: ${K.compatible}, api_version: "2024-05-01-preview" }`,
    answer: chatAnswer,
    sdk: (u) => compatible(u, { 'api-version': '2024-05-01-preview' }).chat.completions.create({ model: 'some-model', messages: PROMPT, max_tokens: 16 }),
    secrets: C,
  },
];

const CASES = [...OPENAI, ...AZURE, ...FAMILY];

describe('the OpenAI dialect (OpenAI, Azure, the compatible family) sends what the openai SDK sends', () => {
  const run = runWireCases(CASES);

  it('no SDK (and no probe) connected or looked up a name outside loopback', () => {
    expect(run.refused).toEqual([]);
  });

  it.each(CASES.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    await expectSameWire(run, c);
  });
});
