import { describe, expect, it } from 'vitest';
import { settleConnectionShapes } from '../../src/providers/agents.js';

// process._getActiveHandles: servers, sockets and timers still holding the event loop.
const activeHandles = () => (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles().map((h) => h.constructor.name).sort();

describe('start-up connection cycle (settleConnectionShapes)', () => {
  it('opens and closes its loopback connections and leaves nothing open', async () => {
    const before = activeHandles();
    const t0 = performance.now();
    await settleConnectionShapes();
    // Each connection closes on a 5 ms idle timeout: a start-up cost of milliseconds, not seconds.
    expect(performance.now() - t0).toBeLessThan(900);
    // The server's close and the sockets' teardown finish within a tick or two.
    await new Promise((r) => setTimeout(r, 50));
    expect(activeHandles()).toEqual(before);
  });

  it('can run again (a second exporter in one process) and never throws', async () => {
    await expect(settleConnectionShapes()).resolves.toBeUndefined();
    await expect(settleConnectionShapes()).resolves.toBeUndefined();
  });
});
