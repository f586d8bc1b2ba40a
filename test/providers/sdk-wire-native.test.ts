import { BedrockClient, ListFoundationModelsCommand } from '@aws-sdk/client-bedrock';
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import AnthropicLegacy from 'anthropic-sdk-0137';
import { CohereClientV2 } from 'cohere-ai';
import { Ollama } from 'ollama';
import { describe, expect, it } from 'vitest';
import { ANTHROPIC_VERSION } from '../../src/providers/anthropic.js';
import { expectSameWire, isLoopback, runWireCases, type WireCase } from '../support/sdk-wire.js';
import { verifySigV4 } from '../support/sigv4-verify.js';

/**
 * Wire fidelity of the native dialects (Anthropic, Gemini, Bedrock, Cohere, Ollama): for each
 * operation the exporter sends, the official SDK makes the same call against a recorder on
 * loopback, and the exporter's probe must match it on method, path, query, auth and version
 * headers, the other headers and the body (test/support/sdk-wire.ts lists what is left out of
 * the comparison, and why). The SDKs are dev dependencies at exact versions: when one moves, this
 * says where the wire moved with it.
 *
 * Documented differences, left out per case below:
 * - Anthropic 1.x sends `anthropic-version: 2026-10-21` with the key as a bearer; the exporter
 *   keeps 2023-06-01 with `x-api-key` (what SDK 0.137 sends, which every key accepts) unless
 *   the deployment names the version: the default is compared with 0.137, the configured
 *   version with 1.x.
 * - AWS: the SDK's default transport for bedrock-runtime is HTTP/2; the recorder speaks
 *   HTTP/1.1, so the SDK is given its own HTTP/1.1 handler (NodeHttpHandler). The signed request
 *   is the same either way.
 */
// The AWS SDK warns once per process that its releases after January 2027 need Node 22: noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const K = {
  anthropic: 'sk-ant-wire-0001',
  gemini: 'AIzaSyWIRE-gemini-0002',
  awsId: 'AKIAWIREWIRE00000003',
  awsSecret: 'wire/aws/secret/key/0000000000000004',
  awsToken: 'wire-aws-session-token-0005',
  bedrockKey: 'ABSKwire-bedrock-api-key-0006',
  cohere: 'co-wire-key-0007',
  ollama: 'ollama-wire-key-0008',
};
const PROMPT = [{ role: 'user' as const, content: 'ping' }];
const json = (body: unknown) => ({ status: 200, json: body });

const anthropicAnswer = json({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-3-5-haiku-20241022', content: [{ type: 'text', text: 'pong' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } });
const anthropicModels = json({ data: [{ id: 'claude-3-5-haiku-20241022', type: 'model', display_name: 'Claude Haiku 3.5', created_at: '2024-10-22T00:00:00Z' }], has_more: false, first_id: 'claude-3-5-haiku-20241022', last_id: 'claude-3-5-haiku-20241022' });
const converseAnswer = json({ output: { message: { role: 'assistant', content: [{ text: 'pong' }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } });
const aws = (url: string) => ({ region: 'us-west-2', endpoint: url, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
const awsKeys = { accessKeyId: K.awsId, secretAccessKey: K.awsSecret };
const awsParams = (model: string) => (url: string) => `{ model: "bedrock/${model}", api_base: "${url}", aws_access_key_id: ${K.awsId}, aws_secret_access_key: "${K.awsSecret}", aws_region_name: us-west-2 }`;
const awsSecrets = { AWS_ACCESS_KEY_ID: K.awsId, AWS_SECRET_ACCESS_KEY: K.awsSecret, AWS_SESSION_TOKEN: K.awsToken };

const CASES: WireCase[] = [
  {
    id: 'anthropic chat (default version, as SDK 0.137)',
    params: (url) => `{ model: anthropic/claude-3-5-haiku-20241022, api_base: "${url}", api_key: ${K.anthropic} }`,
    answer: anthropicAnswer,
    sdk: (url) => new AnthropicLegacy({ apiKey: K.anthropic, baseURL: url, maxRetries: 0 }).messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 16, messages: PROMPT }),
    secrets: { ANTHROPIC_API_KEY: K.anthropic },
  },
  {
    id: 'anthropic chat (anthropic_version 2026-10-21, as SDK 1.x)',
    params: (url) => `{ model: anthropic/claude-3-5-haiku-20241022, api_base: "${url}", api_key: ${K.anthropic}, anthropic_version: "2026-10-21" }`,
    answer: anthropicAnswer,
    sdk: (url) => new Anthropic({ apiKey: K.anthropic, baseURL: url, maxRetries: 0 }).messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 16, messages: PROMPT }),
    secrets: { ANTHROPIC_API_KEY: K.anthropic },
  },
  {
    id: 'anthropic models_list (default version, as SDK 0.137)',
    params: (url) => `{ model: "anthropic/*", api_base: "${url}", api_key: ${K.anthropic} }`,
    answer: anthropicModels,
    sdk: (url) => new AnthropicLegacy({ apiKey: K.anthropic, baseURL: url, maxRetries: 0 }).models.list(),
    secrets: { ANTHROPIC_API_KEY: K.anthropic },
  },
  {
    id: 'anthropic models_list (anthropic_version 2026-10-21, as SDK 1.x)',
    params: (url) => `{ model: "anthropic/*", api_base: "${url}", api_key: ${K.anthropic}, anthropic_version: "2026-10-21" }`,
    answer: anthropicModels,
    sdk: (url) => new Anthropic({ apiKey: K.anthropic, baseURL: url, maxRetries: 0 }).models.list(),
    secrets: { ANTHROPIC_API_KEY: K.anthropic },
  },
  {
    id: 'gemini chat',
    params: (url) => `{ model: gemini/gemini-2.0-flash, api_base: "${url}", api_key: ${K.gemini} }`,
    answer: json({ candidates: [{ content: { parts: [{ text: 'pong' }], role: 'model' }, finishReason: 'STOP', index: 0 }], modelVersion: 'gemini-2.0-flash' }),
    sdk: (url) => new GoogleGenAI({ apiKey: K.gemini, httpOptions: { baseUrl: url } }).models.generateContent({ model: 'gemini-2.0-flash', contents: 'ping', config: { maxOutputTokens: 16 } }),
    secrets: { GEMINI_API_KEY: K.gemini },
  },
  {
    id: 'gemini embedding',
    params: (url) => `{ model: gemini/text-embedding-004, api_base: "${url}", api_key: ${K.gemini} }`,
    answer: json({ embeddings: [{ values: [0.1, 0.2] }] }),
    sdk: (url) => new GoogleGenAI({ apiKey: K.gemini, httpOptions: { baseUrl: url } }).models.embedContent({ model: 'text-embedding-004', contents: ['ping'] }),
    secrets: { GEMINI_API_KEY: K.gemini },
  },
  {
    id: 'gemini models_list',
    params: (url) => `{ model: "gemini/*", api_base: "${url}", api_key: ${K.gemini} }`,
    answer: json({ models: [{ name: 'models/gemini-2.0-flash' }] }),
    sdk: async (url) => { await new GoogleGenAI({ apiKey: K.gemini, httpOptions: { baseUrl: url } }).models.list(); },
    secrets: { GEMINI_API_KEY: K.gemini },
  },
  {
    id: 'bedrock chat (Converse, SigV4)',
    params: awsParams('us.anthropic.claude-3-5-haiku-20241022-v1:0'),
    answer: converseAnswer,
    sdk: (url) => new BedrockRuntimeClient({ ...aws(url), credentials: awsKeys }).send(new ConverseCommand({ modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0', messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 16 } })),
    secrets: awsSecrets,
    sigv4SecretKey: K.awsSecret,
  },
  {
    id: 'bedrock chat (Converse, SigV4 with a session token)',
    params: (url) => awsParams('anthropic.claude-3-5-haiku-20241022-v1:0')(url).replace(' }', `, aws_session_token: ${K.awsToken} }`),
    answer: converseAnswer,
    sdk: (url) => new BedrockRuntimeClient({ ...aws(url), credentials: { ...awsKeys, sessionToken: K.awsToken } }).send(new ConverseCommand({ modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 16 } })),
    secrets: awsSecrets,
    sigv4SecretKey: K.awsSecret,
  },
  {
    id: 'bedrock chat (Converse, Bedrock API key as a bearer)',
    params: (url) => `{ model: "bedrock/anthropic.claude-3-5-haiku-20241022-v1:0", api_base: "${url}", api_key: ${K.bedrockKey}, aws_region_name: us-west-2 }`,
    answer: converseAnswer,
    sdk: (url) => new BedrockRuntimeClient({ ...aws(url), token: { token: K.bedrockKey }, authSchemePreference: ['httpBearerAuth'] }).send(new ConverseCommand({ modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 16 } })),
    secrets: { AWS_BEARER_TOKEN_BEDROCK: K.bedrockKey },
  },
  {
    id: 'bedrock embedding (InvokeModel, Titan)',
    params: awsParams('amazon.titan-embed-text-v2:0'),
    answer: json({ embedding: [0.1, 0.2], inputTextTokenCount: 1 }),
    sdk: (url) => new BedrockRuntimeClient({ ...aws(url), credentials: awsKeys }).send(new InvokeModelCommand({ modelId: 'amazon.titan-embed-text-v2:0', contentType: 'application/json', accept: 'application/json', body: JSON.stringify({ inputText: 'ping' }) })),
    secrets: awsSecrets,
    sigv4SecretKey: K.awsSecret,
  },
  {
    id: 'bedrock embedding (InvokeModel, Cohere)',
    params: awsParams('cohere.embed-english-v3'),
    answer: json({ id: 'e1', embeddings: [[0.1, 0.2]], texts: ['ping'], response_type: 'embeddings_floats' }),
    sdk: (url) => new BedrockRuntimeClient({ ...aws(url), credentials: awsKeys }).send(new InvokeModelCommand({ modelId: 'cohere.embed-english-v3', contentType: 'application/json', accept: 'application/json', body: JSON.stringify({ texts: ['ping'], input_type: 'search_query' }) })),
    secrets: awsSecrets,
    sigv4SecretKey: K.awsSecret,
  },
  {
    id: 'bedrock models_list (ListFoundationModels, SigV4)',
    params: awsParams('*'),
    answer: json({ modelSummaries: [{ modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0' }] }),
    sdk: (url) => new BedrockClient({ ...aws(url), credentials: awsKeys }).send(new ListFoundationModelsCommand({})),
    secrets: awsSecrets,
    sigv4SecretKey: K.awsSecret,
  },
  {
    id: 'cohere chat',
    params: (url) => `{ model: cohere/command-r-plus-08-2024, api_base: "${url}", api_key: ${K.cohere} }`,
    answer: json({ id: 'c1', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'pong' }] }, usage: { billed_units: { input_tokens: 1, output_tokens: 1 } } }),
    sdk: (url) => new CohereClientV2({ token: K.cohere, environment: url }).chat({ model: 'command-r-plus-08-2024', messages: PROMPT, maxTokens: 16 }, { maxRetries: 0 }),
    secrets: { COHERE_API_KEY: K.cohere },
  },
  {
    id: 'cohere embedding',
    params: (url) => `{ model: cohere/embed-english-v3.0, api_base: "${url}", api_key: ${K.cohere} }`,
    answer: json({ id: 'e1', embeddings: { float: [[0.1, 0.2]] }, texts: ['ping'], response_type: 'embeddings_by_type' }),
    sdk: (url) => new CohereClientV2({ token: K.cohere, environment: url }).embed({ model: 'embed-english-v3.0', texts: ['ping'], inputType: 'search_query', embeddingTypes: ['float'] }, { maxRetries: 0 }),
    secrets: { COHERE_API_KEY: K.cohere },
  },
  {
    id: 'cohere rerank',
    params: (url) => `{ model: cohere/rerank-v3.5, api_base: "${url}", api_key: ${K.cohere} }`,
    answer: json({ id: 'r1', results: [{ index: 0, relevance_score: 0.9 }] }),
    sdk: (url) => new CohereClientV2({ token: K.cohere, environment: url }).rerank({ model: 'rerank-v3.5', query: 'ping', documents: ['ping', 'pong'], topN: 1 }, { maxRetries: 0 }),
    secrets: { COHERE_API_KEY: K.cohere },
  },
  {
    id: 'cohere models_list',
    params: (url) => `{ model: "cohere/*", api_base: "${url}", api_key: ${K.cohere} }`,
    answer: json({ models: [{ name: 'command-r-plus-08-2024', endpoints: ['chat'] }] }),
    sdk: (url) => new CohereClientV2({ token: K.cohere, environment: url }).models.list({}, { maxRetries: 0 }),
    secrets: { COHERE_API_KEY: K.cohere },
  },
  {
    id: 'ollama chat',
    params: (url) => `{ model: ollama_chat/llama3.2, api_base: "${url}" }`,
    answer: json({ model: 'llama3.2', created_at: '2025-01-01T00:00:00Z', message: { role: 'assistant', content: 'pong' }, done: true, done_reason: 'stop' }),
    sdk: (url) => new Ollama({ host: url }).chat({ model: 'llama3.2', messages: PROMPT, stream: false, options: { num_predict: 16 } }),
    secrets: {},
  },
  {
    id: 'ollama chat (with a key, as a bearer)',
    params: (url) => `{ model: ollama_chat/llama3.2, api_base: "${url}", api_key: ${K.ollama} }`,
    answer: json({ model: 'llama3.2', created_at: '2025-01-01T00:00:00Z', message: { role: 'assistant', content: 'pong' }, done: true, done_reason: 'stop' }),
    sdk: (url) => new Ollama({ host: url, headers: { Authorization: `Bearer ${K.ollama}` } }).chat({ model: 'llama3.2', messages: PROMPT, stream: false, options: { num_predict: 16 } }),
    secrets: { OLLAMA_API_KEY: K.ollama },
  },
  {
    id: 'ollama completion',
    params: (url) => `{ model: ollama/llama3.2, api_base: "${url}" }`,
    modelInfo: '{ mode: completion }',
    answer: json({ model: 'llama3.2', created_at: '2025-01-01T00:00:00Z', response: 'pong', done: true, done_reason: 'stop' }),
    sdk: (url) => new Ollama({ host: url }).generate({ model: 'llama3.2', prompt: 'ping', stream: false, options: { num_predict: 16 } }),
    secrets: {},
  },
  {
    id: 'ollama embedding',
    params: (url) => `{ model: ollama/nomic-embed-text, api_base: "${url}" }`,
    modelInfo: '{ mode: embedding }',
    answer: json({ model: 'nomic-embed-text', embeddings: [[0.1, 0.2]] }),
    sdk: (url) => new Ollama({ host: url }).embed({ model: 'nomic-embed-text', input: ['ping'] }),
    secrets: {},
  },
  {
    id: 'ollama models_list',
    params: (url) => `{ model: "ollama/*", api_base: "${url}" }`,
    answer: json({ models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest' }] }),
    sdk: (url) => new Ollama({ host: url }).list(),
    secrets: {},
  },
];

describe('the native dialects send what the official SDKs send', () => {
  const run = runWireCases(CASES);

  it('no SDK (and no probe) connected or looked up a name outside loopback', () => {
    expect(run.refused).toEqual([]);
  });

  it('the loopback guard tells loopback from the rest', () => {
    for (const host of [undefined, 'localhost', '127.0.0.1', '127.9.8.7', '::1', '[::1]']) expect({ host, ok: isLoopback(host) }).toEqual({ host, ok: true });
    for (const host of ['bedrock-runtime.us-west-2.amazonaws.com', '169.254.169.254', '10.0.0.1', '128.0.0.1', '::2', 'localhost.example']) expect({ host, ok: isLoopback(host) }).toEqual({ host, ok: false });
  });

  it.each(CASES.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    await expectSameWire(run, c);
  });

  it('the SigV4 verifier is not vacuous: a changed body, path, signed header or secret key fails it', () => {
    const c = CASES.find((x) => x.id === 'bedrock chat (Converse, SigV4 with a session token)')!;
    for (const req of [run.requests(c).exporter[0]!, run.requests(c).sdk[0]!]) {
      expect(verifySigV4(req, K.awsSecret).ok).toBe(true);
      expect(verifySigV4({ ...req, rawBody: Buffer.from(req.rawBody.toString().replace('ping', 'pong')) }, K.awsSecret)).toMatchObject({ ok: false });
      expect(verifySigV4({ ...req, rawTarget: req.rawTarget.replace('converse', 'invoke') }, K.awsSecret)).toMatchObject({ ok: false, problem: 'the signature does not match the request' });
      const token = req.rawHeaders.indexOf(K.awsToken);
      expect(token).toBeGreaterThan(0);
      const tampered = [...req.rawHeaders];
      tampered[token] = 'another-session-token';
      expect(verifySigV4({ ...req, rawHeaders: tampered }, K.awsSecret).ok).toBe(false);
      expect(verifySigV4(req, 'not-the-secret-key').ok).toBe(false);
    }
  });

  it('the default Anthropic version is the one SDK 0.137 sends', async () => {
    expect(ANTHROPIC_VERSION).toBe('2023-06-01');
  });
});
