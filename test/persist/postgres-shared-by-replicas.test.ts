import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/persist/schema.js';
import { exporterForTest } from '../support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { spawnReplica, type Replica } from '../support/replica.js';
import { waitFor } from '../support/tools.js';

const LATEST_SCHEMA = String(Math.max(...Object.keys(MIGRATIONS).map(Number)));

describe('PostgreSQL through DATABASE_URL (a real server started by the test)', () => {
  let pgs: TestPostgres;
  let redis: TestRedis;
  let up: FakeUpstream;
  let replicas: Replica[] = [];
  beforeAll(async () => { [pgs, redis, up] = await Promise.all([startPostgres(), startRedis(), startFakeUpstream()]); }, 40_000);
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    replicas = [];
  });
  afterAll(async () => { await Promise.all([pgs?.stop(), redis?.stop(), up?.close()]); });

  const yaml = (extra = '') => `
model_list:
  - model_name: good
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${up.openaiBase} }
    model_info: { id: good }
  - model_name: bad
    litellm_params: { model: openai/server_error, api_base: ${up.openaiBase} }
    model_info: { id: bad }
general_settings:
  background_health_checks: true
  health_check_interval: 3600
${extra}`;
  const json = async (url: string) => (await fetch(url)).json() as Promise<any>;
  const ready = async (url: string) => waitFor(async () => (await fetch(`${url}/health/readiness`)).status === 200 || undefined, 20_000, 'readiness 200');

  it('creates its schema in an empty database, keeps results across a restart, and never shows the password', async () => {
    const url = await pgs.createDatabase('fresh');
    let ex = await exporterForTest(yaml(), { env: { DATABASE_URL: url } });
    await ready(ex.url);
    const readiness = await (await fetch(`${ex.url}/health/readiness`)).text();
    expect(JSON.parse(readiness)).toMatchObject({ db: 'connected', history_db: 'postgres' });
    await ex.app.persistence.flush();
    const tables = (await pgs.query('fresh', "SELECT tablename FROM pg_tables WHERE tablename LIKE 'llm_health_%' ORDER BY 1")).map((r) => r.tablename);
    expect(tables).toEqual(['llm_health_history', 'llm_health_latest', 'llm_health_meta', 'llm_health_spend_daily', 'llm_health_uptime']);
    expect((await pgs.query('fresh', "SELECT value FROM llm_health_meta WHERE key = 'schema_version'"))[0].value).toBe(LATEST_SCHEMA);
    expect(Number((await pgs.query('fresh', 'SELECT count(*) AS n FROM llm_health_history'))[0].n)).toBe(2);
    const history = await json(`${ex.url}/health/history`);
    const logs = ex.logs();
    expect(logs).toContain(`postgres://127.0.0.1:${pgs.port}/fresh`);
    for (const text of [readiness, logs]) expect(text).not.toContain(pgs.password);
    await ex.close();

    up.reset();
    ex = await exporterForTest(yaml(), { env: { DATABASE_URL: url } });
    expect(await json(`${ex.url}/health/history`)).toEqual(history);
    expect((await json(`${ex.url}/health`)).unhealthy_endpoints[0]).toMatchObject({ model_id: 'bad', restored: true });
    expect(up.requests).toHaveLength(0);
  });

  it('migrates a version-1 database forward at start-up, keeping its rows', async () => {
    const url = await pgs.createDatabase('v1');
    await pgs.query('v1', 'CREATE TABLE llm_health_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    for (const sql of MIGRATIONS[1]!.postgres) await pgs.query('v1', sql);
    await pgs.query('v1', "INSERT INTO llm_health_meta VALUES ('schema_version', '1')");
    await pgs.query('v1', "INSERT INTO llm_health_history (deployment_id, checked_at, started_at, latency_ms, healthy, checked_by) VALUES ('good', $1, $1, 5, true, 'old')", [Date.now() - 60_000]);
    const ex = await exporterForTest(yaml(), { env: { DATABASE_URL: url } });
    await ready(ex.url);
    expect((await pgs.query('v1', "SELECT value FROM llm_health_meta WHERE key = 'schema_version'"))[0].value).toBe(LATEST_SCHEMA);
    const rows = (await json(`${ex.url}/health/history?model_id=good`)).health_checks;
    expect(rows.map((r: { checked_by: string }) => r.checked_by)).toContain('old');
  });

  it('an unreachable server is reported at start-up, without the password, and the exporter runs on in memory', async () => {
    const ex = await exporterForTest(yaml(), { env: { DATABASE_URL: `postgres://lhe:${pgs.password}@127.0.0.1:9/nowhere` } });
    await ready(ex.url);
    const body = await json(`${ex.url}/health/readiness`);
    expect(body).toMatchObject({ db: 'Not connected', history_db: 'memory' });
    expect(body.db_error).toMatch(/cannot reach postgres:\/\/127\.0\.0\.1:9\/nowhere/);
    expect(ex.logs()).toMatch(/history database unusable/);
    expect(JSON.stringify(body) + ex.logs()).not.toContain(pgs.password);
    expect((await json(`${ex.url}/health`)).healthy_count).toBe(1);
  });

  it('two replicas (fleet mode, Redis) write their history to one server: /health/history is the same on both, and on a third started later', { timeout: 90_000 }, async () => {
    const url = await pgs.createDatabase('fleet');
    const dir = await mkdtemp(join(tmpdir(), 'lhe-pg-fleet-'));
    const file = join(dir, 'config.yaml');
    const names = ['f0', 'f1', 'f2', 'f3'];
    await writeFile(file, `model_list:\n${names.map((n) => `  - model_name: ${n}\n    litellm_params: { model: openai/${n}, api_base: "${up.openaiBase}" }\n    model_info: { id: ${n} }\n`).join('')}general_settings:\n  background_health_checks: true\n  health_check_interval: 2\n  use_shared_health_check: true\n`);
    const env = (id: string) => ({ DATABASE_URL: url, REDIS_URL: redis.url, REPLICA_ID: id });
    replicas = await Promise.all(['replica-a', 'replica-b'].map((id) => spawnReplica([file, '--log-level', 'info'], env(id))));
    await Promise.all(replicas.map((r) => ready(r.address)));
    // From here on the fleet probes each deployment once per interval, whoever wins the claim.
    const from = Date.now() + 1000;
    const after = (rows: Array<{ checked_at: string }>, to: number) => rows.filter((r) => Date.parse(r.checked_at) >= from && Date.parse(r.checked_at) < to);
    // Rows older than a second have been pulled by both replicas (they pull every 400 ms here):
    // wait until rows from both replicas are that old, since either may win every claim for a while.
    const cut = await waitFor(async () => {
      const at = Date.now() - 1000;
      const by = await pgs.query('fleet', 'SELECT checked_by, count(*) AS n FROM llm_health_history WHERE checked_at >= $1 AND checked_at < $2 GROUP BY checked_by', [from, at]);
      return by.length === 2 && by.reduce((n, r) => n + Number(r.n), 0) >= 8 ? at : undefined;
    }, 40_000, 'rows from both replicas');
    const [a, b] = await Promise.all([replicas[0]!.json('/health/history?limit=1000'), replicas[1]!.json('/health/history?limit=1000')]);
    const rowsA = after(a.body.health_checks, cut);
    expect(new Set(rowsA.map((r: any) => r.checked_by))).toEqual(new Set(['replica-a', 'replica-b']));
    expect(after(b.body.health_checks, cut)).toEqual(rowsA);
    // The server holds each of those rows exactly once, written by the replica that probed it.
    const stored = await pgs.query('fleet', 'SELECT deployment_id, checked_at, checked_by FROM llm_health_history WHERE checked_at >= $1 AND checked_at < $2', [from, cut]);
    expect(stored.map((r) => `${r.deployment_id}@${r.checked_at}@${r.checked_by}`).sort())
      .toEqual(rowsA.map((r: any) => `${r.model_id}@${Date.parse(r.checked_at)}@${r.checked_by}`).sort());

    // Both stop; a third replica reads the fleet's history back from the server: the same rows.
    await Promise.all(replicas.map((r) => r.stop('SIGTERM')));
    const total = Number((await pgs.query('fleet', 'SELECT count(*) AS n FROM llm_health_history'))[0].n);
    const last = Number((await pgs.query('fleet', 'SELECT max(checked_at) AS t FROM llm_health_history'))[0].t);
    replicas = [await spawnReplica([file, '--log-level', 'info'], env('replica-c'))];
    const c = (await replicas[0]!.json('/health/history?limit=1000')).body.health_checks;
    expect(c.filter((r: { checked_at: string }) => Date.parse(r.checked_at) <= last)).toHaveLength(total);
    expect(after(c, cut)).toEqual(rowsA);
  });
});
