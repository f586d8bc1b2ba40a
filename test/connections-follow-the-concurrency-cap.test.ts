import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { loadPlugins, BUILTIN_PLUGINS_DIR } from '../src/registry/plugins.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { MemoryStore } from '../src/store/memory.js';

/**
 * The shared pool opens as many connections per origin as probes may run at once (issue 18):
 * without a limit undici opened about twice the cap, each one more TLS handshake against a real
 * upstream. Never fewer than the cap either: a probe must not wait inside the client.
 */
let server: Server;
let base: string;
let connections = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'pong' } }] }));
    });
  });
  server.on('connection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

async function scheduler(n: number, concurrency: number) {
  const entries = Array.from({ length: n }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-${i}, api_base: ${base} }\n`).join('');
  const { byMode } = await loadPlugins([BUILTIN_PLUGINS_DIR]);
  const store = new MemoryStore();
  return { s: new Scheduler({ store, plugins: byMode, concurrency }), deployments: parseConfig(`model_list:\n${entries}`, 'c.yaml', {}).deployments };
}

describe('connections per origin', () => {
  it('rounds at a cap of 3 open at most 3 connections to the origin, and use all 3', async () => {
    const { s, deployments } = await scheduler(60, 3);
    connections = 0;
    for (let round = 0; round < 3; round++) {
      const results = await s.probeAll(deployments);
      expect(results.every((r) => r.result.healthy)).toBe(true);
    }
    expect(s.peakRunning).toBe(3);
    expect(connections).toBe(3);
    await s.stop();
  });
});
