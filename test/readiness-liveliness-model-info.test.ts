import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { BUILTIN_MODES } from './support/builtin-modes.js';
import { exporterForTest, startExporter, type TestExporter } from './support/exporter.js';

let up: FakeUpstream;
beforeAll(async () => { up = await startFakeUpstream({ slowMs: 400 }); });
afterAll(async () => { await up.close(); });

describe('readiness and liveliness', () => {
  let ex: TestExporter;

  it('readiness reports status, db, cache, version, plugins and last_updated after a round', async () => {
    ex = await exporterForTest(`
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase} }
`);
    const before: any = await (await fetch(`${ex.url}/health/readiness`)).json();
    expect(before).toMatchObject({ status: 'healthy', db: 'Not connected', cache: null, success_callbacks: ['prometheus'], plugins: BUILTIN_MODES });
    expect(before.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(before.last_updated).toBeUndefined();
    await fetch(`${ex.url}/health`);
    const after: any = await (await fetch(`${ex.url}/health/readiness`)).json();
    expect(Number.isNaN(Date.parse(after.last_updated))).toBe(false);
  });

  it('liveliness and liveness answer "I\'m alive!"', async () => {
    ex = await exporterForTest('model_list: []');
    for (const path of ['/health/liveliness', '/health/liveness']) {
      const res = await fetch(`${ex.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json() as any).toBe("I'm alive!");
    }
  });

  it('with background checks, readiness is 503 until the first round ends, then /health serves cached results without calls', async () => {
    up.reset();
    ex = await exporterForTest(`
model_list:
  - model_name: slow
    litellm_params: { model: openai/slow, api_base: ${up.openaiBase} }
general_settings:
  background_health_checks: true
  health_check_interval: 300
`);
    const early = await fetch(`${ex.url}/health/readiness`);
    expect(early.status).toBe(503);
    expect((await early.json() as any).status).toBe('starting');
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200);
    const body: any = await (await fetch(`${ex.url}/health`)).json();
    expect(body.healthy_count).toBe(1);
    await fetch(`${ex.url}/health`);
    await fetch(`${ex.url}/health`);
    expect(up.count('slow')).toBe(1);
  });

  it('answers 503 shutting_down on liveliness and readiness while closing, and aborts probes in flight', async () => {
    ex = await exporterForTest(`
model_list:
  - model_name: hang
    litellm_params: { model: openai/hang, api_base: ${up.openaiBase} }
`);
    const pending = fetch(`${ex.url}/health`).then((r) => r.json() as Promise<any>);
    await waitFor(async () => up.count('hang') === 1);
    const closing = ex.app.close();
    expect(ex.app.shuttingDown).toBe(true);
    expect(ex.app.views.readiness()).toMatchObject({ ready: false, body: { status: 'shutting_down' } });
    const live = await ex.app.server.inject({ url: '/health/liveliness' });
    expect(live.statusCode).toBe(503);
    expect(live.json()).toEqual({ status: 'shutting_down' });
    const body = await pending;
    expect(body.unhealthy_endpoints[0].error).toContain('shutting down');
    await closing;
  });
});

describe('/model/info', () => {
  let ex: TestExporter;
  afterAll(async () => { await ex.close(); });

  it('lists deployments with model_info.id and no credentials', async () => {
    ex = await startExporter(`
model_list:
  - model_name: gpt
    litellm_params:
      model: azure/gpt-4o
      api_base: https://user:pw-secret-1@example-resource.openai.azure.com/?key=k-secret-2
      api_key: sk-secret-3
      api_version: "2024-10-21"
      extra_headers: { Authorization: Bearer secret-4 }
      rpm: 100
    model_info: { id: my-id, mode: chat, base_model: gpt-4o, health_check_params: { foo: bar } }
`);
    const res = await fetch(`${ex.url}/v1/model/info`);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.data).toEqual([{
      model_name: 'gpt',
      litellm_params: { model: 'azure/gpt-4o', api_version: '2024-10-21', rpm: 100, api_base: 'https://example-resource.openai.azure.com/' },
      model_info: { id: 'my-id', mode: 'chat', base_model: 'gpt-4o' },
    }]);
    expect(JSON.stringify(body)).not.toMatch(/secret/);
  });
});

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met in time');
}
