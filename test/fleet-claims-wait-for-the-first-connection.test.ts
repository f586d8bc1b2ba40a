import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/cli/logger.js';
import { RedisCoordinator } from '../src/fleet/redis-coordinator.js';
import { startRedis, type TestRedis } from './support/redis.js';

/** Holds the event loop, as a replica's start-up does on a loaded machine. */
function stall(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* busy */ }
}

const coordinator = (url: string) => new RedisCoordinator({ url, replicaId: 'r1', logger: createLogger('silent'), ttlS: 60, historySize: () => 10 });

describe("a replica's first claims", () => {
  let redis: TestRedis;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis.stop(); });

  it('wait for the first connection however long the process stalled after starting it: shared, not probed locally', async () => {
    const c = coordinator(redis.url);
    try {
      // Longer than the old 2.5 s wait: its timer and the connection's events came due together,
      // and timers run first, so every claim of the start-up round failed fast as "offline".
      stall(3000);
      const first = await c.claim('d1', Date.now(), 60_000, 5_000);
      expect(first.kind).toBe('won');
      expect((await c.claim('d1', Date.now(), 60_000, 5_000)).kind).toBe('busy');
      expect(c.status().reachable).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('end at once as "offline" when nothing listens (the replica probes locally without waiting)', async () => {
    // A port nothing listens on: connection refused.
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); });
    });
    const c = coordinator(`redis://127.0.0.1:${port}`);
    try {
      const t0 = Date.now();
      expect((await c.claim('d1', Date.now(), 60_000, 5_000)).kind).toBe('offline');
      // The refusal is the first attempt's outcome: well under the 10 s cap, loaded or not.
      expect(Date.now() - t0).toBeLessThan(8_000);
    } finally {
      await c.close();
    }
  });
});
