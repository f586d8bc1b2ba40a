import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import type { MemoryStore } from '../store/memory.js';
import { databaseTarget, publicDatabaseUrl } from './select.js';
import type { DatabaseTarget, HistoryDatabase, Restored, Retention } from './types.js';
import { PersistWriter, type WriterStatus } from './writer.js';

/** What readiness and the logs say about persistence. */
export interface PersistenceStatus {
  kind: DatabaseTarget['kind'];
  /** Where (a path, or a URL without credentials); absent for memory. */
  where?: string;
  /** Writing works now. */
  connected: boolean;
  /** Why it does not (start-up refusal, or the last failed write). */
  error?: string;
  writer?: WriterStatus;
}

export interface OpenOptions {
  target: DatabaseTarget;
  logger: Logger;
  retention: () => Retention;
  /** The deployments whose results are read back, and the history rows kept per deployment. */
  ids: readonly string[];
  historyRows: number;
  /** Writer tuning (tests). */
  flushMs?: number;
}

function whereOf(target: DatabaseTarget): string | undefined {
  return target.kind === 'sqlite' ? target.path : target.kind === 'postgres' ? publicDatabaseUrl(target.url) : undefined;
}

// Each driver is loaded only when configured: better-sqlite3, pg and ioredis (fleet/select.ts)
// loaded at start-up were ~10 MB of the RSS of an exporter that uses none of them.
async function connect(target: Exclude<DatabaseTarget, { kind: 'memory' }>): Promise<HistoryDatabase> {
  if (target.kind === 'sqlite') {
    const { SqliteHistory } = await import('./sqlite.js');
    return new SqliteHistory(target.path);
  }
  const { PostgresHistory } = await import('./postgres.js');
  return new PostgresHistory(target.url);
}

/**
 * The history database as the app sees it: opened once at start-up, read back into the store,
 * then fed every stored result through a batching writer. A database that cannot be used (corrupt,
 * locked, unreachable, newer schema) is reported once, clearly, and the process runs on with
 * memory only: it never stops probing or serving because of its database.
 */
export class Persistence {
  readonly #target: DatabaseTarget;
  readonly #writer: PersistWriter | undefined;
  readonly #startError: string | undefined;
  readonly #restored: Restored | undefined;
  #writeError: string | undefined;
  #sealed = false;

  private constructor(target: DatabaseTarget, writer?: PersistWriter, restored?: Restored, startError?: string) {
    this.#target = target;
    this.#writer = writer;
    this.#restored = restored;
    this.#startError = startError;
  }

  /** Never throws: a database that cannot be used gives a memory-only Persistence with the reason. */
  static async open(o: OpenOptions): Promise<Persistence> {
    const target = o.target;
    if (target.kind === 'memory') {
      o.logger.info({ why: target.why }, 'history kept in memory only: it does not survive a restart (docs/persistence.md)');
      return new Persistence(target);
    }
    const where = whereOf(target);
    let db: HistoryDatabase | undefined;
    try {
      db = await connect(target);
      await db.migrate();
      const restored = await db.load(o.ids, o.historyRows);
      const self: Persistence = new Persistence(target, new PersistWriter({
        db,
        retention: o.retention,
        flushMs: o.flushMs,
        onError: (message) => { self.#writeError = message; o.logger.error({ db: where, err: message }, 'history database write failed: results stay in memory and are written when it works again'); },
        onRecovered: () => { self.#writeError = undefined; o.logger.info({ db: where }, 'history database writable again'); },
      }), restored);
      o.logger.info({ db: where, kind: target.kind, latest: restored.latest.length }, 'history database open: latest results and history read back');
      return self;
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      await db?.close().catch(() => undefined);
      o.logger.error({ db: where, err: message }, 'history database unusable: running with history in memory only; results of this run will not survive a restart');
      return new Persistence(target, undefined, undefined, message);
    }
  }

  get kind(): DatabaseTarget['kind'] { return this.#writer ? this.#target.kind : 'memory'; }

  /**
   * Where the background grid starts: the origin an earlier run stored, so a restart keeps every
   * deployment's slot; else `now`, stored for the next run.
   */
  gridOrigin(now: number): number {
    const stored = Number(this.#restored?.meta.get('grid_origin'));
    if (Number.isFinite(stored) && stored > 0) return stored;
    void this.#writer?.db.setMeta('grid_origin', String(now)).catch((err: unknown) => { this.#writeError = String((err as Error).message ?? err); });
    return now;
  }

  /**
   * Puts the results read back into the store, each latest one marked `restored`, and from then
   * on queues every stored result: all of them in a database of this replica's own, only this
   * replica's (checked_by) in a shared one (Postgres: each replica writes its own). Call once, before any probe.
   */
  attach(store: MemoryStore, replicaId: string, now: number): void {
    if (this.#restored) {
      // A deployment with rows but no latest result (a database from an older version): its newest row stands in.
      const withLatest = new Set(this.#restored.latest.map((r) => r.deploymentId));
      for (const [id, rows] of this.#restored.history) if (!withLatest.has(id) && rows.length) this.#restored.latest.push(rows[rows.length - 1]!);
      const latest = this.#restored.latest.map((r) => ({ ...r, restored: true }));
      store.restore(latest, this.#restored.history, now, { runs: this.#restored.runs, spend: this.#restored.spend });
      this.#restored.latest.length = 0;
      this.#restored.history.clear();
      this.#restored.runs.clear();
      this.#restored.spend.clear();
    }
    const writer = this.#writer;
    if (!writer) return;
    const shared = this.#target.kind === 'postgres';
    // Runs are the fleet's view (every replica sees every result): in a shared database the newest write of a run wins.
    store.onSet = (r, run, day) => {
      if (this.#sealed) return;
      if (!shared || r.checkedBy === replicaId) writer.add(r, run);
      else if (run) writer.addRun(r.deploymentId, run);
      if (day) writer.addDay(r.deploymentId, day);
    };
    writer.start();
  }

  /**
   * Shutdown has begun: results stored from now on are not written. The probes still in flight
   * are aborted and end as "probe aborted (shutting down)" timeouts; written, they would come
   * back after the restart as a fresh unhealthy verdict nobody re-probes until its next slot.
   */
  seal(): void { this.#sealed = true; }

  /** Writes what is queued now (tests, and shutdown through close). */
  async flush(): Promise<void> { await this.#writer?.flush(); }

  /** Runs a prune now over the deployments given (tests; the writer prunes every minute on its own). */
  async prune(ids?: readonly string[]): Promise<number> { return (await this.#writer?.prune(ids)) ?? 0; }

  status(): PersistenceStatus {
    const where = whereOf(this.#target);
    const error = this.#startError ?? this.#writeError;
    return {
      kind: this.kind,
      ...(where !== undefined ? { where } : {}),
      connected: this.#writer !== undefined && this.#writeError === undefined,
      ...(error !== undefined ? { error } : {}),
      ...(this.#writer ? { writer: this.#writer.status } : {}),
    };
  }

  /** Writes what is queued, then closes the database. */
  async close(): Promise<void> { await this.#writer?.close(); }
}

/**
 * Opens the history database a config asks for (general_settings.health_check_db, DATABASE_URL,
 * the data directory; see select.ts) and reads back its deployments' results. Never throws.
 */
export function openPersistence(config: Pick<LoadedConfig, 'settings' | 'deployments' | 'file'>, o: { logger: Logger; env: NodeJS.ProcessEnv; dataDir?: string | false }): Promise<Persistence> {
  const s = config.settings;
  const target = o.dataDir === false
    ? { kind: 'memory' as const, why: 'one round only (--once)' }
    : databaseTarget({ configured: s.historyDb, env: o.env, dataDir: o.dataDir, configFile: config.file });
  return Persistence.open({
    target,
    logger: o.logger,
    retention: () => ({ maxAgeMs: s.dbRetentionDays * 86_400_000, maxRowsPerDeployment: s.dbMaxRows }),
    ids: config.deployments.map((d) => d.id),
    historyRows: s.historySize,
  });
}
