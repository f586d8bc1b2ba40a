import type { ProbeResult } from '../core/result.js';
import type { UptimeSegment } from '../store/uptime-runs.js';
import type { DaySpend } from '../store/spend.js';

/**
 * Where results are kept across restarts: SQLite (a file, the default with a data directory),
 * PostgreSQL (DATABASE_URL, shared by replicas), or nowhere (`:memory:`: today's behaviour).
 */
export type DatabaseTarget =
  | { kind: 'memory'; why: string }
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string };

/** What is read back at start-up. */
export interface Restored {
  /** The latest result per deployment (only deployments asked for). */
  latest: ProbeResult[];
  /** The newest history rows per deployment, oldest first. */
  history: Map<string, ProbeResult[]>;
  /** Uptime runs per deployment of the last 30 days, oldest first. */
  runs: Map<string, UptimeSegment[]>;
  /** Days of spend per deployment (the last 31), oldest first. */
  spend: Map<string, DaySpend[]>;
  /** Meta values (grid_origin, …). */
  meta: Map<string, string>;
}

/** How long rows are kept: by age, and by count per deployment. */
export interface Retention {
  maxAgeMs: number;
  maxRowsPerDeployment: number;
}

/**
 * One database behind the writer. Every method may throw; the writer keeps the results and
 * reports the error. Nothing secret is ever handed to it: results are built from allow-lists.
 */
export interface HistoryDatabase {
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, safe to show (a path, or a URL without user info). */
  readonly where: string;
  /** Creates or migrates the schema; throws a clear error for a corrupt or locked database. */
  migrate(): Promise<void>;
  /** The latest result and the newest `historyRows` rows of each deployment in `ids`. */
  load(ids: readonly string[], historyRows: number): Promise<Restored>;
  /** Writes a batch in one transaction: history rows (duplicates ignored), latest results, uptime runs. */
  write(batch: WriteBatch): Promise<void>;
  setMeta(key: string, value: string): Promise<void>;
  /** Drops rows older than the retention, and rows beyond the count of the deployments given; runs older than 30 days. */
  prune(retention: Retention, now: number, ids: readonly string[]): Promise<number>;
  close(): Promise<void>;
}

export interface WriteBatch {
  /** History rows, in the order they were stored. */
  rows: readonly ProbeResult[];
  /** The latest result per deployment after this batch. */
  latest: readonly ProbeResult[];
  /** Uptime runs created or extended since the last batch (upserted by deployment and start). */
  runs: readonly StoredRun[];
  /** Days of spend touched since the last batch, with their totals (upserted by deployment and day). */
  days: readonly StoredDay[];
}

export interface StoredDay extends Readonly<DaySpend> {
  readonly deploymentId: string;
}

export interface StoredRun extends Readonly<UptimeSegment> {
  readonly deploymentId: string;
}

/** The schema version this build writes; older databases are migrated forward at start-up. */
export const SCHEMA_VERSION = 3;
