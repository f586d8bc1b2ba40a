import pg from 'pg';
import type { ProbeResult } from '../core/result.js';
import { MAX_SEGMENTS, UPTIME_KEEP_MS, type UptimeSegment } from '../store/uptime-runs.js';
import { SPEND_DAYS, dayOf, type DaySpend } from '../store/spend.js';
import { DAY_COLUMNS, dayFromRecord, HISTORY_COLUMNS, historyValues, latestJson, resultFromHistory, resultFromLatest, RUN_COLUMNS, runFromRecord, type DayRecord, type HistoryRecord, type RunRecord } from './rows.js';
import { MIGRATIONS } from './schema.js';
import { publicDatabaseUrl } from './select.js';
import { SCHEMA_VERSION, type HistoryDatabase, type Restored, type Retention, type WriteBatch } from './types.js';

/** Replicas starting together migrate one at a time (a transaction-scoped advisory lock). */
const MIGRATION_LOCK = 0x6c6c6d68; // "llmh"

/** Why Postgres refused, without the URL's user info or password. */
export function describePostgresError(err: unknown, where: string): string {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT' || /timeout/i.test(msg)) return `cannot reach ${where}: ${msg}`;
  if (e.code === '28P01' || e.code === '28000') return `${where}: authentication failed (check the user and password of DATABASE_URL)`;
  if (e.code === '3D000') return `${where}: the database does not exist`;
  return `${where}: ${msg}`;
}

/**
 * History in PostgreSQL (DATABASE_URL, e.g. LiteLLM's own database): replicas share it, each
 * writing its own results; tables are prefixed llm_health_ beside LiteLLM's.
 */
export class PostgresHistory implements HistoryDatabase {
  readonly kind = 'postgres' as const;
  readonly where: string;
  readonly #pool: pg.Pool;

  constructor(url: string) {
    this.where = publicDatabaseUrl(url);
    this.#pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
    // An idle connection dropped by the server must not crash the process: the next query reconnects.
    this.#pool.on('error', () => undefined);
  }

  async #q<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<T>> {
    try {
      return await this.#pool.query<T>(text, values);
    } catch (err) {
      throw new Error(describePostgresError(err, this.where));
    }
  }

  async migrate(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw new Error(describePostgresError(err, this.where));
    }
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS llm_health_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const row = await client.query<{ value: string }>("SELECT value FROM llm_health_meta WHERE key = 'schema_version'");
      const version = row.rows[0] ? Number(row.rows[0].value) : 0;
      if (version > SCHEMA_VERSION) throw new Error(`written by a newer version of the exporter (schema ${version}; this one knows up to ${SCHEMA_VERSION})`);
      for (let v = version + 1; v <= SCHEMA_VERSION; v++) for (const sql of MIGRATIONS[v]!.postgres) await client.query(sql);
      await client.query("INSERT INTO llm_health_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(SCHEMA_VERSION)]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(describePostgresError(err, this.where));
    } finally {
      client.release();
    }
  }

  async load(ids: readonly string[], historyRows: number): Promise<Restored> {
    const latest: ProbeResult[] = [];
    const rows = await this.#q<{ deployment_id: string; result: string }>('SELECT deployment_id, result FROM llm_health_latest WHERE deployment_id = ANY($1)', [ids]);
    for (const row of rows.rows) {
      const r = resultFromLatest(row.result, row.deployment_id);
      if (r) latest.push(r);
    }
    const history = new Map<string, ProbeResult[]>();
    const cols = HISTORY_COLUMNS.join(', ');
    const h = await this.#q<HistoryRecord>(`SELECT ${cols} FROM (SELECT ${cols}, row_number() OVER (PARTITION BY deployment_id ORDER BY checked_at DESC) AS rn
      FROM llm_health_history WHERE deployment_id = ANY($1)) t WHERE rn <= $2 ORDER BY deployment_id, checked_at`, [ids, historyRows]);
    for (const row of h.rows) {
      let list = history.get(row.deployment_id);
      if (!list) history.set(row.deployment_id, (list = []));
      list.push(resultFromHistory(row));
    }
    const runs = new Map<string, UptimeSegment[]>();
    const rc = RUN_COLUMNS.join(', ');
    const u = await this.#q<RunRecord>(`SELECT ${rc} FROM (SELECT ${rc}, row_number() OVER (PARTITION BY deployment_id ORDER BY start_at DESC) AS rn
      FROM llm_health_uptime WHERE deployment_id = ANY($1) AND until_at >= $2) t WHERE rn <= $3 ORDER BY deployment_id, start_at`, [ids, Date.now() - UPTIME_KEEP_MS, MAX_SEGMENTS]);
    for (const row of u.rows) {
      let list = runs.get(row.deployment_id);
      if (!list) runs.set(row.deployment_id, (list = []));
      list.push(runFromRecord(row));
    }
    const spend = new Map<string, DaySpend[]>();
    const days = await this.#q<DayRecord>(`SELECT ${DAY_COLUMNS.join(', ')} FROM llm_health_spend_daily WHERE deployment_id = ANY($1) AND day >= $2 ORDER BY deployment_id, day`,
      [ids, dayOf(Date.now() - (SPEND_DAYS - 1) * 86_400_000)]);
    for (const row of days.rows) {
      let list = spend.get(row.deployment_id);
      if (!list) spend.set(row.deployment_id, (list = []));
      list.push(dayFromRecord(row));
    }
    const meta = await this.#q<{ key: string; value: string }>('SELECT key, value FROM llm_health_meta');
    return { latest, history, runs, spend, meta: new Map(meta.rows.map((m) => [m.key, m.value])) };
  }

  async write(batch: WriteBatch): Promise<void> {
    if (!batch.rows.length && !batch.latest.length && !batch.runs.length && !batch.days.length) return;
    const client = await this.#pool.connect().catch((err: unknown) => { throw new Error(describePostgresError(err, this.where)); });
    try {
      await client.query('BEGIN');
      if (batch.rows.length) {
        const n = HISTORY_COLUMNS.length;
        // healthy (column 4) is a BOOLEAN here, an INTEGER in SQLite.
        const values = batch.rows.flatMap((r) => { const v: unknown[] = historyValues(r); v[4] = v[4] === 1; return v; });
        const tuples = batch.rows.map((_, i) => `(${HISTORY_COLUMNS.map((__, j) => `$${i * n + j + 1}`).join(', ')})`).join(', ');
        await client.query(`INSERT INTO llm_health_history (${HISTORY_COLUMNS.join(', ')}) VALUES ${tuples} ON CONFLICT DO NOTHING`, values);
      }
      if (batch.latest.length) {
        await client.query(`INSERT INTO llm_health_latest (deployment_id, checked_at, result)
          SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
          ON CONFLICT (deployment_id) DO UPDATE SET checked_at = excluded.checked_at, result = excluded.result WHERE excluded.checked_at >= llm_health_latest.checked_at`,
        [batch.latest.map((r) => r.deploymentId), batch.latest.map((r) => Math.round(r.checkedAt)), batch.latest.map(latestJson)]);
      }
      if (batch.runs.length) {
        const r = batch.runs;
        await client.query(`INSERT INTO llm_health_uptime (${RUN_COLUMNS.join(', ')})
          SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::boolean[], $6::int[])
          ON CONFLICT (deployment_id, start_at) DO UPDATE SET last_at = excluded.last_at, until_at = excluded.until_at, probes = excluded.probes
          WHERE excluded.last_at >= llm_health_uptime.last_at`,
        [r.map((x) => x.deploymentId), r.map((x) => Math.round(x.start)), r.map((x) => Math.round(x.lastAt)), r.map((x) => Math.round(x.until)), r.map((x) => x.healthy), r.map((x) => x.probes)]);
      }
      if (batch.days.length) {
        const d = batch.days;
        await client.query(`INSERT INTO llm_health_spend_daily (${DAY_COLUMNS.join(', ')})
          SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::bigint[], $6::bigint[], $7::float8[])
          ON CONFLICT (deployment_id, day) DO UPDATE SET probes = excluded.probes, unpriced = excluded.unpriced, input_tokens = excluded.input_tokens,
          output_tokens = excluded.output_tokens, cost_usd = excluded.cost_usd WHERE excluded.probes >= llm_health_spend_daily.probes`,
        [d.map((x) => x.deploymentId), d.map((x) => x.day), d.map((x) => x.probes), d.map((x) => x.unpriced), d.map((x) => x.inputTokens), d.map((x) => x.outputTokens), d.map((x) => x.costUsd)]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(describePostgresError(err, this.where));
    } finally {
      client.release();
    }
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.#q('INSERT INTO llm_health_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
  }

  async prune(retention: Retention, now: number, ids: readonly string[]): Promise<number> {
    const cutoff = Math.round(now - retention.maxAgeMs);
    let deleted = (await this.#q('DELETE FROM llm_health_history WHERE checked_at < $1', [cutoff])).rowCount ?? 0;
    deleted += (await this.#q('DELETE FROM llm_health_latest WHERE checked_at < $1', [cutoff])).rowCount ?? 0;
    deleted += (await this.#q('DELETE FROM llm_health_uptime WHERE until_at < $1', [Math.round(now - UPTIME_KEEP_MS)])).rowCount ?? 0;
    deleted += (await this.#q('DELETE FROM llm_health_spend_daily WHERE day < $1', [dayOf(now - SPEND_DAYS * 86_400_000)])).rowCount ?? 0;
    if (ids.length) {
      deleted += (await this.#q(`DELETE FROM llm_health_history h USING (
        SELECT deployment_id, checked_at, checked_by, row_number() OVER (PARTITION BY deployment_id ORDER BY checked_at DESC) AS rn
        FROM llm_health_history WHERE deployment_id = ANY($1)) x
        WHERE x.rn > $2 AND h.deployment_id = x.deployment_id AND h.checked_at = x.checked_at AND h.checked_by = x.checked_by`, [ids, retention.maxRowsPerDeployment])).rowCount ?? 0;
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
