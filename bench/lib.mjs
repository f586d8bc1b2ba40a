// Shared helpers of the benchmark: child processes (one startChild, every child killed on exit),
// /proc readings, statistics, interleaving, the fake upstream's probe counts, config files.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout: the bench scripts, the fake upstream, the baselines. */
export const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The build measured (its dist/ and node_modules): BENCH_ROOT, by default this checkout. */
export const ROOT = resolve(process.env.BENCH_ROOT ?? PKG);
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export const log = (...a) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const children = new Set();
process.on('exit', () => { for (const c of children) try { c.kill('SIGKILL'); } catch { /* gone */ } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

/**
 * Spawns a child and resolves once `match` matches its output (the first group is `value`).
 * Rejects with the tail of its output if it exits first or does not match within `timeoutMs`.
 * `spawnedAt` is the performance.now() of the spawn, for launch timings.
 */
export function startChild(cmd, args, { readyFrom = 'stdout', match = /^(\d+)\s*$/m, env = {}, timeoutMs = 120_000, label = cmd } = {}) {
  return new Promise((resolve_, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    children.add(child);
    let out = '';
    let done = false;
    const fail = (why) => { if (!done) { done = true; clearTimeout(timer); reject(new Error(`${label}: ${why}\n--- last output ---\n${out.slice(-1500)}`)); } };
    const timer = setTimeout(() => { fail(`no ${match} within ${timeoutMs} ms`); child.kill('SIGKILL'); }, timeoutMs);
    const onData = (c) => {
      if (out.length < 1e6) out += c; else out = out.slice(-5e5) + c;
      if (done) return;
      const m = match.exec(out);
      if (m) { done = true; clearTimeout(timer); resolve_({ child, value: m[1], spawnedAt, readyAt: performance.now(), output: () => out }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', readyFrom === 'stderr' ? onData : (c) => { out += c; });
    if (readyFrom === 'stderr') child.stdout.on('data', () => {});
    child.on('exit', (code, sig) => { children.delete(child); fail(`exited (${code ?? sig}) before it was ready`); });
  });
}

/** Stops a child (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
export function stop(child) {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => { clearTimeout(kill); r(); });
    child.kill('SIGTERM');
  });
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
export function cpuOf(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
function statusKb(pid, key) {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(m[1]);
}
/** Resident set now, MB. */
export const rssMbOf = (pid) => statusKb(pid, 'VmRSS') / 1024;
/** Peak resident set since the process started (VmHWM), MB. */
export const peakRssMbOf = (pid) => statusKb(pid, 'VmHWM') / 1024;

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
/** min, median and max of a list. */
export const stats = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs), n: xs.length });

/**
 * Runs `reps` repetitions of every side in turn (A B C A B C ...), so a noisy neighbour on a
 * shared machine hits every side alike. Returns, per side name, the list of its results.
 */
export async function interleave(reps, sides) {
  const out = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let r = 0; r < reps; r++) {
    for (const [name, run] of Object.entries(sides)) out[name].push(await run(r));
  }
  return out;
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at once. */
export async function pool(n, concurrency, task) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < n) await task(next++); }));
}

/** A free TCP port on loopback (for children whose readiness is polled from their spawn). */
export function freePort() {
  return new Promise((r, j) => {
    const s = createServer();
    s.once('error', j);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => r(port)); });
  });
}

// Looked up on PATH, not run: every side's child imports this module.
const hasTaskset = (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'taskset')));
/**
 * CPU pinning for the sequential probe parts (cold-warm, scaling): the measured side on CPU 0,
 * its upstream on CPU 1, as if the upstream were remote. Unpinned on 2 cores, where the scheduler
 * put the two processes decided a side's figure: the same `Pool` loop took 0.033 or 0.056 CPU-s
 * per 1,000 probes from process to process (bench/FINDINGS.md, eighth pass). Off without
 * `taskset`, with fewer than 2 CPUs, or with BENCH_PIN=0.
 */
export const PIN = hasTaskset && availableParallelism() >= 2 && process.env.BENCH_PIN !== '0' ? { side: 0, fake: 1 } : null;
/** `cmd args` run on one CPU (taskset execs the command, so the child's pid is the command's). */
export const onCpu = (cpu, cmd, args) => (cpu === undefined || !PIN ? [cmd, args] : ['taskset', ['-c', String(cpu), cmd, ...args]]);

/** The fake upstream (bench/fake-openai.mjs) in its own process, on `cpu` if given; counts probes per path prefix. */
export async function startFake(env = {}, cpu) {
  const fake = await startChild(...onCpu(cpu, process.execPath, [join(PKG, 'bench/fake-openai.mjs')]), { env, label: 'fake upstream' });
  const origin = `http://127.0.0.1:${fake.value}`;
  return {
    child: fake.child,
    origin,
    /** The api_base of one side: its chat requests are counted under `side`. */
    base: (side) => `${origin}/${side}/v1`,
    /** Chat requests answered so far, per side. */
    async counts() { return (await fetch(`${origin}/_counts`)).json(); },
  };
}

/** A LiteLLM config of `n` chat deployments on `base`, with these general_settings lines. */
export function configText(n, base, general = {}) {
  const list = Array.from({ length: n }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "${base}", api_key: sk-bench, organization: org-${i} }\n    model_info: { id: d${i} }\n`).join('');
  const gs = Object.entries({ health_check_min_interval: 0, ...general }).map(([k, v]) => `  ${k}: ${v}\n`).join('');
  return `model_list:\n${list}general_settings:\n${gs}`;
}

/**
 * The node flags and environment the measured build ships with (src/cli/node-flags.ts: its bin,
 * npm start and image pass them), so the exporter runs here as users run it; none for builds from
 * before them.
 */
const shipped = existsSync(join(ROOT, 'dist/src/cli/node-flags.js')) ? await import(join(ROOT, 'dist/src/cli/node-flags.js')) : {};
export const EXPORTER_NODE_FLAGS = [...(shipped.SHIPPED_NODE_FLAGS ?? [])];
export const EXPORTER_NODE_ENV = { ...shipped.SHIPPED_NODE_ENV };

/** The exporter's CLI on `file`, on a known port so readiness can be polled from the spawn. */
export async function startExporterCli(file, { port, extraArgs = [], nodeArgs = [], timeoutMs = 180_000 } = {}) {
  const p = port ?? await freePort();
  const started = await startChild(process.execPath, [...EXPORTER_NODE_FLAGS, ...nodeArgs, join(ROOT, 'dist/src/cli/main.js'), file, '--host', '127.0.0.1', '--port', String(p), '--log-level', 'info', ...extraArgs], {
    env: EXPORTER_NODE_ENV, readyFrom: 'stderr', match: /"address":"(http:\/\/[^"]+)"/, timeoutMs, label: 'exporter CLI',
  });
  return { ...started, url: `http://127.0.0.1:${p}`, listeningS: (started.readyAt - started.spawnedAt) / 1000 };
}

/**
 * Polls /health/readiness every 25 ms until it answers 200; returns performance.now() then.
 * (The exporter logs "listening" before its first round, so readiness is what a load balancer waits for.)
 */
export async function waitReady(url, timeoutMs = 180_000) {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    try {
      const res = await fetch(`${url}/health/readiness`);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch { /* not listening yet */ }
    await sleep(25);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

/** Throws unless every deployment in the exporter's /health answer is healthy. */
export async function assertAllHealthy(url, n) {
  const body = await (await fetch(`${url}/health`)).json();
  if (body.unhealthy_count !== 0 || body.healthy_count !== n) {
    throw new Error(`probes failed during the benchmark: healthy ${body.healthy_count}, unhealthy ${body.unhealthy_count} of ${n}; first: ${JSON.stringify(body.unhealthy_endpoints?.[0] ?? null).slice(0, 400)}`);
  }
}

export const fmt = (x, d = 2) => (x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
/** "min–median–max" of a stats object. */
export const range = (s, d = 2) => (s.n === 1 ? `**${fmt(s.median, d)}** (one run)` : `${fmt(s.min, d)} – **${fmt(s.median, d)}** – ${fmt(s.max, d)}`);
export const ok = (b) => (b ? 'met' : '**missed**');
