import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProbeResult } from '../core/result.js';
import { UPTIME_KEEP_MS, MAX_SEGMENTS, type UptimeSegment } from '../store/uptime-runs.js';
import { SPEND_DAYS, dayOf, type DaySpend } from '../store/spend.js';
import { DAY_COLUMNS, dayFromRecord, HISTORY_COLUMNS, historyValues, latestJson, resultFromHistory, resultFromLatest, RUN_COLUMNS, runFromRecord, type DayRecord, type HistoryRecord, type RunRecord } from './rows.js';
import { MIGRATIONS } from './schema.js';
import { SCHEMA_VERSION, type HistoryDatabase, type Restored, type Retention, type WriteBatch } from './types.js';

/** Rows deleted per statement when pruning by age, so a large prune never holds the loop for long. */
const PRUNE_CHUNK = 2000;
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** Why SQLite refused, in words an operator can act on (the path is theirs; nothing secret in it). */
export function describeSqliteError(err: unknown, path: string): string {
  const code = (err as { code?: string }).code ?? '';
  const msg = (err as Error).message ?? String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return `${path} is not a SQLite database or is corrupt (${msg}); move it aside to start a new history`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return `${path} is locked by another process (another exporter on the same data directory?): ${msg}`;
  if (code.startsWith('SQLITE_CANTOPEN')) return `${path} cannot be opened (does the directory exist and is it writable?): ${msg}`;
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) return `${path} is read-only: ${msg}`;
  if (code.startsWith('SQLITE_FULL')) return `${path}: the disk is full: ${msg}`;
  return `${path}: ${msg}`;
}

/** The embedded database: one file, WAL mode, one writer (this process). */
export class SqliteHistory implements HistoryDatabase {
  readonly kind = 'sqlite' as const;
  readonly where: string;
  readonly #db: Database.Database;
  #insert!: Database.Statement;
  #upsertLatest!: Database.Statement;
  #upsertRun!: Database.Statement;
  #upsertDay!: Database.Statement;
  #writeTx!: (batch: WriteBatch) => void;

  constructor(path: string, opts: { busyTimeoutMs?: number } = {}) {
    this.where = path;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.#db = new Database(path, { timeout: opts.busyTimeoutMs ?? 2000 });
    } catch (err) {
      throw new Error(describeSqliteError(err, path));
    }
  }

  async migrate(): Promise<void> {
    const db = this.#db;
    try {
      // WAL: readers never block the writer, a commit is one append, and a killed process loses
      // nothing committed. NORMAL sync is durable against a process crash (not a power cut).
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE IF NOT EXISTS llm_health_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const row = db.prepare("SELECT value FROM llm_health_meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
      const version = row ? Number(row.value) : 0;
      if (version > SCHEMA_VERSION) throw Object.assign(new Error(`written by a newer version of the exporter (schema ${version}; this one knows up to ${SCHEMA_VERSION})`), { code: 'NEWER' });
      db.transaction(() => {
        for (let v = version + 1; v <= SCHEMA_VERSION; v++) for (const sql of MIGRATIONS[v]!.sqlite) db.exec(sql);
        db.prepare("INSERT INTO llm_health_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(SCHEMA_VERSION));
      }).immediate();
      this.#prepare();
    } catch (err) {
      throw new Error(describeSqliteError(err, this.where));
    }
  }

  #prepare(): void {
    const db = this.#db;
    this.#insert = db.prepare(`INSERT OR IGNORE INTO llm_health_history (${HISTORY_COLUMNS.join(', ')}) VALUES (${HISTORY_COLUMNS.map(() => '?').join(', ')})`);
    this.#upsertLatest = db.prepare(`INSERT INTO llm_health_latest (deployment_id, checked_at, result) VALUES (?, ?, ?)
      ON CONFLICT(deployment_id) DO UPDATE SET checked_at = excluded.checked_at, result = excluded.result WHERE excluded.checked_at >= llm_health_latest.checked_at`);
    this.#upsertRun = db.prepare(`INSERT INTO llm_health_uptime (${RUN_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(deployment_id, start_at) DO UPDATE SET last_at = excluded.last_at, until_at = excluded.until_at, probes = excluded.probes
      WHERE excluded.last_at >= llm_health_uptime.last_at`);
    this.#upsertDay = db.prepare(`INSERT INTO llm_health_spend_daily (${DAY_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(deployment_id, day) DO UPDATE SET probes = excluded.probes, unpriced = excluded.unpriced, input_tokens = excluded.input_tokens,
      output_tokens = excluded.output_tokens, cost_usd = excluded.cost_usd WHERE excluded.probes >= llm_health_spend_daily.probes`);
    this.#writeTx = db.transaction((batch: WriteBatch) => {
      for (const d of batch.days) this.#upsertDay.run(d.deploymentId, d.day, d.probes, d.unpriced, d.inputTokens, d.outputTokens, d.costUsd);
      for (const r of batch.rows) this.#insert.run(historyValues(r));
      for (const r of batch.latest) this.#upsertLatest.run(r.deploymentId, Math.round(r.checkedAt), latestJson(r));
      for (const u of batch.runs) this.#upsertRun.run(u.deploymentId, Math.round(u.start), Math.round(u.lastAt), Math.round(u.until), u.healthy ? 1 : 0, u.probes);
    });
  }

  async load(ids: readonly string[], historyRows: number): Promise<Restored> {
    const wanted = new Set(ids);
    const latest: ProbeResult[] = [];
    for (const row of this.#db.prepare('SELECT deployment_id, result FROM llm_health_latest').iterate() as Iterable<{ deployment_id: string; result: string }>) {
      if (!wanted.has(row.deployment_id)) continue;
      const r = resultFromLatest(row.result, row.deployment_id);
      if (r) latest.push(r);
    }
    const history = new Map<string, ProbeResult[]>();
    const newest = this.#db.prepare(`SELECT ${HISTORY_COLUMNS.join(', ')} FROM llm_health_history WHERE deployment_id = ? ORDER BY checked_at DESC LIMIT ?`);
    for (const id of ids) {
      const rows = newest.all(id, historyRows) as HistoryRecord[];
      if (rows.length) history.set(id, rows.reverse().map(resultFromHistory));
    }
    const runs = new Map<string, UptimeSegment[]>();
    const since = Date.now() - UPTIME_KEEP_MS;
    const newestRuns = this.#db.prepare(`SELECT ${RUN_COLUMNS.join(', ')} FROM llm_health_uptime WHERE deployment_id = ? AND until_at >= ? ORDER BY start_at DESC LIMIT ${MAX_SEGMENTS}`);
    for (const id of ids) {
      const rows = newestRuns.all(id, since) as RunRecord[];
      if (rows.length) runs.set(id, rows.reverse().map(runFromRecord));
    }
    const spend = new Map<string, DaySpend[]>();
    const firstDay = dayOf(Date.now() - (SPEND_DAYS - 1) * 86_400_000);
    for (const row of this.#db.prepare(`SELECT ${DAY_COLUMNS.join(', ')} FROM llm_health_spend_daily WHERE day >= ? ORDER BY deployment_id, day`).iterate(firstDay) as Iterable<DayRecord>) {
      if (!wanted.has(row.deployment_id)) continue;
      let list = spend.get(row.deployment_id);
      if (!list) spend.set(row.deployment_id, (list = []));
      list.push(dayFromRecord(row));
    }
    const meta = new Map((this.#db.prepare('SELECT key, value FROM llm_health_meta').all() as Array<{ key: string; value: string }>).map((m) => [m.key, m.value]));
    return { latest, history, runs, spend, meta };
  }

  async write(batch: WriteBatch): Promise<void> {
    this.#writeTx(batch);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.#db.prepare('INSERT INTO llm_health_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async prune(retention: Retention, now: number, ids: readonly string[]): Promise<number> {
    const cutoff = Math.round(now - retention.maxAgeMs);
    const byAge = this.#db.prepare(`DELETE FROM llm_health_history WHERE rowid IN (SELECT rowid FROM llm_health_history WHERE checked_at < ? LIMIT ${PRUNE_CHUNK})`);
    let deleted = 0;
    for (let n = PRUNE_CHUNK; n === PRUNE_CHUNK; await yieldToLoop()) {
      n = byAge.run(cutoff).changes;
      deleted += n;
    }
    deleted += this.#db.prepare('DELETE FROM llm_health_latest WHERE checked_at < ?').run(cutoff).changes;
    deleted += this.#db.prepare('DELETE FROM llm_health_uptime WHERE until_at < ?').run(Math.round(now - UPTIME_KEEP_MS)).changes;
    deleted += this.#db.prepare('DELETE FROM llm_health_spend_daily WHERE day < ?').run(dayOf(now - SPEND_DAYS * 86_400_000)).changes;
    const byCount = this.#db.prepare(`DELETE FROM llm_health_history WHERE deployment_id = ? AND checked_at <
      (SELECT checked_at FROM llm_health_history WHERE deployment_id = ? ORDER BY checked_at DESC LIMIT 1 OFFSET ?)`);
    for (let i = 0; i < ids.length; i++) {
      deleted += byCount.run(ids[i], ids[i], retention.maxRowsPerDeployment - 1).changes;
      if (i % 500 === 499) await yieldToLoop();
    }
    return deleted;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
