import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { spawnReplica, type Replica } from './support/replica.js';
import { waitFor } from './support/tools.js';

/**
 * Three replicas as separate processes, one real redis-server, 30 deployments probed every
 * second: the fleet pays for each probe once, spreads the work, survives a replica's SIGKILL
 * and a Redis restart.
 */
const N = 30;
const INTERVAL_S = 1;
const TIMEOUT_S = 1;
const LEASE_S = TIMEOUT_S + 2; // the lease a replica takes: its probe timeout plus 2 s

describe('fleet mode: replicas sharing health checks through Redis', () => {
  let redis: TestRedis;
  let up: FakeUpstream;
  let replicas: Replica[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const probesBetween = (from: number, to: number) => up.requests.filter((r) => r.at >= from && r.at < to);

  beforeAll(async () => {
    redis = await startRedis();
    up = await startFakeUpstream();
    const dir = await mkdtemp(join(tmpdir(), 'lhe-fleet-'));
    const file = join(dir, 'config.yaml');
    const list = Array.from({ length: N }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/m${i}, api_base: "${up.openaiBase}" }\n    model_info: { id: m${i}, health_check_timeout: ${TIMEOUT_S} }\n`).join('');
    await writeFile(file, `model_list:\n${list}general_settings:\n  background_health_checks: true\n  health_check_interval: ${INTERVAL_S}\n  use_shared_health_check: true\n`);
    replicas = await Promise.all(['a', 'b', 'c'].map((id) => spawnReplica([file, '--log-level', 'info'], { REDIS_URL: redis.url, REPLICA_ID: `replica-${id}` })));
    await waitFor(async () => {
      const ready = await Promise.all(replicas.map((r) => r.json('/health/readiness')));
      return ready.every((x) => x.status === 200) || undefined;
    }, 15_000, 'all replicas ready');
  }, 40_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await redis?.stop();
    await up?.close();
  });

  it('probes each deployment about once per interval across the fleet (not three times), each replica doing a share', async () => {
    const from = Date.now();
    await sleep(5000);
    const window = probesBetween(from, Date.now());
    const expected = (N * 5) / INTERVAL_S;
    expect(window.length).toBeGreaterThan(expected * 0.8);
    expect(window.length).toBeLessThan(expected * 1.25); // three uncoordinated replicas would make 3×
    const history = (await replicas[0]!.json(`/health/history?limit=1000`)).body;
    const recent = history.health_checks.filter((r: any) => Date.parse(r.checked_at) >= from);
    const share = (id: string) => recent.filter((r: any) => r.checked_by === `replica-${id}`).length / recent.length;
    for (const id of ['a', 'b', 'c']) expect({ id, share: share(id) > 0.1 }).toEqual({ id, share: true });
  }, 20_000);

  it("every replica's /health shows the fleet's view, saying who checked each entry", async () => {
    for (const r of replicas) {
      const { body } = await r.json('/health');
      expect(body.healthy_count).toBe(N);
      const checkers = new Set(body.healthy_endpoints.map((e: any) => e.checked_by));
      expect(checkers.size).toBeGreaterThanOrEqual(2);
      const ready = (await r.json('/health/readiness')).body;
      expect(ready.cache).toBe('redis');
      const status = (await r.json('/health/shared-status')).body;
      expect(status).toMatchObject({ shared: true, redis: redis.url, redis_reachable: true });
      expect(status.replica_id).toMatch(/^replica-[abc]$/);
      expect(status.cache_age_s).toBeLessThan(2);
    }
  });

  it('a replica killed with SIGKILL leaves no deployment unprobed longer than interval + lease', async () => {
    const killedAt = Date.now();
    await replicas[2]!.stop('SIGKILL');
    await sleep(6000);
    const after = probesBetween(killedAt - 1500, Date.now());
    for (let i = 0; i < N; i++) {
      const times = after.filter((r) => r.model === `m${i}`).map((r) => r.at).sort((a, b) => a - b);
      expect(times.length).toBeGreaterThanOrEqual(3);
      let maxGap = 0;
      for (let k = 1; k < times.length; k++) maxGap = Math.max(maxGap, times[k]! - times[k - 1]!);
      expect({ m: i, withinLease: maxGap <= (INTERVAL_S + LEASE_S) * 1000 + 500 }).toEqual({ m: i, withinLease: true });
    }
    // And the survivors still do not double up.
    const last3s = probesBetween(Date.now() - 3000, Date.now());
    expect(last3s.length).toBeLessThan(N * 3 * 1.3);
  }, 20_000);

  it('with Redis down every replica keeps answering and probes locally; when it returns they share again', async () => {
    const live = replicas.slice(0, 2);
    await redis.stop();
    await waitFor(async () => {
      const caches = await Promise.all(live.map(async (r) => (await r.json('/health/readiness')).body.cache));
      return caches.every((c) => c === 'local (redis unreachable)') || undefined;
    }, 10_000, 'replicas notice Redis is down');
    const downFrom = Date.now();
    await sleep(3000);
    for (const r of live) {
      const { status, body } = await r.json('/health');
      expect(status).toBe(200);
      expect(body.healthy_count).toBe(N); // fresh local results, not stale ones
    }
    const whileDown = probesBetween(downFrom, Date.now()).length;
    expect(whileDown).toBeGreaterThan(N * 3 * 1.5); // two replicas each probing everything

    await redis.start();
    await waitFor(async () => {
      const caches = await Promise.all(live.map(async (r) => (await r.json('/health/readiness')).body.cache));
      return caches.every((c) => c === 'redis') || undefined;
    }, 15_000, 'replicas rejoin Redis');
    await sleep(1500);
    const from = Date.now();
    await sleep(4000);
    const shared = probesBetween(from, Date.now()).length;
    expect(shared).toBeLessThan(N * 4 * 1.3); // back to about once per interval fleet-wide
    expect(shared).toBeGreaterThan(N * 4 * 0.7);
    for (const r of live) expect(r.stderr()).toContain('redis unreachable: probing locally until it returns');
  }, 40_000);
});
