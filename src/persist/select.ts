import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { DatabaseTarget } from './types.js';

/** The variable naming the data directory when --data-dir does not. */
export const DATA_DIR_ENV = 'LLM_HEALTH_DATA_DIR';
/** The SQLite file's name inside the data directory. */
export const DEFAULT_DB_FILE = 'llm-health-exporter.db';

const isPostgres = (s: string) => /^postgres(ql)?:\/\//i.test(s);

/**
 * Where results persist, in this order:
 * 1. general_settings.health_check_db: `:memory:`, a postgres:// URL, or a SQLite path (relative
 *    to the data directory when one is given, else to the config file's folder);
 * 2. DATABASE_URL, when it is a postgres:// URL (LiteLLM's own variable);
 * 3. <data directory>/llm-health-exporter.db, with --data-dir or LLM_HEALTH_DATA_DIR;
 * 4. otherwise memory only: nothing is written anywhere the user did not name.
 */
export function databaseTarget(opts: { configured?: string; env: NodeJS.ProcessEnv; dataDir?: string; configFile: string }): DatabaseTarget {
  const { configured, env } = opts;
  const dataDir = opts.dataDir || env[DATA_DIR_ENV] || undefined;
  if (configured !== undefined) {
    if (configured === ':memory:') return { kind: 'memory', why: 'general_settings.health_check_db is :memory:' };
    if (isPostgres(configured)) return { kind: 'postgres', url: configured };
    return { kind: 'sqlite', path: isAbsolute(configured) ? configured : resolve(dataDir ?? dirname(opts.configFile), configured) };
  }
  if (env.DATABASE_URL && isPostgres(env.DATABASE_URL)) return { kind: 'postgres', url: env.DATABASE_URL };
  if (dataDir) return { kind: 'sqlite', path: resolve(join(dataDir, DEFAULT_DB_FILE)) };
  return { kind: 'memory', why: `no data directory (--data-dir or ${DATA_DIR_ENV}), no general_settings.health_check_db and no DATABASE_URL` };
}

/** A postgres URL without its user info, password, or query (which may hold a password too). */
export function publicDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres://[unparseable URL]';
  }
}
