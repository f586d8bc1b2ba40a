import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { startExporter, type TestExporter } from './support/exporter.js';

const KEY = 'sk-upstream-key-0001';

function config(up: FakeUpstream, general = '') {
  return `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase}, api_key: ${KEY} }
    model_info: { id: openai-east }
  - model_name: gpt-4o
    litellm_params: { model: azure/gpt-4o-eu, api_base: ${up.url}, api_key: ${KEY}, api_version: "2024-10-21" }
    model_info: { id: azure-eu }
  - model_name: broken
    litellm_params: { model: openai/server_error, api_base: ${up.openaiBase}, api_key: ${KEY} }
    model_info: { id: broken-1 }
general_settings:
${general}
`;
}

describe('GET /health (on demand)', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream({ apiKey: KEY });
    ex = await startExporter(config(up, '  health_check_details: true\n  health_check_min_interval: 0'));
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  it("answers LiteLLM's shape, plus the pending list, with counts matching the lists", async () => {
    const res = await fetch(`${ex.url}/health`);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(Object.keys(body).sort()).toEqual(['healthy_count', 'healthy_endpoints', 'pending_count', 'pending_endpoints', 'unhealthy_count', 'unhealthy_endpoints']);
    expect(body.healthy_count).toBe(2);
    expect(body.unhealthy_count).toBe(1);
    expect(body.pending_count).toBe(0);
    expect(body.healthy_endpoints.map((e: { model_id: string }) => e.model_id).sort()).toEqual(['azure-eu', 'openai-east']);
  });

  it('builds healthy entries with model, ids, mode, api_base and provider headers', async () => {
    const body: any = await (await fetch(`${ex.url}/health`)).json();
    const azure = body.healthy_endpoints.find((e: { model_id: string }) => e.model_id === 'azure-eu');
    expect(azure).toMatchObject({
      model: 'azure/gpt-4o-eu', model_name: 'gpt-4o', mode: 'chat', api_base: `${up.url}/`, api_version: '2024-10-21',
      'x-ms-region': 'East US', 'x-ratelimit-remaining-requests': '99', 'x-ratelimit-remaining-tokens': '9000',
    });
    expect(typeof azure.latency_ms).toBe('number');
    expect(Number.isNaN(Date.parse(azure.last_checked))).toBe(false);
    expect(azure.error).toBeUndefined();
  });

  it('gives unhealthy entries the error text, error type and exception_status', async () => {
    const body: any = await (await fetch(`${ex.url}/health`)).json();
    expect(body.unhealthy_endpoints[0]).toMatchObject({
      model: 'openai/server_error', model_id: 'broken-1', model_name: 'broken',
      error_type: 'server_error', exception_status: 500,
    });
    expect(body.unhealthy_endpoints[0].error).toContain('The server had an error');
  });

  it('probes on every untargeted call when background checks are off', async () => {
    up.reset();
    await fetch(`${ex.url}/health`);
    await fetch(`${ex.url}/health`);
    expect(up.count('gpt-4o')).toBe(2);
  });

  it('narrows to a model_name with ?model= and probes only those deployments', async () => {
    up.reset();
    const res = await fetch(`${ex.url}/health?model=gpt-4o`);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.healthy_count).toBe(2);
    expect(body.unhealthy_count).toBe(0);
    expect(up.count('server_error')).toBe(0);
  });

  it('narrows to a litellm model string with ?model=', async () => {
    const body: any = await (await fetch(`${ex.url}/health?model=azure/gpt-4o-eu`)).json();
    expect(body.healthy_endpoints.map((e: { model_id: string }) => e.model_id)).toEqual(['azure-eu']);
  });

  it('narrows to one deployment with ?model_id=', async () => {
    up.reset();
    const body: any = await (await fetch(`${ex.url}/health?model_id=openai-east`)).json();
    expect(body.healthy_count).toBe(1);
    expect(up.requests).toHaveLength(1);
  });

  it('answers 503 with the same body when a targeted call finds nothing healthy', async () => {
    const res = await fetch(`${ex.url}/health?model_id=broken-1`);
    expect(res.status).toBe(503);
    const body: any = await res.json();
    expect(body).toMatchObject({ healthy_count: 0, unhealthy_count: 1, healthy_endpoints: [] });
  });

  it('answers 200 untargeted even when something is unhealthy', async () => {
    expect((await fetch(`${ex.url}/health`)).status).toBe(200);
  });

  it('answers 404 JSON for an unknown model_id or model', async () => {
    const a = await fetch(`${ex.url}/health?model_id=nope`);
    expect(a.status).toBe(404);
    expect((await a.json() as any).error.param).toBe('model_id');
    const b = await fetch(`${ex.url}/health?model=nope`);
    expect(b.status).toBe(404);
    expect((await b.json() as any).error.message).toContain('nope');
  });

  it('answers 400 naming the parameter for an invalid query', async () => {
    const res = await fetch(`${ex.url}/health?model_id=${'x'.repeat(600)}`);
    expect(res.status).toBe(400);
    const body: any = await res.json();
    expect(body.error.param).toBe('model_id');
  });

  it('answers unknown routes with 404 JSON', async () => {
    const res = await fetch(`${ex.url}/nope`);
    expect(res.status).toBe(404);
    expect((await res.json() as any).error.type).toBe('not_found');
  });
});

describe('concurrent /health calls', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream({ slowMs: 300 });
    ex = await startExporter(`
model_list:
  - model_name: slow-a
    litellm_params: { model: openai/slow, api_base: ${up.openaiBase} }
  - model_name: slow-b
    litellm_params: { model: openai/slow, api_base: ${up.openaiBase}, organization: org-b }
general_settings: { health_check_min_interval: 0 }
`);
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  it('share the round in flight: one upstream call per deployment', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(`${ex.url}/health`).then((r) => r.json() as Promise<any>)));
    for (const a of answers) expect(a.healthy_count).toBe(2);
    expect(up.count('slow')).toBe(2);
  });

  it('share a targeted probe in flight with an untargeted round', async () => {
    up.reset();
    const [all, one]: any[] = await Promise.all([
      fetch(`${ex.url}/health`).then((r) => r.json() as Promise<any>),
      fetch(`${ex.url}/health?model=slow-a`).then((r) => r.json() as Promise<any>),
    ]);
    expect(all.healthy_count).toBe(2);
    expect(one.healthy_count).toBe(1);
    expect(up.count('slow')).toBe(2);
  });
});

describe('health_check_min_interval (on-demand probes of one deployment are at least this far apart)', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream({ apiKey: KEY });
    ex = await startExporter(config(up, '  health_check_min_interval: 10'));
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  it('serves the stored result, marked cached, to a caller inside the window', async () => {
    const first: any = await (await fetch(`${ex.url}/health?model_id=openai-east`)).json();
    expect(first.healthy_endpoints[0].cached).toBeUndefined();
    const again: any = await (await fetch(`${ex.url}/health?model_id=openai-east`)).json();
    const untargeted: any = await (await fetch(`${ex.url}/health`)).json();
    expect(again.healthy_endpoints[0]).toMatchObject({ model_id: 'openai-east', cached: true, last_checked: first.healthy_endpoints[0].last_checked });
    expect(untargeted.healthy_endpoints.find((e: any) => e.model_id === 'openai-east').cached).toBe(true);
    expect(up.count('gpt-4o')).toBe(1);
    expect(up.count('gpt-4o-eu')).toBe(1); // probed once, by the untargeted call
  });
});

describe('health_check_details: false', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream({ apiKey: KEY });
    ex = await startExporter(config(up, '  health_check_details: False'));
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  it('keeps only model, model_id, model_name and exception_status in entries', async () => {
    const body: any = await (await fetch(`${ex.url}/health`)).json();
    for (const e of body.healthy_endpoints) expect(Object.keys(e).sort()).toEqual(['model', 'model_id', 'model_name']);
    expect(Object.keys(body.unhealthy_endpoints[0]).sort()).toEqual(['exception_status', 'model', 'model_id', 'model_name']);
    expect(body.unhealthy_endpoints[0].exception_status).toBe(500);
    const text = JSON.stringify(body);
    expect(text).not.toContain(up.url.replace('http://', ''));
    expect(text).not.toContain('The server had an error');
  });
});

describe('master_key', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream({ apiKey: KEY });
    ex = await startExporter(config(up, '  master_key: sk-master-1234'));
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  it('requires the bearer key on /health and /model/info and probes nothing without it', async () => {
    up.reset();
    for (const path of ['/health', '/model/info', '/v1/model/info']) {
      const missing = await fetch(`${ex.url}${path}`);
      expect(missing.status).toBe(401);
      const wrong = await fetch(`${ex.url}${path}`, { headers: { authorization: 'Bearer sk-wrong' } });
      expect(wrong.status).toBe(401);
      const a: any = await missing.json();
      const b: any = await wrong.json();
      expect(a).toEqual(b); // missing and wrong keys are indistinguishable
      expect(a.error.type).toBe('auth_error');
    }
    expect(up.requests).toHaveLength(0);
  });

  it('accepts the key as a bearer token or as x-litellm-api-key', async () => {
    expect((await fetch(`${ex.url}/health`, { headers: { authorization: 'Bearer sk-master-1234' } })).status).toBe(200);
    expect((await fetch(`${ex.url}/health`, { headers: { 'x-litellm-api-key': 'sk-master-1234' } })).status).toBe(200);
  });

  it('leaves readiness and liveliness open', async () => {
    expect((await fetch(`${ex.url}/health/readiness`)).status).toBe(200);
    expect((await fetch(`${ex.url}/health/liveliness`)).status).toBe(200);
  });
});
