import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AZURE_DEFAULT_API_VERSION, AZURE_RESPONSES_DEFAULT_API_VERSION } from '../src/providers/azure.js';
import { exporterForTest } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from './support/fake-upstream.js';

/**
 * The chat probe's request as the provider sees it: one real exporter per case, driven over
 * HTTP (GET /health), and the one request the fake upstream recorded.
 */
let up: FakeUpstream;
beforeAll(async () => { up = await startFakeUpstream(); });
afterAll(async () => { await up.close(); });
// Cleared before each test, once the last test's exporter has closed (exporterForTest).
beforeEach(() => { up.reset(); });

type Entry = Record<string, any>;

/** Starts an exporter on `model_list` (one deployment), GETs /health, returns the request and entry. */
async function probe(modelList: string): Promise<{ req: RecordedRequest; entry: Entry; report: any }> {
  const ex = await exporterForTest(`model_list:\n${modelList}`);
  const res = await fetch(`${ex.url}/health`);
  expect(res.status).toBe(200);
  const report: any = await res.json();
  expect(up.requests).toHaveLength(1);
  const entries: Entry[] = [...report.healthy_endpoints, ...report.unhealthy_endpoints];
  expect(entries).toHaveLength(1);
  return { req: up.requests[0]!, entry: entries[0]!, report };
}

describe('OpenAI chat probe on the wire', () => {
  it('POSTs to {api_base}/chat/completions with a bearer key, the model and one user message with max_tokens 16', async () => {
    const { req, entry } = await probe(`
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${up.openaiBase}, api_key: sk-wire-0001 }
`);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.query).toEqual({});
    expect(req.headers.authorization).toBe('Bearer sk-wire-0001');
    expect(req.headers['api-key']).toBeUndefined();
    expect(req.headers['openai-organization']).toBeUndefined();
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: expect.any(String) }], max_tokens: 16 });
    expect(req.body.messages[0].content.length).toBeGreaterThan(0);
    expect(entry).toMatchObject({ model: 'openai/gpt-4o-mini', custom_llm_provider: 'openai', mode: 'chat' });
  });

  it('treats a bare model name with an api_base as OpenAI: same path, the bare name as model', async () => {
    const { req, entry } = await probe(`
  - model_name: bare
    litellm_params: { model: gpt-4o-mini, api_base: ${up.openaiBase}, api_key: sk-wire-0002 }
`);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-wire-0002');
    expect(req.body.model).toBe('gpt-4o-mini');
    expect(req.body.max_tokens).toBe(16);
    expect(entry).toMatchObject({ model: 'gpt-4o-mini', custom_llm_provider: 'openai' });
  });

  it('does not double the slash when api_base ends with one', async () => {
    const { req } = await probe(`
  - model_name: slash
    litellm_params: { model: openai/gpt-4o-mini, api_base: "${up.openaiBase}/" }
`);
    expect(req.path).toBe('/v1/chat/completions');
  });

  it('sends openai-organization when organization is set, and every extra_headers entry', async () => {
    const { req } = await probe(`
  - model_name: org
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: ${up.openaiBase}
      api_key: sk-wire-0003
      organization: org-wire-42
      extra_headers: { X-Team: llm-ops, X-Trace-Tag: probe-7 }
`);
    expect(req.headers['openai-organization']).toBe('org-wire-42');
    expect(req.headers['x-team']).toBe('llm-ops');
    expect(req.headers['x-trace-tag']).toBe('probe-7');
    expect(req.headers.authorization).toBe('Bearer sk-wire-0003');
  });

  it('sends health_check_max_tokens instead of the default 16', async () => {
    const { req } = await probe(`
  - model_name: small
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${up.openaiBase} }
    model_info: { health_check_max_tokens: 3 }
`);
    expect(req.body.max_tokens).toBe(3);
  });

  it('probes health_check_model in place of the configured model', async () => {
    const { req, entry } = await probe(`
  - model_name: routed
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase} }
    model_info: { health_check_model: openai/gpt-4o-mini }
`);
    expect(req.body.model).toBe('gpt-4o-mini');
    expect(entry.model).toBe('openai/gpt-4o-mini');
  });

  it('merges health_check_params into the body next to the message', async () => {
    const { req } = await probe(`
  - model_name: params
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${up.openaiBase} }
    model_info:
      health_check_params: { temperature: 0, reasoning_effort: low }
`);
    expect(req.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: expect.any(String) }],
      max_tokens: 16,
      temperature: 0,
      reasoning_effort: 'low',
    });
  });

  it('shows the x-ratelimit-remaining-* answer headers in the /health entry, and no others', async () => {
    const { entry } = await probe(`
  - model_name: limits
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${up.openaiBase} }
`);
    expect(entry['x-ratelimit-remaining-requests']).toBe('4999');
    expect(entry['x-ratelimit-remaining-tokens']).toBe('159000');
    expect(entry['x-request-id']).toBeUndefined();
    expect(entry['x-ms-region']).toBeUndefined();
  });
});

describe('Azure OpenAI chat probe on the wire', () => {
  it('POSTs to /openai/deployments/{dep}/chat/completions?api-version=… with api-key and no Authorization', async () => {
    const { req, entry } = await probe(`
  - model_name: az
    litellm_params: { model: azure/my-gpt-4o, api_base: ${up.url}, api_key: az-wire-key-1, api_version: "2024-06-01" }
`);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/openai/deployments/my-gpt-4o/chat/completions');
    expect(req.query).toEqual({ 'api-version': '2024-06-01' });
    expect(req.headers['api-key']).toBe('az-wire-key-1');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers['content-type']).toBe('application/json');
    // The deployment in the path picks the model; the body names it too, as the openai SDK's AzureOpenAI sends it.
    expect(req.body).toEqual({ model: 'my-gpt-4o', messages: [{ role: 'user', content: expect.any(String) }], max_tokens: 16 });
    expect(entry).toMatchObject({ model: 'azure/my-gpt-4o', custom_llm_provider: 'azure', api_version: '2024-06-01' });
  });

  it('uses the default api-version when api_version is absent', async () => {
    const { req, report } = await probe(`
  - model_name: az
    litellm_params: { model: azure/dep-default, api_base: ${up.url}, api_key: az-wire-key-2 }
`);
    expect(req.path).toBe('/openai/deployments/dep-default/chat/completions');
    expect(req.query).toEqual({ 'api-version': AZURE_DEFAULT_API_VERSION });
    // The fake answers 404 without an api-version, so healthy proves the default went out.
    expect(report.healthy_count).toBe(1);
  });

  it('sends extra_headers, health_check_max_tokens and health_check_params to Azure too', async () => {
    const { req } = await probe(`
  - model_name: az
    litellm_params:
      model: azure/dep-params
      api_base: ${up.url}
      api_key: az-wire-key-3
      api_version: "2024-10-21"
      extra_headers: { X-Team: llm-ops }
    model_info:
      health_check_max_tokens: 5
      health_check_params: { temperature: 0, reasoning_effort: low }
`);
    expect(req.headers['x-team']).toBe('llm-ops');
    expect(req.headers['api-key']).toBe('az-wire-key-3');
    expect(req.body).toEqual({
      model: 'dep-params',
      messages: [{ role: 'user', content: expect.any(String) }],
      max_tokens: 5,
      temperature: 0,
      reasoning_effort: 'low',
    });
  });

  it('puts the health_check_model deployment in the path', async () => {
    const { req, entry } = await probe(`
  - model_name: az
    litellm_params: { model: azure/big-dep, api_base: ${up.url}, api_key: az-wire-key-4, api_version: "2024-06-01" }
    model_info: { health_check_model: azure/small-dep }
`);
    expect(req.path).toBe('/openai/deployments/small-dep/chat/completions');
    expect(entry.model).toBe('azure/small-dep');
  });

  it('a reasoning deployment under a name of its own (base_model: azure/o3-mini) gets max_completion_tokens', async () => {
    const { req, entry } = await probe(`
  - model_name: az
    litellm_params: { model: azure/my-o3-mini, api_base: ${up.url}, api_key: az-wire-key-6, api_version: "2024-12-01-preview" }
    model_info: { base_model: azure/o3-mini }
`);
    expect(req.path).toBe('/openai/deployments/my-o3-mini/chat/completions');
    expect(req.body).toEqual({ model: 'my-o3-mini', messages: [{ role: 'user', content: expect.any(String) }], max_completion_tokens: expect.any(Number) });
    expect(entry.error).toBeUndefined();
  });

  it('without base_model the same name is not known to reason: max_tokens (the name and the table say nothing)', async () => {
    const { req } = await probe(`
  - model_name: az
    litellm_params: { model: azure/my-o3-mini, api_base: ${up.url}, api_key: az-wire-key-7, api_version: "2024-12-01-preview" }
`);
    expect(req.body).toEqual({ model: 'my-o3-mini', messages: [{ role: 'user', content: expect.any(String) }], max_tokens: 16 });
  });

  it('litellm_params.base_model counts too, and base_model wins over what the table says of the name', async () => {
    // azure/gpt-4o is in the table without reasoning; the deployment says it serves an o1.
    const { req } = await probe(`
  - model_name: az
    litellm_params: { model: azure/gpt-4o, api_base: ${up.url}, api_key: az-wire-key-8, base_model: azure/o1 }
`);
    expect(req.body.max_completion_tokens).toEqual(expect.any(Number));
    expect(req.body.max_tokens).toBeUndefined();
  });

  it('Responses: POST /openai/responses?api-version=… with the deployment as body.model, as the AzureOpenAI client sends it', async () => {
    const { req, entry } = await probe(`
  - model_name: az
    litellm_params: { model: azure/resp-dep, api_base: ${up.url}, api_key: az-wire-key-9 }
    model_info: { mode: responses }
`);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/openai/responses');
    // Azure serves Responses from 2025-03-01-preview on: the GA default would be a false red.
    expect(req.query).toEqual({ 'api-version': AZURE_RESPONSES_DEFAULT_API_VERSION });
    expect(req.headers['api-key']).toBe('az-wire-key-9');
    expect(req.body).toMatchObject({ model: 'resp-dep', input: expect.any(String) });
    expect(entry.error).toBeUndefined();
  });

  it('Responses use the deployment\'s own api_version when it sets one', async () => {
    const { req } = await probe(`
  - model_name: az
    litellm_params: { model: azure/resp-dep, api_base: ${up.url}, api_key: az-wire-key-10, api_version: "2025-03-01-preview" }
    model_info: { mode: responses }
`);
    expect(req.path).toBe('/openai/responses');
    expect(req.query).toEqual({ 'api-version': '2025-03-01-preview' });
  });

  it('shows x-ms-region and the x-ratelimit-remaining-* answer headers in the /health entry', async () => {
    const { entry, report } = await probe(`
  - model_name: az
    litellm_params: { model: azure/region-dep, api_base: ${up.url}, api_key: az-wire-key-5, api_version: "2024-06-01" }
`);
    expect(report.healthy_count).toBe(1);
    expect(entry).toMatchObject({
      'x-ms-region': 'East US',
      'x-ratelimit-remaining-requests': '99',
      'x-ratelimit-remaining-tokens': '9000',
    });
  });
});

describe('api_base shapes and Azure auth variants', () => {
  it('keeps the query of an api_base (gateways that need one) when adding the path', async () => {
    const { req } = await probe(`  - model_name: gw
    litellm_params: { model: openai/gpt-4o, api_base: "${up.openaiBase}?tenant=blue" }
`);
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.query).toEqual({ tenant: 'blue' });
  });

  it('accepts an Azure api_base that already ends in /openai', async () => {
    const { req } = await probe(`  - model_name: az
    litellm_params: { model: azure/dep, api_base: "${up.url}/openai", api_key: k }
`);
    expect(req.path).toBe('/openai/deployments/dep/chat/completions');
  });

  it('sends an Azure Entra ID token (azure_ad_token) as a bearer', async () => {
    const { req } = await probe(`  - model_name: az
    litellm_params: { model: azure/dep, api_base: "${up.url}", azure_ad_token: ad-token-1 }
`);
    expect(req.headers.authorization).toBe('Bearer ad-token-1');
    expect(req.headers['api-key']).toBeUndefined();
  });
});

