import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/core/meta.js';

/** The built exporter (dist/, what `npm start` runs) as a separate process on a free port. */
export interface Replica {
  child: ChildProcess;
  address: string;
  stderr(): string;
  json<T = any>(path: string): Promise<{ status: number; body: T }>;
  /** SIGTERM (or the signal given); resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnReplica(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Replica> {
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'dist/src/cli/main.js'), ...args, '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += String(c);
      const m = /"address":"(http:\/\/[^"]+)"/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return {
    child,
    address,
    stderr: () => stderr,
    json: async (path) => {
      const res = await fetch(`${address}${path}`);
      return { status: res.status, body: (await res.json()) as never };
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      return exited;
    },
  };
}
