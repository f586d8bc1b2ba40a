import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { startExporter, type TestExporter } from './support/exporter.js';

const KEY = 'sk-upstream-key-0001';

function config(up: FakeUpstream, general: string) {
  return `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase}, api_key: ${KEY} }
    model_info: { id: east }
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${up.openaiBase}, api_key: ${KEY} }
    model_info: { id: west }
general_settings:
  background_health_checks: true
  health_check_interval: 3600
${general}
`;
}

async function ready(url: string) {
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${url}/health/readiness`)).status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('not ready');
}

const health = async (url: string) => {
  const res = await fetch(`${url}/health`);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = Buffer.from(await res.arrayBuffer());
  // Sent in pieces, announced as one body of this length (no chunked encoding).
  expect(res.headers.get('content-length')).toBe(String(body.length));
  expect(res.headers.get('transfer-encoding')).toBeNull();
  return body.toString();
};

// /health in background mode serves cached bytes; these prove the bytes never outlive the truth.
describe('GET /health in background mode answers from a cache that follows the store', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream({ apiKey: KEY });
    ex = await startExporter(config(up, '  health_check_details: true\n  health_check_staleness_threshold: 2'));
    await ready(ex.url);
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  it('repeats the same answer while nothing changed, and shows a new result at once', async () => {
    const first = await health(ex.url);
    expect(await health(ex.url)).toBe(first);
    expect(JSON.parse(first)).toMatchObject({ healthy_count: 2, unhealthy_count: 0 });

    const now = Date.now();
    ex.app.store.set({ deploymentId: 'west', healthy: false, startedAt: now - 3, checkedAt: now, latencyMs: 3, headers: {}, errorType: 'server_error', error: 'upstream said 503', status: 503 });
    const after = JSON.parse(await health(ex.url));
    expect(after).toMatchObject({ healthy_count: 1, unhealthy_count: 1 });
    expect(after.unhealthy_endpoints[0]).toMatchObject({ model_id: 'west', error_type: 'server_error', error: 'upstream said 503', exception_status: 503 });
  });

  it('shows a result as stale as soon as it passes the threshold, with no new probe in between', async () => {
    // An injected clock: only Date is faked (the server, sockets and timers stay real), so the
    // ages below are exact. On the wall clock, a machine busy for 300 ms between writing the
    // results and the first look aged `east` past the threshold before it could be seen fresh.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const now = Date.now();
      ex.app.store.set({ deploymentId: 'east', healthy: true, startedAt: now - 1800, checkedAt: now - 1700, latencyMs: 100, headers: {} });
      ex.app.store.set({ deploymentId: 'west', healthy: true, startedAt: now - 5, checkedAt: now, latencyMs: 5, headers: {} });
      expect(JSON.parse(await health(ex.url))).toMatchObject({ healthy_count: 2, unhealthy_count: 0 });
      vi.setSystemTime(now + 300); // east is 2 s old: at the threshold, not past it
      expect(JSON.parse(await health(ex.url))).toMatchObject({ healthy_count: 2, unhealthy_count: 0 });
      vi.setSystemTime(now + 301); // 1 ms past it
      const body = JSON.parse(await health(ex.url));
      expect(body).toMatchObject({ healthy_count: 1, unhealthy_count: 1 });
      expect(body.unhealthy_endpoints[0]).toMatchObject({ model_id: 'east', error_type: 'stale' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('follows a reloaded config even when no result changed (health_check_details turned off)', async () => {
    expect(JSON.parse(await health(ex.url)).healthy_endpoints[0].api_base).toBeDefined();
    ex.app.applyConfig(parseConfig(config(up, '  health_check_details: false'), 'c.yaml', {}));
    const body = JSON.parse(await health(ex.url));
    for (const e of [...body.healthy_endpoints, ...body.unhealthy_endpoints]) {
      expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['model', 'model_id', 'model_name']));
      expect(e.api_base).toBeUndefined();
      expect(e.error).toBeUndefined();
    }
  });
});
