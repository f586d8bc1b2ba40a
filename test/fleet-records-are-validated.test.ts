import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/cli/logger.js';
import { parseFleetRecord } from '../src/fleet/record.js';
import { RedisCoordinator } from '../src/fleet/redis-coordinator.js';
import { pullFleetResults } from '../src/fleet/sync.js';
import { MemoryStore } from '../src/store/memory.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { waitFor } from './support/tools.js';

const good = { deploymentId: 'd1', healthy: true, startedAt: 1000, checkedAt: 1100, latencyMs: 100, headers: {}, checkedBy: 'r2' };

describe('a fleet record read from Redis', () => {
  it('is accepted when it is a ProbeResult for the deployment asked about; unknown fields are dropped', () => {
    const r = parseFleetRecord(JSON.stringify({ ...good, injected: '<script>' }), 'd1');
    expect(r).toEqual({ ok: true, result: good });
  });

  it('keeps a valid result whose error text is long (cut, not refused), and headers only under the reported names', () => {
    const long = 'x'.repeat(20_000);
    const r = parseFleetRecord(JSON.stringify({
      ...good, healthy: false, errorType: 'server_error', error: long,
      headers: { 'x-ms-region': 'eastus', model_name: 'spoofed', api_base: 'https://evil.example' },
    }), 'd1');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.result.error!.length).toBeLessThan(long.length);
    expect(r.result.error!.startsWith('xxxx')).toBe(true);
    expect(r.result.headers).toEqual({ 'x-ms-region': 'eastus' });
  });

  it('is refused, with the reason, when it is not JSON, has a wrong field, an unknown error type, or names another deployment', () => {
    expect(parseFleetRecord('{not json', 'd1')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseFleetRecord(JSON.stringify({ ...good, healthy: 'yes' }), 'd1')).toMatchObject({ ok: false, reason: expect.stringMatching(/^healthy: /) });
    expect(parseFleetRecord(JSON.stringify({ ...good, healthy: false, errorType: 'gremlins' }), 'd1')).toMatchObject({ ok: false, reason: expect.stringMatching(/^errorType: /) });
    expect(parseFleetRecord(JSON.stringify(good), 'd2')).toMatchObject({ ok: false, reason: expect.stringContaining('another deployment') });
  });
});

describe('malformed records in a real Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis.stop(); });

  it('are skipped and logged as malformed (once), never as "redis unreachable"; good records still sync', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
    const raw = new Redis(redis.url);
    const c = new RedisCoordinator({ url: redis.url, replicaId: 'r1', logger, ttlS: 60, historySize: () => 10 });
    try {
      await raw.set('llm-health-exporter:latest:bad', '{"deploymentId":"bad","healthy":"maybe"}');
      await raw.set('llm-health-exporter:latest:d1', JSON.stringify(good));
      await waitFor(() => c.status().reachable || undefined, 10_000, 'coordinator connected');
      const store = new MemoryStore(10);
      for (let i = 0; i < 2; i++) await pullFleetResults(c, store, ['bad', 'd1']);
      expect(store.get('d1')).toMatchObject({ healthy: true, checkedBy: 'r2' });
      expect(store.get('bad')).toBeUndefined();
      expect(c.status().reachable).toBe(true);
      const malformed = lines.filter((l) => l.includes('malformed fleet record'));
      expect(malformed).toHaveLength(1);
      expect(JSON.parse(malformed[0]!)).toMatchObject({ model_id: 'bad', reason: expect.stringMatching(/^healthy: /) });
      expect(lines.join('')).not.toContain('unreachable');
    } finally {
      raw.disconnect();
      await c.close();
    }
  });
});
