import Database from 'better-sqlite3';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/core/result.js';
import { databaseTarget, DEFAULT_DB_FILE } from '../../src/persist/select.js';
import { MIGRATIONS } from '../../src/persist/schema.js';
import { SqliteHistory } from '../../src/persist/sqlite.js';
import type { HistoryDatabase, WriteBatch } from '../../src/persist/types.js';
import { PersistWriter } from '../../src/persist/writer.js';
import { exporterForTest } from '../support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { waitFor } from '../support/tools.js';

let up: FakeUpstream;
beforeAll(async () => { up = await startFakeUpstream(); });
afterAll(async () => { await up.close(); });

const tempDir = () => mkdtemp(join(tmpdir(), 'lhe-persist-'));
const json = async (url: string) => (await fetch(url)).json() as Promise<any>;
const result = (id: string, checkedAt: number, healthy = true): ProbeResult => ({
  deploymentId: id, healthy, startedAt: checkedAt - 5, checkedAt, latencyMs: 5, headers: {},
  ...(healthy ? {} : { errorType: 'server_error' as const, error: 'boom', status: 500 }),
});

const config = (extra = '') => `
model_list:
  - model_name: good
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase} }
    model_info: { id: good-1 }
  - model_name: bad
    litellm_params: { model: openai/server_error, api_base: ${up.openaiBase} }
    model_info: { id: bad-1 }
general_settings:
  background_health_checks: true
  health_check_interval: 3600
  health_check_min_interval: 0
${extra}`;

describe('SQLite persistence (general_settings.health_check_db, --data-dir)', () => {

  it('keeps history and the latest results across a restart, in WAL mode, and shows them before any probe', async () => {
    const dir = await tempDir();
    let ex = await exporterForTest(config(), { dataDir: dir });
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200);
    for (let i = 0; i < 3; i++) await fetch(`${ex.url}/health?model_id=good-1`);
    const before = await json(`${ex.url}/health/history?limit=100`);
    expect(before.total_records).toBe(5);
    await ex.close();

    const file = join(dir, DEFAULT_DB_FILE);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((db.prepare('SELECT count(*) AS n FROM llm_health_history').get() as { n: number }).n).toBe(5);
    db.close();

    up.reset();
    ex = await exporterForTest(config(), { dataDir: dir });
    expect(await json(`${ex.url}/health/history?limit=100`)).toEqual(before);
    const health = await json(`${ex.url}/health`);
    expect(health.healthy_count).toBe(1);
    expect(health.unhealthy_count).toBe(1);
    for (const e of [...health.healthy_endpoints, ...health.unhealthy_endpoints]) {
      expect(e.restored).toBe(true);
      expect(e.age_s).toBeGreaterThanOrEqual(0);
    }
    expect(health.unhealthy_endpoints[0]).toMatchObject({ model_id: 'bad-1', error_type: 'server_error', exception_status: 500 });
    expect(up.requests).toHaveLength(0);
    const ready = await fetch(`${ex.url}/health/readiness`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ db: 'connected', history_db: 'sqlite' });
  });

  it('a probe aborted by shutdown is not written: after the restart the deployment is probed, not shown unhealthy', async () => {
    const dir = await tempDir();
    const yaml = `
model_list:
  - model_name: hang
    litellm_params: { model: openai/hang, api_base: ${up.openaiBase} }
    model_info: { id: hang-1 }
  - model_name: good
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase} }
    model_info: { id: good-1 }
general_settings:
  background_health_checks: true
  health_check_interval: 3600
`;
    up.reset();
    let ex = await exporterForTest(yaml, { dataDir: dir });
    await waitFor(() => (up.count('hang') === 1 && up.count('gpt-4o') === 1) || undefined);
    await waitFor(async () => (await json(`${ex.url}/health`)).healthy_count === 1 || undefined);
    await ex.close(); // aborts the hanging probe
    ex = await exporterForTest(yaml, { dataDir: dir, listen: false });
    expect(ex.app.store.get('hang-1')).toBeUndefined();
    expect(ex.app.store.get('good-1')).toMatchObject({ healthy: true, restored: true });
  });

  it('health_check_db: :memory: keeps nothing, and so does no data directory at all', async () => {
    const dir = await tempDir();
    let ex = await exporterForTest(config('  health_check_db: ":memory:"'), { dataDir: dir });
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200);
    expect(await json(`${ex.url}/health/readiness`)).toMatchObject({ db: 'Not connected', history_db: 'memory' });
    expect(ex.logs()).toMatch(/history kept in memory only/);
    await ex.close();
    ex = await exporterForTest(config());
    expect((await json(`${ex.url}/health/history`)).total_records).toBe(0);
  });

  it('a corrupt file is reported at start-up, left untouched, and the exporter probes and serves from memory', async () => {
    const dir = await tempDir();
    const file = join(dir, DEFAULT_DB_FILE);
    const garbage = Buffer.from('this is not a database, it is a shopping list\n'.repeat(200));
    await writeFile(file, garbage);
    const ex = await exporterForTest(config(), { dataDir: dir });
    expect(ex.logs()).toMatch(/"err":"[^"]*is not a SQLite database or is corrupt[^"]*","msg":"history database unusable: running with history in memory only/);
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200);
    const ready = await json(`${ex.url}/health/readiness`);
    expect(ready).toMatchObject({ db: 'Not connected', history_db: 'memory' });
    expect(ready.db_error).toMatch(/not a SQLite database or is corrupt/);
    expect((await json(`${ex.url}/health`)).healthy_count).toBe(1);
    expect((await json(`${ex.url}/health/history`)).total_records).toBe(2);
    expect(await readFile(file)).toEqual(garbage);
  });

  it('a file locked by another process is reported as locked, and the exporter runs on in memory', async () => {
    const dir = await tempDir();
    const file = join(dir, DEFAULT_DB_FILE);
    const holder = new Database(file);
    holder.exec('CREATE TABLE squatter (x)');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const ex = await exporterForTest(config(), { dataDir: dir });
      expect(ex.logs()).toMatch(/is locked by another process/);
      await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200);
      expect((await json(`${ex.url}/health/readiness`)).db_error).toMatch(/locked/);
      expect((await json(`${ex.url}/health`)).healthy_count).toBe(1);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('a database written by a newer version is refused with its schema number', async () => {
    const dir = await tempDir();
    const db = new Database(join(dir, DEFAULT_DB_FILE));
    db.exec("CREATE TABLE llm_health_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO llm_health_meta VALUES ('schema_version', '999')");
    db.close();
    const ex = await exporterForTest(config(), { dataDir: dir });
    expect(ex.logs()).toMatch(/newer version of the exporter \(schema 999/);
  });
});

describe('schema migrations', () => {
  it('a version-1 database (no uptime table) is migrated forward at start-up, its rows kept', async () => {
    const file = join(await tempDir(), 'v1.db');
    const old = new Database(file);
    old.exec('CREATE TABLE llm_health_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    for (const sql of MIGRATIONS[1]!.sqlite) old.exec(sql);
    old.exec("INSERT INTO llm_health_meta VALUES ('schema_version', '1')");
    old.prepare("INSERT INTO llm_health_history (deployment_id, checked_at, started_at, latency_ms, healthy, checked_by) VALUES ('a', 2000, 1990, 10, 1, '')").run();
    old.close();
    const db = new SqliteHistory(file);
    await db.migrate();
    await db.write({ rows: [], latest: [], runs: [{ deploymentId: 'a', start: Date.now(), lastAt: Date.now(), until: Date.now() + 1000, healthy: true, probes: 1 }], days: [] });
    const loaded = await db.load(['a'], 10);
    expect(loaded.meta.get('schema_version')).toBe(String(Math.max(...Object.keys(MIGRATIONS).map(Number))));
    expect(loaded.history.get('a')!.map((r) => r.checkedAt)).toEqual([2000]);
    expect(loaded.runs.get('a')).toHaveLength(1);
    await db.close();
  });
});

describe('retention', () => {
  it('drops rows older than the retention and beyond the rows kept per deployment', async () => {
    const db = new SqliteHistory(join(await tempDir(), 'r.db'));
    await db.migrate();
    const day = 86_400_000;
    const now = 100 * day;
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => result('a', now - i * 60_000)),
      ...Array.from({ length: 5 }, (_, i) => result('b', now - 40 * day - i)),
      result('c', now - 1000),
    ];
    await db.write({ rows, latest: [result('a', now), result('b', now - 40 * day), result('c', now - 1000)], runs: [], days: [] });
    await db.prune({ maxAgeMs: 30 * day, maxRowsPerDeployment: 10 }, now, ['a', 'c']);
    const loaded = await db.load(['a', 'b', 'c'], 100);
    expect(loaded.history.get('a')!.map((r) => r.checkedAt)).toEqual(Array.from({ length: 10 }, (_, i) => now - (9 - i) * 60_000));
    expect(loaded.history.has('b')).toBe(false);
    expect(loaded.history.get('c')).toHaveLength(1);
    expect(loaded.latest.map((r) => r.deploymentId).sort()).toEqual(['a', 'c']);
    await db.close();
  });

  it('writes a row only once however often it is written (the same probe synced twice)', async () => {
    const db = new SqliteHistory(join(await tempDir(), 'd.db'));
    await db.migrate();
    const r = { ...result('a', 1000), checkedBy: 'replica-1' };
    await db.write({ rows: [r, r], latest: [r], runs: [], days: [] });
    await db.write({ rows: [r], latest: [r], runs: [], days: [] });
    expect((await db.load(['a'], 10)).history.get('a')).toHaveLength(1);
    await db.close();
  });
});

/** A database that records batches and can be told to fail. */
function fakeDb(): HistoryDatabase & { batches: WriteBatch[]; failing: boolean; pruned: string[][] } {
  const f = {
    kind: 'sqlite' as const, where: 'fake', batches: [] as WriteBatch[], failing: false, pruned: [] as string[][],
    migrate: async () => undefined,
    load: async () => ({ latest: [], history: new Map(), runs: new Map(), spend: new Map(), meta: new Map() }),
    write: async (b: WriteBatch) => { if (f.failing) throw new Error('disk I/O error'); f.batches.push(b); },
    setMeta: async () => undefined,
    prune: async (_r: unknown, _now: number, ids: readonly string[]) => { f.pruned.push([...ids].sort()); return 0; },
    close: async () => undefined,
  };
  return f;
}

describe('the batching writer', () => {
  it('writes results in batches of at most batchRows, the latest result per deployment with the last one', async () => {
    const db = fakeDb();
    const w = new PersistWriter({ db, retention: () => ({ maxAgeMs: 1e12, maxRowsPerDeployment: 1e6 }), onError: () => undefined, batchRows: 500, flushMs: 60_000 });
    for (let i = 0; i < 1200; i++) w.add(result(`d${i % 10}`, 1000 + i));
    expect(db.batches).toHaveLength(0); // adding does no I/O
    await w.flush();
    expect(db.batches.map((b) => b.rows.length)).toEqual([500, 500, 200]);
    expect(db.batches.map((b) => b.latest.length)).toEqual([0, 0, 10]);
    expect(db.batches[2]!.latest.find((r) => r.deploymentId === 'd9')!.checkedAt).toBe(1000 + 1199);
    await w.close();
  });

  it('trims a deployment by count once a tenth of its rows came since its last trim, not at every pass', async () => {
    const db = fakeDb();
    const w = new PersistWriter({ db, retention: () => ({ maxAgeMs: 1e12, maxRowsPerDeployment: 100 }), onError: () => undefined, flushMs: 60_000 });
    for (let i = 0; i < 10; i++) w.add(result('busy', i));
    for (let i = 0; i < 9; i++) w.add(result('quiet', i));
    await w.flush();
    await w.prune();
    w.add(result('quiet', 9));
    await w.flush();
    await w.prune();
    await w.prune();
    expect(db.pruned).toEqual([['busy'], ['quiet'], []]);
    await w.close();
  });

  it('keeps every result while the database fails, reports it once, and writes them all when it works again', async () => {
    const db = fakeDb();
    const errors: string[] = [];
    let recovered = 0;
    const w = new PersistWriter({ db, retention: () => ({ maxAgeMs: 1e12, maxRowsPerDeployment: 1e6 }), onError: (m) => errors.push(m), onRecovered: () => recovered++, flushMs: 60_000 });
    db.failing = true;
    for (let i = 0; i < 10; i++) w.add(result('a', i));
    await w.flush();
    w.add(result('a', 10));
    await w.flush();
    expect(errors).toEqual(['disk I/O error']);
    expect(w.status).toMatchObject({ pending: 11, written: 0, lastError: 'disk I/O error' });
    db.failing = false;
    await w.flush();
    expect(recovered).toBe(1);
    expect(db.batches.flatMap((b) => b.rows.map((r) => r.checkedAt))).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(w.status).toMatchObject({ pending: 0, written: 11 });
    expect(w.status.lastError).toBeUndefined();
    await w.close();
  });
});

describe('where the database goes', () => {
  const base = { env: {}, configFile: '/etc/lhe/config.yaml' };
  it('health_check_db, then DATABASE_URL, then the data directory, else memory', () => {
    expect(databaseTarget({ ...base })).toMatchObject({ kind: 'memory' });
    expect(databaseTarget({ ...base, dataDir: '/data' })).toEqual({ kind: 'sqlite', path: `/data/${DEFAULT_DB_FILE}` });
    expect(databaseTarget({ ...base, env: { LLM_HEALTH_DATA_DIR: '/var/lib/lhe' } })).toEqual({ kind: 'sqlite', path: `/var/lib/lhe/${DEFAULT_DB_FILE}` });
    expect(databaseTarget({ ...base, dataDir: '/data', env: { DATABASE_URL: 'postgresql://u:p@db/litellm' } })).toEqual({ kind: 'postgres', url: 'postgresql://u:p@db/litellm' });
    expect(databaseTarget({ ...base, env: { DATABASE_URL: 'mysql://x' } })).toMatchObject({ kind: 'memory' });
    expect(databaseTarget({ ...base, configured: 'h.db' })).toEqual({ kind: 'sqlite', path: '/etc/lhe/h.db' });
    expect(databaseTarget({ ...base, configured: 'h.db', dataDir: '/data' })).toEqual({ kind: 'sqlite', path: '/data/h.db' });
    expect(databaseTarget({ ...base, configured: ':memory:', dataDir: '/data', env: { DATABASE_URL: 'postgres://db/x' } })).toMatchObject({ kind: 'memory' });
  });
});
