import type { ProbeResult } from '../core/result.js';
import type { UptimeSegment } from '../store/uptime-runs.js';
import type { DaySpend } from '../store/spend.js';
import type { HistoryDatabase, Retention, StoredDay, StoredRun } from './types.js';

export interface WriterOptions {
  db: HistoryDatabase;
  retention: () => Retention;
  /** A write or prune failed (called once per distinct message until one succeeds again). */
  onError: (message: string) => void;
  /** Writes work again after a failure. */
  onRecovered?: () => void;
  /** Between two writes (default 1 s): results are batched, one transaction each. */
  flushMs?: number;
  /** Rows per transaction at most (default 500); a bigger backlog is written in slices, yielding between them. */
  batchRows?: number;
  /** Rows kept waiting at most while the database fails (default 100,000); the oldest go first. */
  maxQueued?: number;
  /** Between two prunes (default 60 s). */
  pruneEveryMs?: number;
  now?: () => number;
}

export interface WriterStatus {
  pending: number;
  written: number;
  dropped: number;
  lastError?: string;
  lastWriteAt?: number;
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Batches results into the database off the probe path: a probe only appends to an array; a
 * timer writes what accumulated in one transaction. A failing database (full disk, lock, network)
 * never touches the running process's results: they stay in memory and in the queue, and are
 * written when it answers again.
 */
export class PersistWriter {
  readonly #o: WriterOptions;
  #rows: ProbeResult[] = [];
  #latest = new Map<string, ProbeResult>();
  /** Uptime runs touched since the last write, by deployment and start (the run object itself: its newest state is written). */
  #runs = new Map<string, { deploymentId: string; run: UptimeSegment }>();
  /** Days of spend touched since the last write (the day object itself: its newest totals are written). */
  #days = new Map<string, { deploymentId: string; day: DaySpend }>();
  /**
   * Rows written per deployment since its count was last trimmed. A deployment is trimmed to its
   * newest maxRows once a tenth of maxRows (at least 1) has come since: one DELETE per deployment
   * every maxRows/10 probes, not 10,000 DELETEs a minute at 10,000 deployments.
   */
  #sinceTrim = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  #status: WriterStatus = { pending: 0, written: 0, dropped: 0 };

  constructor(opts: WriterOptions) {
    this.#o = opts;
  }

  get db(): HistoryDatabase { return this.#o.db; }

  get status(): WriterStatus { return { ...this.#status, pending: this.#rows.length }; }

  start(): void {
    const every = this.#o.pruneEveryMs ?? 60_000;
    this.#pruneTimer = setInterval(() => void this.prune(), every);
    this.#pruneTimer.unref();
  }

  /** Queues one stored result (history row and latest) and the uptime run it joined. Cheap: no I/O here. */
  add(r: ProbeResult, run?: UptimeSegment): void {
    if (this.#closed) return;
    this.#rows.push(r);
    this.#latest.set(r.deploymentId, r);
    const max = this.#o.maxQueued ?? 100_000;
    if (this.#rows.length > max) {
      const drop = this.#rows.length - max;
      this.#rows.splice(0, drop);
      this.#status.dropped += drop;
    }
    if (run) this.addRun(r.deploymentId, run);
    this.#schedule();
  }

  /** Queues an uptime run alone (a shared database: another replica writes the result itself). */
  addRun(deploymentId: string, run: UptimeSegment): void {
    if (this.#closed) return;
    this.#runs.set(`${deploymentId}\u0000${run.start}`, { deploymentId, run });
    this.#schedule();
  }

  /** Queues a day of spend (its totals are written as they are at the next write). */
  addDay(deploymentId: string, day: DaySpend): void {
    if (this.#closed) return;
    this.#days.set(`${deploymentId}\u0000${day.day}`, { deploymentId, day });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => { this.#timer = undefined; void this.flush(); }, this.#o.flushMs ?? 1000);
    this.#timer.unref();
  }

  /** Writes everything queued now (one flush at a time; a second call waits for the first, then writes what came since). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (!this.#rows.length && !this.#latest.size && !this.#runs.size && !this.#days.size) return;
    this.#flushing = this.#flushOnce().finally(() => { this.#flushing = undefined; });
    await this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const slice = this.#o.batchRows ?? 500;
    while (this.#rows.length || this.#latest.size || this.#runs.size || this.#days.size) {
      const rows = this.#rows.slice(0, slice);
      // The latest results and runs go with the last slice (they are the newest of the queue anyway).
      const last = rows.length === this.#rows.length;
      const latest = last ? [...this.#latest.values()] : [];
      const runs: StoredRun[] = last ? [...this.#runs.values()].map(({ deploymentId, run }) => ({ deploymentId, ...run })) : [];
      const days: StoredDay[] = last ? [...this.#days.values()].map(({ deploymentId, day }) => ({ deploymentId, ...day })) : [];
      try {
        await this.#o.db.write({ rows, latest, runs, days });
      } catch (err) {
        this.#failed(err);
        return;
      }
      this.#rows.splice(0, rows.length);
      if (last) {
        this.#latest.clear();
        this.#runs.clear();
        this.#days.clear();
      }
      for (const r of rows) this.#sinceTrim.set(r.deploymentId, (this.#sinceTrim.get(r.deploymentId) ?? 0) + 1);
      this.#status.written += rows.length;
      this.#status.lastWriteAt = (this.#o.now ?? Date.now)();
      this.#succeeded();
      if (!last) await yieldToLoop();
    }
  }

  /**
   * Drops rows past the retention: by age everywhere, and by count for the deployments given, or
   * else those with a tenth of their rows (at least one) written since their last trim.
   */
  async prune(all?: readonly string[]): Promise<number> {
    const retention = this.#o.retention();
    const due = Math.max(1, Math.floor(retention.maxRowsPerDeployment / 10));
    const ids = all ?? [...this.#sinceTrim].filter(([, n]) => n >= due).map(([id]) => id);
    try {
      const n = await this.#o.db.prune(retention, (this.#o.now ?? Date.now)(), ids);
      for (const id of ids) this.#sinceTrim.delete(id);
      this.#succeeded();
      return n;
    } catch (err) {
      this.#failed(err);
      return 0;
    }
  }

  #failed(err: unknown): void {
    const message = (err as Error).message ?? String(err);
    if (message !== this.#status.lastError) this.#o.onError(message);
    this.#status.lastError = message;
    // Try again later; new results keep arriving meanwhile.
    if (!this.#timer && !this.#closed) {
      this.#timer = setTimeout(() => { this.#timer = undefined; void this.flush(); }, Math.max(this.#o.flushMs ?? 1000, 5000));
      this.#timer.unref();
    }
  }

  #succeeded(): void {
    if (this.#status.lastError === undefined) return;
    this.#status.lastError = undefined;
    this.#o.onRecovered?.();
  }

  /** Final write, then closes the database. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#pruneTimer);
    this.#timer = undefined;
    await this.flush();
    this.#closed = true;
    await this.#o.db.close();
  }
}
