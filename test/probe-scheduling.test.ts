import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { BUILTIN_PLUGINS_DIR, loadPlugins } from '../src/plugins/loader.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { MemoryStore } from '../src/store/memory.js';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

/**
 * Every probe is a paid call: one per deployment at a time (callers share it), and never more
 * than health_check_concurrency in flight at once.
 */
const SLOW_MS = 150;

/**
 * A pass-through proxy in front of the fake upstream that counts requests open at the same
 * time (from arrival until the answer is fully written).
 */
interface CountingProxy { base: string; open: number; maxOpen: number; total: number; close(): Promise<void> }

async function startCountingProxy(target: string): Promise<CountingProxy> {
  const stats = { open: 0, maxOpen: 0, total: 0 };
  const server: Server = createServer((req, res) => {
    stats.open++;
    stats.total++;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    let counted = true;
    const done = () => { if (counted) { counted = false; stats.open--; } };
    res.on('finish', done);
    res.on('close', done);
    const fwd = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}/v1`,
    get open() { return stats.open; },
    get maxOpen() { return stats.maxOpen; },
    get total() { return stats.total; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

let up: FakeUpstream;
let ex: TestExporter | undefined;
beforeAll(async () => { up = await startFakeUpstream({ slowMs: SLOW_MS }); });
afterAll(async () => { await up.close(); });
afterEach(async () => {
  await ex?.close();
  ex = undefined;
  up.reset();
});

/** `n` slow deployments on the fake, each tagged with an x-dep header so requests can be told apart. */
function slowDeployments(n: number, base = up.openaiBase): string {
  return Array.from({ length: n }, (_, i) => `  - model_name: slow-${i}
    litellm_params: { model: openai/slow, api_base: ${base}, extra_headers: { X-Dep: d${i} } }
    model_info: { id: d${i}, health_check_timeout: 0.5 }
`).join('');
}

const perDeployment = () => {
  const counts: Record<string, number> = {};
  for (const r of up.requests) {
    const tag = String(r.headers['x-dep']);
    counts[tag] = (counts[tag] ?? 0) + 1;
  }
  return counts;
};

describe('single flight: one probe per deployment at a time', () => {
  it('concurrent scheduler.probe(d) calls for one deployment share one upstream request', async () => {
    const config = parseConfig(`model_list:\n${slowDeployments(1)}`, 'c.yaml', {});
    const { byMode } = await loadPlugins([BUILTIN_PLUGINS_DIR]);
    const store = new MemoryStore();
    const scheduler = new Scheduler({ store, plugins: byMode, concurrency: 4 });
    try {
      const d = config.deployments[0]!;
      const calls = Array.from({ length: 8 }, () => scheduler.probe(d));
      expect(scheduler.inFlight).toBe(1);
      const results = await Promise.all(calls);
      expect(up.count('slow')).toBe(1);
      expect(new Set(results).size).toBe(1);
      expect(results[0]!.healthy).toBe(true);
      expect(store.get(d.id)).toBe(results[0]);
      expect(scheduler.inFlight).toBe(0);

      // Once it has settled, the next call is a new probe.
      await scheduler.probe(d);
      expect(up.count('slow')).toBe(2);
    } finally {
      await scheduler.stop();
    }
  });

  it('two concurrent untargeted /health calls (background off) send exactly one request per deployment', async () => {
    ex = await startExporter(`model_list:\n${slowDeployments(3)}`);
    expect(ex.exporter.backgroundOn).toBe(false);
    const [a, b] = await Promise.all([fetch(`${ex.url}/health`), fetch(`${ex.url}/health`)]);
    const [ra, rb]: any[] = await Promise.all([a.json(), b.json()]);
    expect(perDeployment()).toEqual({ d0: 1, d1: 1, d2: 1 });
    expect(ra.healthy_count).toBe(3);
    expect(rb).toEqual(ra);
  });

  it('a targeted /health?model_id= during a round joins that deployment’s probe instead of sending another', async () => {
    ex = await startExporter(`model_list:\n${slowDeployments(2)}`);
    const [all, one] = await Promise.all([fetch(`${ex.url}/health`), fetch(`${ex.url}/health?model_id=d1`)]);
    expect(all.status).toBe(200);
    expect(one.status).toBe(200);
    expect(perDeployment()).toEqual({ d0: 1, d1: 1 });
  });
});

describe('the concurrency cap', () => {
  let proxy: CountingProxy;
  beforeAll(async () => { proxy = await startCountingProxy(up.url); });
  afterAll(async () => { await proxy.close(); });

  it('with health_check_concurrency 2 and 6 slow deployments, never more than 2 requests are open at the upstream', async () => {
    ex = await startExporter(`general_settings: { health_check_concurrency: 2 }
model_list:
${slowDeployments(6, proxy.base)}`);
    const t0 = Date.now();
    const res = await fetch(`${ex.url}/health`);
    const elapsedMs = Date.now() - t0;
    const report: any = await res.json();

    expect(report.healthy_count).toBe(6);
    expect(proxy.total).toBe(6);
    expect(proxy.maxOpen).toBe(2); // the cap is used, and never exceeded
    expect(proxy.open).toBe(0);
    expect(perDeployment()).toEqual({ d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1 });
    // 6 requests of SLOW_MS, 2 at a time: at least three waves.
    expect(elapsedMs).toBeGreaterThanOrEqual(3 * SLOW_MS - 30);
  });
});

describe('shutdown', () => {
  it('exporter.close() aborts a hung probe promptly; the waiting /health answers it as aborted', async () => {
    ex = await startExporter(`model_list:
  - model_name: hung
    litellm_params: { model: openai/hang, api_base: ${up.openaiBase} }
    model_info: { id: hung, health_check_timeout: 0.5 }
`);
    const pending = fetch(`${ex.url}/health`).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    // Wait until the probe's request is at the upstream (and hanging there).
    const deadline = Date.now() + 2000;
    while (up.count('hang') === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(up.count('hang')).toBe(1);
    expect(ex.exporter.scheduler.inFlight).toBe(1);

    const t0 = Date.now();
    await ex.exporter.close();
    const closeMs = Date.now() - t0;
    const { status, body } = await pending;

    expect(ex.exporter.scheduler.inFlight).toBe(0);
    expect(status).toBe(200);
    // Ended by the shutdown, not by its 0.5 s timeout.
    expect(body.unhealthy_endpoints[0]).toMatchObject({ model_id: 'hung', error: 'probe aborted (shutting down)' });
    expect(closeMs).toBeLessThan(400);
    expect(ex.exporter.store.get('hung')!.latencyMs).toBeLessThan(500);
  });
});
