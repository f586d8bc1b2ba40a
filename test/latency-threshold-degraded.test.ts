import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { byName, parsePromText } from './support/prom-text.js';

/**
 * health_check_latency_threshold: a successful probe slower than it is `degraded`: still a
 * healthy entry (LiteLLM clients keep routing to it), with "degraded": true, and
 * llm_deployment_degraded 1. The slow fake answers after 600 ms against a 0.3 s threshold (always
 * slower, however busy the machine); the fast one has 20 s of room.
 */
describe.each([true, false])('a slow but successful deployment (health_check_details: %s)', (details) => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream({ slowMs: 600 });
    ex = await startExporter(`
model_list:
  - model_name: chat
    litellm_params: { model: openai/slow, api_base: "${up.openaiBase}" }
    model_info: { id: slow }
  - model_name: chat
    litellm_params: { model: openai/ok, api_base: "${up.openaiBase}" }
    model_info: { id: fast, health_check_latency_threshold: 20 }
  - model_name: down
    litellm_params: { model: openai/server_error, api_base: "${up.openaiBase}" }
    model_info: { id: down }
general_settings:
  health_check_latency_threshold: 0.3
  health_check_details: ${details}
`);
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  it('is a healthy entry marked "degraded": true; a fast one and a failing one are not degraded', async () => {
    const res = await fetch(`${ex.url}/health?model=chat`);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    const byId = Object.fromEntries(body.healthy_endpoints.map((e: any) => [e.model_id, e]));
    expect(Object.keys(byId).sort()).toEqual(['fast', 'slow']);
    expect(byId.slow.degraded).toBe(true);
    expect(byId.fast.degraded).toBeUndefined();
    if (details) expect(byId.slow.latency_ms).toBeGreaterThanOrEqual(600);
    const all: any = await (await fetch(`${ex.url}/health`)).json();
    expect(all.unhealthy_endpoints.map((e: any) => [e.model_id, e.degraded])).toEqual([['down', undefined]]);
    expect(all.healthy_count).toBe(2);
  });

  it('exports llm_deployment_degraded (1 slow, 0 fast and failing) beside a healthy verdict', async () => {
    const samples = parsePromText(await (await fetch(`${ex.url}/metrics`)).text());
    const value = (name: string) => Object.fromEntries(byName(samples, name).map((s) => [s.labels.model_id, s.value]));
    expect(value('llm_deployment_degraded')).toEqual({ slow: 1, fast: 0, down: 0 });
    expect(value('llm_deployment_healthy')).toEqual({ slow: 1, fast: 1, down: 0 });
  });
});
