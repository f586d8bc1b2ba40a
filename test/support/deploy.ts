import { spawn, type ChildProcess } from 'node:child_process';

/** The environment for a child npm: this one without the npm_* variables of the `npm test` running us. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Runs a shell command line (as a Dockerfile RUN does), resolving with its exit code and output. */
export function sh(command: string, opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += String(c); });
    child.stderr.on('data', (c: Buffer) => { out += String(c); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timed out after ${opts.timeoutMs} ms: ${command}\n${out.slice(-2000)}`)); }, opts.timeoutMs ?? 120_000);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code: code ?? 1, out }); });
  });
}

export interface Started {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (signal: -1). */
  exited: Promise<number>;
}

/** Spawns a process and collects its output. */
export function start(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Started {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += String(c); });
  child.stderr!.on('data', (c: Buffer) => { out += String(c); });
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return { child, output: () => out, exited };
}

/**
 * Waits until the process's output matches `pattern` (checked on every chunk it writes), and
 * returns the match; fails at once when the process exits first, or after `timeoutMs`.
 */
export function waitForOutput(p: Started, pattern: RegExp, timeoutMs = 45_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(p.output());
      if (m) { done(); resolve(m); }
    };
    const onExit = (code: number | null) => { done(); reject(new Error(`exited (${code}) before printing ${pattern}:\n${p.output().slice(-3000)}`)); };
    const timer = setTimeout(() => { done(); reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${p.output().slice(-3000)}`)); }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      p.child.stdout!.off('data', check);
      p.child.stderr!.off('data', check);
      p.child.off('exit', onExit);
    };
    p.child.stdout!.on('data', check);
    p.child.stderr!.on('data', check);
    p.child.once('exit', onExit);
    check();
    if (p.child.exitCode !== null || p.child.signalCode !== null) onExit(p.child.exitCode);
  });
}

/** SIGKILLs a process still running and waits for it (cleanup after a failed test). */
export async function stop(p: Started | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await p.exited;
}
