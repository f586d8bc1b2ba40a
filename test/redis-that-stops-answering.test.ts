import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/cli/logger.js';
import { RedisCoordinator } from '../src/fleet/redis-coordinator.js';
import { waitFor } from './support/tools.js';

/** Speaks just enough RESP to get ioredis ready (INFO, CLIENT …), then never answers a script. */
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((socket) => {
    socket.on('data', (chunk) => {
      for (const [, name] of chunk.toString('latin1').matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)/g)) {
        const cmd = name!.toUpperCase();
        if (cmd.startsWith('EVAL')) continue; // hung: the claim is read and never answered
        if (cmd === 'INFO') {
          const info = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
          socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
        } else {
          socket.write('+OK\r\n');
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `redis://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('a Redis that accepts commands and never answers', () => {
  it('does not hold a background probe: the claim ends as "offline" within the command timeout', async () => {
    const c = new RedisCoordinator({ url, replicaId: 'r1', logger: createLogger('silent'), ttlS: 60, historySize: () => 10 });
    try {
      // Wait for the client to be ready (the event), not 50 × 20 ms, which a loaded machine can outrun.
      await waitFor(() => c.status().reachable || undefined, 10_000, 'the redis client ready');
      const t0 = Date.now();
      const claim = await c.claim('d1', Date.now(), 60_000, 5_000);
      expect(claim.kind).toBe('offline');
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(c.status().reachable).toBe(false);
    } finally {
      await c.close();
    }
  });
});
