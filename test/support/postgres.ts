import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from './tools.js';

/**
 * A real PostgreSQL server (Debian's postgresql package) in a temp dir on a free loopback port,
 * started with initdb and postgres, password auth (scram) for a superuser. As root, it runs as the
 * `postgres` user (initdb refuses root). `fsync=off`: a test server, thrown away after.
 */
export interface TestPostgres {
  port: number;
  /** postgres://USER:PASSWORD@127.0.0.1:PORT/DB for a fresh database (createDatabase). */
  password: string;
  user: string;
  createDatabase(name: string): Promise<string>;
  query<T extends pg.QueryResultRow = any>(db: string, sql: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** initdb and postgres: on PATH, else Debian's versioned folder. */
function binary(name: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`]).toString().trim();
  } catch {
    const base = '/usr/lib/postgresql';
    const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
    for (const v of versions) if (existsSync(join(base, v, 'bin', name))) return join(base, v, 'bin', name);
    throw new Error(`${name} not found (scripts/ensure-test-tools.sh, run by npm test, installs Debian's postgresql package)`);
  }
}

export async function startPostgres(): Promise<TestPostgres> {
  const user = 'lhe';
  const password = 'pg-CANARYpassword-0001';
  const dir = mkdtempSync(join(tmpdir(), 'lhe-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`);
  let ids: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    ids = { uid, gid };
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  chmodSync(dir, 0o700);
  execFileSync(binary('initdb'), ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync', '--no-instructions'], { stdio: 'ignore', ...ids });
  const port = await freePort();
  const child: ChildProcess = spawn(binary('postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off'], { stdio: 'ignore', ...ids });
  const url = (db: string) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
  const query = async <T extends pg.QueryResultRow>(db: string, sql: string, values?: unknown[]): Promise<T[]> => {
    const c = new pg.Client({ connectionString: url(db) });
    await c.connect();
    try {
      return (await c.query<T>(sql, values)).rows;
    } finally {
      await c.end();
    }
  };
  await waitFor(() => query('postgres', 'SELECT 1').then(() => true), 20_000, 'postgres accepting connections');
  return {
    port,
    user,
    password,
    query,
    async createDatabase(name) {
      await query('postgres', `CREATE DATABASE "${name}"`);
      return url(name);
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT'); // fast shutdown
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
