import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { spawnReplica, type Replica } from './support/replica.js';
import { waitFor } from './support/tools.js';

/**
 * Issue 14, case 4: on a busy machine a fleet replica's /health showed healthy deployments as
 * stale. The deterministic form of "busy": a replica frozen (SIGSTOP) while it holds a lease, so
 * the deployment it was probing waits for the lease to expire. Its last result is older than
 * two intervals then, which was the old staleness threshold; a deployment's threshold now
 * includes its timeout, the lease and the pull, so the other replica keeps showing it healthy.
 */
const N = 6;
const INTERVAL_S = 1;
const TIMEOUT_S = 1;
const LEASE_PREFIX = 'llm-health-exporter:lease:';

describe('fleet mode: a stalled replica', () => {
  let redis: TestRedis;
  let up: FakeUpstream;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    // Probes of 300 ms: a replica holds a lease most of the time, so the freeze below finds one at once.
    up = await startFakeUpstream({ slowMs: 300 });
    const dir = await mkdtemp(join(tmpdir(), 'lhe-stall-'));
    const file = join(dir, 'config.yaml');
    const list = Array.from({ length: N }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/slow, api_base: "${up.openaiBase}" }\n    model_info: { id: m${i}, health_check_timeout: ${TIMEOUT_S} }\n`).join('');
    await writeFile(file, `model_list:\n${list}general_settings:\n  background_health_checks: true\n  health_check_interval: ${INTERVAL_S}\n  use_shared_health_check: true\n`);
    const started = await Promise.allSettled(['a', 'b'].map((id) => spawnReplica([file, '--log-level', 'info'], { REDIS_URL: redis.url, REPLICA_ID: `replica-${id}` })));
    replicas = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(replicas).toHaveLength(2);
    await waitFor(async () => {
      const all = await Promise.all(replicas.map((r) => r.json('/health')));
      return all.every((x) => x.body.healthy_count === N) || undefined;
    }, 20_000, 'both replicas see every deployment healthy');
  }, 40_000);

  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGCONT');
    await Promise.all(replicas.map((r) => r.stop()));
    await redis?.stop();
    await up?.close();
  });

  it("the other replica keeps showing the stalled one's deployments healthy while their leases run out", async () => {
    const [a, b] = replicas as [Replica, Replica];
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      // Freeze replica-a at a moment it holds a lease (a probe in flight); its probes take
      // milliseconds, so try until it does.
      const leased = await waitFor(async () => {
        a.child.kill('SIGSTOP');
        const held: string[] = [];
        for (const key of await client.keys(`${LEASE_PREFIX}*`)) if ((await client.get(key)) === 'replica-a') held.push(key.slice(LEASE_PREFIX.length));
        if (held.length) return held;
        a.child.kill('SIGCONT');
        return undefined;
      }, 15_000, 'replica-a holding a lease');
      const frozenAt = Date.now();
      const seen: Array<{ at: number; unhealthy: string[] }> = [];
      // Past the old threshold (2 intervals) and through the lease (timeout + 2 s).
      while (Date.now() - frozenAt < (TIMEOUT_S + 2) * 1000 + 500) {
        const { body } = await b.json('/health');
        seen.push({ at: Date.now() - frozenAt, unhealthy: body.unhealthy_endpoints.map((e: any) => `${e.model_id}: ${e.error}`) });
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(leased.length).toBeGreaterThan(0);
      expect(seen.length).toBeGreaterThan(5);
      expect(seen.filter((s) => s.unhealthy.length)).toEqual([]);
    } finally {
      a.child.kill('SIGCONT');
      client.disconnect();
    }
  }, 40_000);
});
