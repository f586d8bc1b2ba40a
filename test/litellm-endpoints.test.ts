import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startExporter } from './support/exporter.js';
import { startFakeBedrock } from './support/fake-bedrock.js';
import { startFakeCompatible } from './support/fake-compatible.js';
import type { FakeServer } from './support/fake-server.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

/**
 * A LiteLLM-style config whose entries say nothing of their mode (as most real ones do) is sent to
 * the endpoint LiteLLM would use: the mode and provider come from LiteLLM's model table, the
 * added modes (ocr, video_generation) have their own plugins, and Bedrock's `mode: batch` is a
 * chat call. Every request is counted where it arrives, at fakes that speak each provider's
 * wire format.
 */
const KEY = 'sk-litellm-fidelity-0001';
const BEDROCK_KEY = 'ABSKQmVkcm9ja0FQSUtleS1maWRlbGl0eQ';
const AWS = { accessKeyId: 'AKIAFAKEFIDELITY0001', secretAccessKey: 'fakeSecretKey/0000000000000000000000000009' };

let openai: FakeUpstream;
let bedrock: FakeServer;
let mistral: FakeServer & { base: string };
let voyage: FakeServer & { base: string };
let azureAi: FakeServer & { base: string };
beforeAll(async () => {
  openai = await startFakeUpstream({ apiKey: KEY });
  bedrock = await startFakeBedrock({ credentials: AWS, region: 'us-east-1', apiKey: BEDROCK_KEY });
  mistral = await startFakeCompatible('mistral', { apiKey: KEY });
  voyage = await startFakeCompatible('voyage', { apiKey: KEY });
  azureAi = await startFakeCompatible('azure_ai', { apiKey: KEY });
});
afterAll(async () => {
  await Promise.all([openai.close(), bedrock.close(), mistral.close(), voyage.close(), azureAi.close()]);
});
beforeEach(() => {
  for (const f of [openai, bedrock, mistral, voyage, azureAi]) f.reset();
});

/** Probes the entries once through the real exporter; returns the /health entries by model_name. */
async function probeAll(entries: string, env: NodeJS.ProcessEnv = {}): Promise<Map<string, Record<string, any>>> {
  const ex = await startExporter(`model_list:\n${entries}`, { listen: false, env });
  try {
    const report = await ex.app.once();
    return new Map([...report.healthy_endpoints, ...report.unhealthy_endpoints, ...report.pending_endpoints].map((e) => [String(e.model_name), e]));
  } finally {
    await ex.close();
  }
}
const entry = (name: string, params: string, info = '') =>
  `  - model_name: ${name}\n    litellm_params: ${params}\n${info ? `    model_info: ${info}\n` : ''}`;
const viaOpenAi = (model: string) => `{ model: "${model}", api_base: "${openai.openaiBase}", api_key: ${KEY} }`;

describe('bare model names go where LiteLLM sends them, by its model table', () => {
  it('completion, embedding, reasoning and responses models, each on its endpoint, once', async () => {
    const entries = await probeAll([
      entry('instruct', viaOpenAi('gpt-3.5-turbo-instruct')),
      entry('babbage', viaOpenAi('babbage-002')),
      entry('ada', viaOpenAi('text-embedding-ada-002')),
      entry('voyage-via-gateway', viaOpenAi('voyage-3')),
      entry('o1', viaOpenAi('o1')),
      entry('o1-pro', viaOpenAi('o1-pro')),
      entry('gpt-4o', viaOpenAi('gpt-4o')),
    ].join(''));
    const sent = openai.requests.map((r) => `${r.method} ${r.path} ${r.model}`).sort();
    expect(sent).toEqual([
      'POST /v1/chat/completions gpt-4o',
      'POST /v1/chat/completions o1',
      'POST /v1/completions babbage-002',
      'POST /v1/completions gpt-3.5-turbo-instruct',
      'POST /v1/embeddings text-embedding-ada-002',
      'POST /v1/embeddings voyage-3',
      'POST /v1/responses o1-pro',
    ]);
    // o1 is a reasoning model (table): max_completion_tokens, which OpenAI requires of it.
    expect(openai.requests.find((r) => r.model === 'o1')!.body).toEqual({ model: 'o1', messages: [{ role: 'user', content: 'ping' }], max_completion_tokens: 16 });
    expect(openai.requests.find((r) => r.model === 'gpt-4o')!.body.max_tokens).toBe(16);
    for (const [name, e] of entries) expect({ name, error: e.error }).toEqual({ name, error: undefined });
    expect(entries.get('instruct')).toMatchObject({ mode: 'completion', custom_llm_provider: 'text-completion-openai' });
    expect(entries.get('voyage-via-gateway')).toMatchObject({ mode: 'embedding', custom_llm_provider: 'openai' });
  });

  it('an unprefixed Bedrock id is Bedrock\'s: SigV4 from the AWS variables, InvokeModel for an embedding', async () => {
    const entries = await probeAll(entry('titan', '{ model: amazon.titan-embed-text-v1 }'), {
      AWS_ACCESS_KEY_ID: AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: AWS.secretAccessKey, AWS_REGION_NAME: 'us-east-1',
      AWS_BEDROCK_RUNTIME_ENDPOINT: bedrock.url, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: openai.openaiBase,
    });
    expect(entries.get('titan')).toMatchObject({ mode: 'embedding', custom_llm_provider: 'bedrock' });
    expect(entries.get('titan')!.error).toBeUndefined();
    expect(bedrock.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /model/amazon.titan-embed-text-v1/invoke']);
    expect(bedrock.requests[0]!.body).toEqual({ inputText: 'ping' });
    expect(String(bedrock.requests[0]!.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEFIDELITY0001\//);
    expect(openai.requests).toEqual([]);
  });

  it('voyage/voyage-3 goes to Voyage\'s embeddings', async () => {
    const entries = await probeAll(entry('voyage', `{ model: voyage/voyage-3, api_base: "${voyage.base}", api_key: ${KEY} }`));
    expect(entries.get('voyage')).toMatchObject({ mode: 'embedding', custom_llm_provider: 'voyage' });
    expect(entries.get('voyage')!.error).toBeUndefined();
    expect(voyage.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/embeddings']);
    expect(voyage.requests[0]!.body).toEqual({ model: 'voyage-3', input: ['ping'] });
  });

  it('a realtime model opens the websocket, though the table files it under chat', async () => {
    const entries = await probeAll(entry('rt', viaOpenAi('gpt-4o-realtime-preview')));
    expect(entries.get('rt')).toMatchObject({ mode: 'realtime' });
    expect(entries.get('rt')!.error).toBeUndefined();
    expect(openai.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['WS /v1/realtime']);
  });
});

describe('video_generation: free by default, a paid job only when asked', () => {
  it('sora-2 lists video jobs (GET /videos?limit=1), at OpenAI and at Azure\'s v1 API; nothing is generated', async () => {
    const entries = await probeAll([
      entry('sora', viaOpenAi('sora-2')),
      entry('azure-sora', `{ model: azure/sora-2, api_base: "${openai.url}", api_key: ${KEY} }`),
    ].join(''));
    for (const name of ['sora', 'azure-sora']) {
      expect(entries.get(name)).toMatchObject({ mode: 'video_generation', probe: 'free' });
      expect(entries.get(name)!.error).toBeUndefined();
    }
    expect(openai.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)}`).sort()).toEqual([
      'GET /openai/v1/videos {"limit":"1"}',
      'GET /v1/videos {"limit":"1"}',
    ]);
    expect(openai.requests.every((r) => r.rawBody.length === 0)).toBe(true);
    expect(openai.requests.find((r) => r.path.startsWith('/openai/'))!.headers['api-key']).toBe(KEY);
  });

  it('health_check_probe: generate starts one 4-second job (multipart POST /videos) and is healthy once it is queued', async () => {
    const entries = await probeAll(entry('sora-paid', viaOpenAi('openai/sora-2'), '{ health_check_probe: generate }'));
    expect(entries.get('sora-paid')).toMatchObject({ mode: 'video_generation' });
    expect(entries.get('sora-paid')!.error).toBeUndefined();
    expect(entries.get('sora-paid')!.probe).toBeUndefined();
    expect(openai.requests).toHaveLength(1);
    const [req] = openai.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/videos' });
    expect(req!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req!.form).toEqual({ model: 'sora-2', prompt: 'ping', seconds: '4' });
  });

  it('an empty job list or a failed job is unhealthy with a clear error', async () => {
    const entries = await probeAll([
      entry('list-empty', `{ model: sora-2, api_base: "${openai.openaiBase}", api_key: ${KEY}, extra_headers: { X-Fake-Behaviour: empty } }`),
      entry('denied', `{ model: sora-2, api_base: "${openai.openaiBase}", api_key: wrong-key }`),
    ].join(''));
    expect(entries.get('list-empty')).toMatchObject({ error: '200 without a video list', error_type: 'bad_response' });
    expect(entries.get('denied')).toMatchObject({ error_type: 'auth', exception_status: 401 });
  });
});

describe('ocr: a one-page PDF to Mistral\'s /v1/ocr, as LiteLLM\'s health check sends it', () => {
  it('Mistral and Azure AI (its /providers/mistral/azure/ocr, bearer) each get one document', async () => {
    const entries = await probeAll([
      entry('ocr', `{ model: mistral/mistral-ocr-latest, api_base: "${mistral.url}", api_key: ${KEY} }`),
      entry('azure-ocr', `{ model: azure_ai/mistral-document-ai-2505, api_base: "${azureAi.url}", api_key: ${KEY} }`),
    ].join(''));
    for (const name of ['ocr', 'azure-ocr']) {
      expect(entries.get(name)).toMatchObject({ mode: 'ocr' });
      expect(entries.get(name)!.error).toBeUndefined();
    }
    expect(mistral.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/ocr']);
    expect(azureAi.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /providers/mistral/azure/ocr']);
    expect(azureAi.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = mistral.requests[0]!.body;
    expect(Object.keys(body).sort()).toEqual(['document', 'model']);
    expect(body.model).toBe('mistral-ocr-latest');
    expect(body.document.type).toBe('document_url');
    const pdf = Buffer.from(String(body.document.document_url).replace(/^data:application\/pdf;base64,/, ''), 'base64').toString('latin1');
    expect(pdf.startsWith('%PDF-1.4\n')).toBe(true);
    expect(pdf).toContain('/Count 1');
    expect(pdf).toContain('(ping) Tj');
    // Every cross-reference entry points at its object, and startxref at the table.
    const offsets = [...pdf.matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((o, i) => expect(pdf.slice(o, o + 8)).toBe(`${i + 1} 0 obj\n`));
    expect(pdf.slice(Number(/startxref\n(\d+)/.exec(pdf)![1]), Number(/startxref\n(\d+)/.exec(pdf)![1]) + 4)).toBe('xref');
  });

  it('OpenAI has no OCR API: unsupported, nothing sent', async () => {
    const entries = await probeAll(entry('openai-ocr', viaOpenAi('openai/mistral-ocr-latest')));
    expect(entries.get('openai-ocr')).toMatchObject({ mode: 'ocr', error_type: 'unsupported', error: 'provider "openai" has no ocr API' });
    expect(openai.requests).toEqual([]);
  });
});

describe('batch: a batch list where there is one, a chat call where there is none (Bedrock), as LiteLLM does', () => {
  it('Bedrock mode: batch makes one Converse call with a small max_tokens; OpenAI lists batches', async () => {
    const haiku = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    const entries = await probeAll([
      entry('bedrock-batch', `{ model: "bedrock/${haiku}", api_base: "${bedrock.url}", api_key: ${BEDROCK_KEY}, aws_region_name: us-east-1 }`, '{ mode: batch }'),
      entry('openai-batch', viaOpenAi('openai/gpt-4o-mini'), '{ mode: batch }'),
    ].join(''));
    expect(entries.get('bedrock-batch')).toMatchObject({ mode: 'batch', details: { probe: 'chat', note: 'bedrock has no batch list API: checked with a chat call' } });
    expect(entries.get('bedrock-batch')!.error).toBeUndefined();
    expect(bedrock.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /model/${haiku}/converse`]);
    expect(bedrock.requests[0]!.body).toEqual({ messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 16 } });
    expect(entries.get('openai-batch')!.error).toBeUndefined();
    expect(openai.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/batches']);
  });
});
