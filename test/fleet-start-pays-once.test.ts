import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { spawnReplica, type Replica } from './support/replica.js';
import { waitFor } from './support/tools.js';

/**
 * Replicas starting together: their start-up round is claimed through Redis like any other, so
 * the fleet pays once per deployment. (Before: the first claims ran before the connection was up,
 * failed fast as "Redis down", and every replica probed everything: twice the bill at each start.)
 */
describe('a fleet starting up', () => {
  let redis: TestRedis;
  let up: FakeUpstream;
  let replicas: Replica[] = [];
  beforeAll(async () => { [redis, up] = await Promise.all([startRedis(), startFakeUpstream()]); });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    await Promise.all([redis.stop(), up.close()]);
  });

  it('probes each deployment once, whichever replica wins', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lhe-fleet-start-'));
    const file = join(dir, 'config.yaml');
    const names = Array.from({ length: 8 }, (_, i) => `s${i}`);
    await writeFile(file, `model_list:\n${names.map((n) => `  - model_name: ${n}\n    litellm_params: { model: openai/${n}, api_base: "${up.openaiBase}" }\n    model_info: { id: ${n} }\n`).join('')}general_settings:\n  background_health_checks: true\n  health_check_interval: 300\n  use_shared_health_check: true\n`);
    replicas = await Promise.all(['a', 'b', 'c'].map((id) => spawnReplica([file, '--log-level', 'info'], { REDIS_URL: redis.url, REPLICA_ID: `start-${id}` })));
    await waitFor(async () => (await Promise.all(replicas.map((r) => r.json('/health/readiness')))).every((x) => x.status === 200) || undefined, 20_000, 'all replicas ready');
    // On failure, what each replica said about Redis (a replica that found it unreachable probes locally).
    const redisLines = () => replicas.map((r) => r.stderr().split('\n').filter((l) => /redis|claim|lease/i.test(l)).join('\n')).join('\n---\n');
    for (const n of names) expect({ n, calls: up.count(n) }, redisLines()).toEqual({ n, calls: 1 });
    for (const r of replicas) expect((await r.json('/health')).body.healthy_count).toBe(names.length);
  });
});
