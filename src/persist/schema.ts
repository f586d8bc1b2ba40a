/**
 * The schema, as numbered migrations per dialect: a database at version n gets n+1 … latest at
 * start-up, in one transaction, and records the version in llm_health_meta. Tables are prefixed
 * llm_health_ so they can live in LiteLLM's own Postgres database beside its tables.
 * Times are epoch milliseconds. No column holds a key, a header or a URL with credentials.
 */
export interface Migration {
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}

export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: {
    sqlite: [
      `CREATE TABLE llm_health_history (
        deployment_id TEXT NOT NULL, checked_at INTEGER NOT NULL, started_at INTEGER NOT NULL, latency_ms REAL NOT NULL,
        healthy INTEGER NOT NULL, error_type TEXT, error TEXT, status INTEGER, checked_by TEXT NOT NULL DEFAULT '')`,
      'CREATE UNIQUE INDEX llm_health_history_key ON llm_health_history (deployment_id, checked_at, checked_by)',
      'CREATE INDEX llm_health_history_time ON llm_health_history (checked_at)',
      'CREATE TABLE llm_health_latest (deployment_id TEXT PRIMARY KEY, checked_at INTEGER NOT NULL, result TEXT NOT NULL)',
    ],
    postgres: [
      `CREATE TABLE llm_health_history (
        deployment_id TEXT NOT NULL, checked_at BIGINT NOT NULL, started_at BIGINT NOT NULL, latency_ms DOUBLE PRECISION NOT NULL,
        healthy BOOLEAN NOT NULL, error_type TEXT, error TEXT, status INTEGER, checked_by TEXT NOT NULL DEFAULT '')`,
      'CREATE UNIQUE INDEX llm_health_history_key ON llm_health_history (deployment_id, checked_at, checked_by)',
      'CREATE INDEX llm_health_history_time ON llm_health_history (checked_at)',
      'CREATE TABLE llm_health_latest (deployment_id TEXT PRIMARY KEY, checked_at BIGINT NOT NULL, result TEXT NOT NULL)',
    ],
  },
  // Uptime: runs of equal outcomes (src/store/uptime-runs.ts), one row per run, updated as it grows.
  2: {
    sqlite: [
      `CREATE TABLE llm_health_uptime (deployment_id TEXT NOT NULL, start_at INTEGER NOT NULL, last_at INTEGER NOT NULL,
        until_at INTEGER NOT NULL, healthy INTEGER NOT NULL, probes INTEGER NOT NULL, PRIMARY KEY (deployment_id, start_at))`,
      'CREATE INDEX llm_health_uptime_until ON llm_health_uptime (until_at)',
    ],
    postgres: [
      `CREATE TABLE llm_health_uptime (deployment_id TEXT NOT NULL, start_at BIGINT NOT NULL, last_at BIGINT NOT NULL,
        until_at BIGINT NOT NULL, healthy BOOLEAN NOT NULL, probes INTEGER NOT NULL, PRIMARY KEY (deployment_id, start_at))`,
      'CREATE INDEX llm_health_uptime_until ON llm_health_uptime (until_at)',
    ],
  },
  // Spend: what each deployment's probes used and cost, per UTC day (src/store/spend.ts).
  3: {
    sqlite: [
      `CREATE TABLE llm_health_spend_daily (deployment_id TEXT NOT NULL, day TEXT NOT NULL, probes INTEGER NOT NULL, unpriced INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, PRIMARY KEY (deployment_id, day))`,
    ],
    postgres: [
      `CREATE TABLE llm_health_spend_daily (deployment_id TEXT NOT NULL, day TEXT NOT NULL, probes INTEGER NOT NULL, unpriced INTEGER NOT NULL,
        input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, PRIMARY KEY (deployment_id, day))`,
    ],
  },
};
