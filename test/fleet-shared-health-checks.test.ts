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
 * Three replicas as separate processes, one real redis-server, 30 deployments probed every
 * second: the fleet pays for each probe once, spreads the work, survives a replica's SIGKILL
 * and a Redis restart.
 */
const N = 30;
const INTERVAL_S = 1;
const TIMEOUT_S = 1;
const LEASE_S = TIMEOUT_S + 2; // the lease a replica takes: its probe timeout plus 2 s
/** Where a replica's claim on a deployment lives in Redis (src/fleet/redis-coordinator.ts): value = replica id, PX = lease. */
const LEASE_KEY_PREFIX = 'llm-health-exporter:lease:';

describe('fleet mode: replicas sharing health checks through Redis', () => {
  let redis: TestRedis;
  let up: FakeUpstream;
  let replicas: Replica[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const probesBetween = (from: number, to: number) => up.requests.filter((r) => r.at >= from && r.at < to);
  const names = Array.from({ length: N }, (_, i) => `m${i}`);

  /** The leases `replicaId` holds now, read from Redis, each with when it expires (epoch ms, the earliest it can). */
  async function leasesOf(client: Redis, replicaId: string) {
    const out: Array<{ id: string; ttlMs: number; expiresAt: number }> = [];
    for (const key of await client.keys(`${LEASE_KEY_PREFIX}*`)) {
      const askedAt = Date.now();
      const [[, owner], [, ttlMs]] = (await client.multi().get(key).pttl(key).exec()) as [[unknown, string | null], [unknown, number]];
      if (owner === replicaId && ttlMs > 0) out.push({ id: key.slice(LEASE_KEY_PREFIX.length), ttlMs, expiresAt: askedAt + ttlMs });
    }
    return out;
  }

  /**
   * Freezes `r` (SIGSTOP) at a moment it holds at least one lease (a probe of its in flight), so
   * that killing it next leaves leases behind. Its probes take milliseconds, so it often holds
   * none: then it runs on (SIGCONT) and we try again. Waiting for that event, instead of killing
   * at a random moment, is what makes the test check lease expiry on every run, not on some.
   */
  async function freezeHoldingLeases(r: Replica, replicaId: string) {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      return await waitFor(async () => {
        r.child.kill('SIGSTOP');
        const frozenAt = Date.now();
        const leases = await leasesOf(client, replicaId);
        if (leases.length) return { frozenAt, leases };
        r.child.kill('SIGCONT');
        return undefined;
      }, 15_000, `${replicaId} holding a lease`);
    } catch (err) {
      r.child.kill('SIGCONT');
      throw err;
    } finally {
      client.disconnect();
    }
  }

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
    // Lower bound 0.7, not 0.8: a probe that starts more than the grid's slack (I/10 = 100 ms, less
    // up to 50 ms of fleet jitter, less the claim's round trip to Redis) after its slot skips the
    // next one (grid.ts), so a loaded machine legitimately loses some slots: 0.87 to 0.92 of
    // `expected` measured beside other test files and 4 busy loops. A fleet that probes every
    // other interval (0.5) or not at all still fails.
    expect(window.length).toBeGreaterThan(expected * 0.7);
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
    const I = INTERVAL_S * 1000;
    const L = LEASE_S * 1000;
    const { frozenAt, leases } = await freezeHoldingLeases(replicas[2]!, 'replica-c');
    await replicas[2]!.stop('SIGKILL');
    // The dead replica's claims last at most the lease (checked exactly, in Redis).
    for (const l of leases) expect({ id: l.id, ttlMs: l.ttlMs <= L }).toEqual({ id: l.id, ttlMs: true });
    // Each deployment is free for the survivors from the moment replica-c stopped, or, when it
    // held the lease, from the lease's expiry. Measured from there, not from the last probe the
    // upstream saw: a replica can die between winning a claim and sending the request, and then
    // the upstream's last probe is one interval older than the lease (one way the old check, a
    // gap of at most interval + lease + 0.5 s between the upstream's probes, failed under load).
    const freeAt = new Map(names.map((m) => [m, frozenAt]));
    for (const l of leases) freeAt.set(l.id, l.expiresAt);
    // The promise: a survivor takes it at the next slot after it is free (within one interval).
    // On a loaded machine a survivor's retry whose timer fires more than the grid's slack late
    // skips a slot (grid.ts), so allow one more interval, and half one for the request to arrive.
    const within = 2 * I + I / 2;
    const takenAt = (m: string) => up.requests.find((r) => r.model === m && r.at >= freeAt.get(m)!)?.at;
    const lastFree = Math.max(...freeAt.values());
    await waitFor(() => names.every((m) => takenAt(m) !== undefined) || undefined, lastFree + within + 2000 - Date.now(), 'every deployment probed again')
      .catch(() => undefined); // the assertions below name the deployment that was not
    for (const m of names) {
      const waited = (takenAt(m) ?? Infinity) - freeAt.get(m)!;
      expect({ m, leased: leases.some((l) => l.id === m), takenOverInTime: waited <= within }).toEqual({ m, leased: leases.some((l) => l.id === m), takenOverInTime: true });
    }
    // And from then on the two survivors go on probing every deployment, without doubling up.
    const from = Date.now();
    await sleep(3 * I);
    const window = probesBetween(from, Date.now());
    for (const m of names) expect({ m, probed: window.some((r) => r.model === m) }).toEqual({ m, probed: true });
    expect(window.length).toBeLessThan(N * 3 * 1.3);
  }, 40_000);

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
    // Two replicas each probing everything make N × 3 × 2; one alone would make half that. 0.7 of
    // it, not 0.75: slots skipped on a loaded machine (see the first test) cost some.
    expect(whileDown).toBeGreaterThan(N * 3 * 2 * 0.7);

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
    // The log line comes through a pipe, on its own schedule: wait for it rather than assume it is in.
    await waitFor(() => live.every((r) => r.stderr().includes('redis unreachable: probing locally until it returns')) || undefined, 10_000, 'the redis unreachable log line');
  }, 40_000);
});
