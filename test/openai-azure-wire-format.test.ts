import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AZURE_DEFAULT_API_VERSION } from '../src/providers/azure.js';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from './support/fake-upstream.js';

let up: FakeUpstream;
beforeAll(async () => { up = await startFakeUpstream(); });
afterAll(async () => { await up.close(); });
beforeEach(() => up.reset());

async function probeOnce(modelList: string): Promise<{ req: RecordedRequest; report: any }> {
  const ex: TestExporter = await startExporter(`model_list:\n${modelList}`, { listen: false });
  try {
    const report = await ex.exporter.once();
    expect(up.requests).toHaveLength(1);
    return { req: up.requests[0]!, report };
  } finally {
    await ex.close();
  }
}

describe('OpenAI chat probe', () => {
  it('POSTs one short user message to {api_base}/chat/completions with a bearer key', async () => {
    const { req, report } = await probeOnce(`
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${up.openaiBase}, api_key: sk-test-1, organization: org-42, extra_headers: { X-Team: llm-ops } }
`);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test-1');
    expect(req.headers['openai-organization']).toBe('org-42');
    expect(req.headers['x-team']).toBe('llm-ops');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 });
    expect(report.healthy_endpoints[0]).toMatchObject({ 'x-ratelimit-remaining-requests': '4999', 'x-ratelimit-remaining-tokens': '159000' });
  });

  it('treats a bare model name as OpenAI and sends no Authorization without a key', async () => {
    const { req } = await probeOnce(`
  - model_name: local
    litellm_params: { model: gpt-4o-mini, api_base: ${up.openaiBase} }
`);
    expect(req.body.model).toBe('gpt-4o-mini');
    expect(req.headers.authorization).toBeUndefined();
  });

  it('probes health_check_model, sends health_check_max_tokens and merges health_check_params', async () => {
    const { req, report } = await probeOnce(`
  - model_name: wild
    litellm_params: { model: openai/*, api_base: ${up.openaiBase} }
    model_info:
      health_check_model: openai/gpt-4o-mini
      health_check_max_tokens: 1
      health_check_params: { temperature: 0, reasoning_effort: low }
`);
    expect(req.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, temperature: 0, reasoning_effort: 'low' });
    expect(report.healthy_endpoints[0].model).toBe('openai/gpt-4o-mini');
  });

  it('keeps the query of an api_base (gateways that need one) when adding the path', async () => {
    const { req } = await probeOnce(`
  - model_name: gw
    litellm_params: { model: openai/gpt-4o, api_base: "${up.openaiBase}?tenant=blue" }
`);
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.query).toEqual({ tenant: 'blue' });
  });
});

describe('Azure OpenAI chat probe', () => {
  it('POSTs to /openai/deployments/{name}/chat/completions with api-version and the api-key header', async () => {
    const { req, report } = await probeOnce(`
  - model_name: az
    litellm_params: { model: azure/my-gpt-4o, api_base: ${up.url}/, api_key: az-key-1, api_version: "2024-06-01" }
`);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/openai/deployments/my-gpt-4o/chat/completions');
    expect(req.query).toEqual({ 'api-version': '2024-06-01' });
    expect(req.headers['api-key']).toBe('az-key-1');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({ messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 });
    expect(report.healthy_endpoints[0]).toMatchObject({ 'x-ms-region': 'East US', api_version: '2024-06-01' });
  });

  it('uses a default api-version when none is configured, and an Entra ID token as a bearer', async () => {
    const { req } = await probeOnce(`
  - model_name: az
    litellm_params: { model: azure/dep, api_base: ${up.url}, azure_ad_token: ad-token-1 }
`);
    expect(req.query['api-version']).toBe(AZURE_DEFAULT_API_VERSION);
    expect(req.headers.authorization).toBe('Bearer ad-token-1');
  });

  it('accepts an api_base that already ends in /openai', async () => {
    const { req } = await probeOnce(`
  - model_name: az
    litellm_params: { model: azure/dep, api_base: ${up.url}/openai, api_key: k }
`);
    expect(req.path).toBe('/openai/deployments/dep/chat/completions');
  });
});
