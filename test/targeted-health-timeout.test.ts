import { describe, expect, it } from 'vitest';
import { closeWhenTestEnds, exporterForTest } from './support/exporter.js';
import { startFakeServer, type FakeServer } from './support/fake-server.js';
import { waitFor } from './support/tools.js';

/**
 * ?timeout=SECONDS (and general_settings.health_check_targeted_timeout) bound how long a /health
 * call that probes waits. Past it the answer says the probe still runs and is 503 for that
 * deployment; the probe goes on, alone (single flight), and its result is stored when it ends.
 * The fake upstream holds every answer until the test releases it: the probe "hangs" exactly as
 * long as the test wants, whatever the machine's speed.
 */
function gatedUpstream() {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const arrived: Array<() => void> = [];
  return {
    release,
    /** Resolves when the next request has arrived at the fake. */
    nextRequest: () => new Promise<void>((r) => arrived.push(r)),
    handler: async () => {
      arrived.shift()?.();
      await gate;
      return { status: 200, json: { id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }] } };
    },
  };
}

const config = (up: FakeServer, general = '') => `
model_list:
  - model_name: slowpoke
    litellm_params: { model: openai/gpt-4o, api_base: "${up.url}/v1" }
    model_info: { id: slowpoke, health_check_timeout: 120 }
general_settings:
  health_check_min_interval: 600
${general}`;

describe('a targeted /health whose probe hangs', () => {

  it('answers 503 "still running" after ?timeout, never starts a second probe, and stores the result when it ends', async () => {
    const g = gatedUpstream();
    const up = closeWhenTestEnds(await startFakeServer(g.handler));
    const ex = await exporterForTest(config(up));
    const arrived = g.nextRequest();
    const t0 = Date.now();
    const res = await fetch(`${ex.url}/health?model_id=slowpoke&timeout=0.2`);
    // Far below the probe's own 120 s timeout, with room for a busy machine.
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(res.status).toBe(503);
    const body: any = await res.json();
    expect(body.healthy_count).toBe(0);
    expect(body.unhealthy_endpoints).toHaveLength(1);
    const e = body.unhealthy_endpoints[0];
    expect(e).toMatchObject({ model_id: 'slowpoke', error_type: 'timeout', exception_status: 503, details: { probe_running: true } });
    expect(e.error).toContain('probe still running');
    await arrived;

    // Asked again while it still runs: the same answer, and still one request upstream.
    const again = await fetch(`${ex.url}/health?model=slowpoke&timeout=0.2`);
    expect(again.status).toBe(503);
    expect(up.requests).toHaveLength(1);

    // /health/probe joins it too (it waits for it: no timeout there), untraced, saying so.
    const scheduler = ex.app.scheduler;
    const ask = scheduler.probeAtMostEvery.bind(scheduler);
    let asked!: () => void;
    const joining = new Promise<void>((r) => { asked = r; });
    scheduler.probeAtMostEvery = (...args) => { const p = ask(...args); asked(); return p; };
    const joined = fetch(`${ex.url}/health/probe?model_id=slowpoke&debug=true`).then((r) => r.json() as Promise<any>);
    await joining;
    g.release();
    const j = await joined;
    expect(j).toMatchObject({ probed: true, status: 'healthy' });
    expect(j.note).toContain('already running');
    expect(j.trace).toBeUndefined();

    // The result was stored when the probe ended: the next call answers from it (min interval).
    expect(ex.app.store.get('slowpoke')?.healthy).toBe(true);
    const after = await fetch(`${ex.url}/health?model_id=slowpoke&timeout=0.2`);
    expect(after.status).toBe(200);
    const a: any = await after.json();
    expect(a.healthy_endpoints[0]).toMatchObject({ model_id: 'slowpoke', cached: true });
    expect(up.requests).toHaveLength(1);
  });

  it('health_check_targeted_timeout is the default wait; ?timeout is checked', async () => {
    const g = gatedUpstream();
    const up = closeWhenTestEnds(await startFakeServer(g.handler));
    const ex = await exporterForTest(config(up, '  health_check_targeted_timeout: 0.2'));
    const res = await fetch(`${ex.url}/health?model_id=slowpoke`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).unhealthy_endpoints[0].details).toEqual({ probe_running: true });
    for (const bad of ['0', '-1', 'soon', '3601']) {
      const r = await fetch(`${ex.url}/health?model_id=slowpoke&timeout=${bad}`);
      expect({ bad, status: r.status }).toEqual({ bad, status: 400 });
    }
    g.release();
    await waitFor(() => ex.app.store.get('slowpoke'), 10_000, 'the stored result');
    expect(ex.app.store.get('slowpoke')!.healthy).toBe(true);
  });
});
