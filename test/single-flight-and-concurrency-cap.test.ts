import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { loadPlugins, BUILTIN_PLUGINS_DIR } from '../src/registry/plugins.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { START_BATCH } from '../src/scheduler/background.js';
import { MemoryStore } from '../src/store/memory.js';

/** An OpenAI-compatible server that answers after 150 ms and records how many requests overlap. */
let server: Server;
let base: string;
const stats = { open: 0, maxOpen: 0, total: 0 };
beforeAll(async () => {
  server = createServer((req, res) => {
    stats.open++; stats.total++;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    req.resume();
    setTimeout(() => {
      stats.open--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'pong' } }] }));
    }, 150);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function scheduler(n: number, concurrency: number) {
  const entries = Array.from({ length: n }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-${i}, api_base: ${base} }\n`).join('');
  const config = parseConfig(`model_list:\n${entries}`, 'c.yaml', {});
  const { byMode } = await loadPlugins([BUILTIN_PLUGINS_DIR]);
  const store = new MemoryStore();
  return { s: new Scheduler({ store, plugins: byMode, concurrency }), deployments: config.deployments, store };
}

describe('the scheduler', () => {
  it('never runs two probes of one deployment at once: concurrent callers share the one in flight', async () => {
    const { s, deployments } = await scheduler(1, 4);
    stats.total = 0;
    const results = await Promise.all(Array.from({ length: 10 }, () => s.probe(deployments[0]!)));
    expect(stats.total).toBe(1);
    expect(new Set(results).size).toBe(1); // the very same result object
    await s.probe(deployments[0]!);
    expect(stats.total).toBe(2); // once settled, the next call probes again
  });

  it('holds the concurrency cap across a round and on-demand probes together', async () => {
    const { s, deployments, store } = await scheduler(8, 3);
    stats.total = 0; stats.maxOpen = 0;
    await Promise.all([s.probeAll(deployments), s.probe(deployments[7]!), s.probe(deployments[6]!)]);
    expect(stats.maxOpen).toBe(3);
    expect(stats.total).toBe(8);
    expect([...store.values()].every((r) => r.healthy)).toBe(true);
  });

  it('concurrent rounds share each deployment\'s probe: one request per deployment', async () => {
    const { s, deployments } = await scheduler(4, 4);
    stats.total = 0;
    const [a, b] = await Promise.all([s.probeAll(deployments), s.probeAll(deployments)]);
    expect(a.map((x) => x.result)).toEqual(b.map((x) => x.result));
    expect(stats.total).toBe(4);
  });

  it('never probes one deployment more often than the minimum interval on demand', async () => {
    const { s, deployments } = await scheduler(1, 4);
    stats.total = 0;
    const first = await s.probeAtMostEvery(deployments[0]!, 60_000);
    const second = await s.probeAtMostEvery(deployments[0]!, 60_000);
    expect(first.cached).toBe(false);
    expect(second).toEqual({ result: first.result, cached: true });
    expect(stats.total).toBe(1);
    const third = await s.probeAtMostEvery(deployments[0]!, 0);
    expect(third.cached).toBe(false);
    expect(stats.total).toBe(2);
  });

  it('the first background round keeps due probes in its queue, never more pending than the cap', async () => {
    const { s, deployments, store } = await scheduler(24, 4);
    let maxPending = 0;
    const sampler = setInterval(() => { maxPending = Math.max(maxPending, s.inFlight); }, 5);
    await s.startBackground({ deployments, intervalS: () => 3600 });
    clearInterval(sampler);
    await s.stop();
    // All 24 are due at once; each waits in the due queue, not as a pending probe in the limiter.
    expect(deployments.every((d) => store.get(d.id)?.healthy)).toBe(true);
    expect(maxPending).toBeGreaterThan(0);
    expect(maxPending).toBeLessThanOrEqual(4);
  });

  it('starts a burst of due background probes a batch per event-loop turn, so requests are served in between', async () => {
    const { s, deployments, store } = await scheduler(100, 100);
    // Sampled once per event-loop turn (check phase): how many probes had started by then.
    const seen: number[] = [];
    let sampling = true;
    // Kept only when it changed: every turn while waiting for answers is many thousands of turns.
    const sample = () => { if (seen.at(-1) !== s.running) seen.push(s.running); if (sampling) setImmediate(sample); };
    setImmediate(sample);
    await s.startBackground({ deployments, intervalS: () => 3600 });
    sampling = false;
    await s.stop();
    expect(deployments.every((d) => store.get(d.id)?.healthy)).toBe(true);
    // Batches follow each other without waiting for answers (150 ms away): more than one batch
    // ran at once. (Not "all 100": on a loaded machine the first answers may land before the
    // last batch starts.)
    expect(seen.reduce((a, b) => Math.max(a, b), 0)).toBeGreaterThan(START_BATCH);
    const started = seen.slice(1).map((n, i) => n - seen[i]!);
    // But never more than one batch in one turn: batches start only in the check phase, once per
    // turn, so the poll phase, where requests are served, runs between any two.
    expect(started.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(START_BATCH);
  });

  it('an on-demand round keeps the deployments it has not started in its own queue, never more pending probes than the cap', async () => {
    const { s, deployments, store } = await scheduler(24, 4);
    let maxPending = 0;
    const sampler = setInterval(() => { maxPending = Math.max(maxPending, s.inFlight); }, 5);
    const round = s.probeAll(deployments);
    // Not started yet, but pending all the same: /health?timeout= shows it as still running.
    expect(s.probing(deployments[23]!.id)).toBe(true);
    expect(s.inFlight + s.queued).toBe(24);
    const results = await round;
    clearInterval(sampler);
    expect(results.map((r) => r.result.deploymentId)).toEqual(deployments.map((d) => d.id));
    expect(deployments.every((d) => store.get(d.id)?.healthy)).toBe(true);
    expect(maxPending).toBeGreaterThan(0);
    expect(maxPending).toBeLessThanOrEqual(4);
    expect(s.queued).toBe(0);
    expect(s.probing(deployments[23]!.id)).toBe(false);
  });

  it('stop() during a round over more deployments than the cap ends every one of them (unhealthy) before it resolves', async () => {
    const { s, deployments } = await scheduler(12, 2);
    const pending = s.probeAll(deployments);
    await new Promise((r) => setTimeout(r, 20));
    await s.stop();
    expect(s.inFlight + s.queued).toBe(0);
    const results = await pending;
    expect(results).toHaveLength(12);
    expect(results.filter((r) => !r.result.healthy).length).toBeGreaterThanOrEqual(10);
  });

  it('stop() aborts probes in flight and they end unhealthy, not hanging', async () => {
    const { s, deployments } = await scheduler(2, 2);
    const pending = s.probeAll(deployments);
    await new Promise((r) => setTimeout(r, 20));
    await s.stop();
    const results = await pending;
    expect(results.map((r) => r.result.healthy)).toEqual([false, false]);
    expect(results[0]!.result.error).toContain('shutting down');
  });
});

describe('a probe that throws before it starts', () => {
  it('leaves nothing in flight: the next probe of that deployment runs (a span processor that threw once did not wedge it)', async () => {
    const config = parseConfig(`model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-x, api_base: ${base} }\n`, 'c.yaml', {});
    const { byMode } = await loadPlugins([BUILTIN_PLUGINS_DIR]);
    let calls = 0;
    const s = new Scheduler({ store: new MemoryStore(), plugins: byMode, concurrency: 2, rateLimitedAsHealthy: () => { if (calls++ === 0) throw new Error('settings not readable'); return false; } });
    const d = config.deployments[0]!;
    await expect(s.probe(d)).rejects.toThrow('settings not readable');
    expect(s.probing(d.id)).toBe(false);
    await expect(s.probe(d)).resolves.toMatchObject({ healthy: true });
  });

  it('gives back the slot it took: a span processor that throws after the slot was taken wedges nothing', async () => {
    const config = parseConfig(`model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-x, api_base: ${base} }\n`, 'c.yaml', {});
    const { byMode } = await loadPlugins([BUILTIN_PLUGINS_DIR]);
    let calls = 0;
    const telemetry = {
      startProbeSpan: () => { if (calls++ === 0) throw new Error('span processor failed'); return undefined; },
      startRoundSpan: () => undefined,
    } as unknown as ConstructorParameters<typeof Scheduler>[0]['telemetry'];
    const s = new Scheduler({ store: new MemoryStore(), plugins: byMode, concurrency: 1, telemetry });
    const d = config.deployments[0]!;
    await expect(s.probe(d)).rejects.toThrow('span processor failed');
    expect(s.running).toBe(0);
    expect(s.probing(d.id)).toBe(false);
    await expect(s.probe(d)).resolves.toMatchObject({ healthy: true });
  });
});

describe('back-to-back on-demand rounds', () => {
  it('each round probes every deployment, even when the clock reads the same millisecond for both', async () => {
    const config = parseConfig(`model_list:\n${[0, 1, 2].map((i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-${i}, api_base: ${base} }\n`).join('')}`, 'c.yaml', {});
    const { byMode } = await loadPlugins([BUILTIN_PLUGINS_DIR]);
    const s = new Scheduler({ store: new MemoryStore(), plugins: byMode, concurrency: 2, now: () => 1_000 });
    stats.total = 0;
    const first = await s.probeAll(config.deployments);
    const second = await s.probeAll(config.deployments);
    expect(stats.total).toBe(6);
    expect(second.map((r) => r.joined || r.cached)).toEqual([false, false, false]);
    expect(second.map((r, i) => r.result !== first[i]!.result)).toEqual([true, true, true]);
  });
});
