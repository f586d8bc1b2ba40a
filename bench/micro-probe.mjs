// Probe CPU against a bare undici Pool loop, per regime, each side in a fresh process of its own
// and the sides interleaved (A B C A B C …) so a noisy neighbour hits all alike.
//
//   node bench/micro-probe.mjs burst   [reps] [root …]   cold + warm rounds of 2,000 chat probes at concurrency 16
//   node bench/micro-probe.mjs trickle [reps] [root …]   background mode at ~33 probes/s, CPU over a 20 s window
//   node bench/micro-probe.mjs scale   [reps] [root …]   warm CPU per 1,000 probes at 100, 1,000, 10,000 deployments
//
// A root is a checkout with dist/ built (default: this one); give two (e.g. /work/base .) to
// compare before and after. The fake upstream (bench/fake-openai.mjs) runs in its own process.
// CPU is user + system from process.cpuUsage (bursts) or /proc (trickle).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONCURRENCY = 16;
const FROM_S = Number(process.env.TRICKLE_FROM_S ?? 13);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const range = (xs) => `${Math.min(...xs).toFixed(3)}–${median(xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}`;
const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);

function configText(n, base, general = '') {
  const list = Array.from({ length: n }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "${base}", api_key: sk-bench, organization: org-${i} }\n    model_info: { id: d${i} }\n`).join('');
  return `model_list:\n${list}general_settings:\n  health_check_concurrency: ${CONCURRENCY}\n  health_check_min_interval: 0\n${general}`;
}
const cpuNow = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
function cpuOf(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

// ---------- children: one side, one process ----------
async function poolSide(port, n, rounds) {
  const { Pool } = await import('undici');
  const pool = new Pool(`http://127.0.0.1:${port}`);
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 });
  const headers = Array.from({ length: n }, (_, i) => ({ accept: 'application/json', authorization: 'Bearer sk-bench', 'openai-organization': `org-${i}`, 'content-type': 'application/json' }));
  const once = async (i) => {
    const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: headers[i], body });
    const json = JSON.parse(await res.body.text());
    if (res.statusCode !== 200 || !json.choices?.length) throw new Error('bad answer');
  };
  const round = async (total) => {
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < total) await once(next++ % n); }));
  };
  return { round, once, close: () => pool.close() };
}
async function appSide(root, port, n) {
  const { App } = await import(join(root, 'dist/src/app.js'));
  const { parseConfig } = await import(join(root, 'dist/src/config/load.js'));
  const { createLogger } = await import(join(root, 'dist/src/cli/logger.js'));
  const config = parseConfig(configText(n, `http://127.0.0.1:${port}/v1`), 'bench.yaml', {});
  const ex = await App.create({ config, logger: createLogger('silent'), env: {} });
  const round = async (total) => {
    for (let done = 0; done < total; done += n) {
      const out = await ex.scheduler.probeAll(ex.deployments);
      if (out.some((o) => !o.result.healthy)) throw new Error(`a probe failed: ${JSON.stringify(out.find((o) => !o.result.healthy).result)}`);
    }
  };
  return { round, close: () => ex.close() };
}
/** Rounds of `total` probes over `n` deployments; prints the CPU seconds of each. */
async function burstChild(side, root, port, n, total, rounds) {
  const s = side === 'pool' ? await poolSide(port, n, rounds) : await appSide(root, port, n);
  const cpu = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = cpuNow();
    await s.round(total);
    cpu.push(cpuNow() - c0);
  }
  await s.close();
  process.stdout.write(`${JSON.stringify(cpu)}\n`);
}
/** A bare Pool firing `rate` probes a second until killed. */
async function poolTrickleChild(port, rate) {
  const s = await poolSide(port, 1000, 0);
  let i = 0;
  setInterval(() => { void s.once(i++ % 1000).catch((e) => { log(e); process.exit(1); }); }, 1000 / rate);
  process.stdout.write('ready\n');
}

// ---------- the driver ----------
function startChild(args, match = /^(\S+)\s*$/m, env = {}) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    if (!match) res({ child });
    const onData = (c) => { out += c; const m = match?.exec(out); if (m) res({ child, value: m[1], out: () => out }); };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => { err += c; });
    child.on('exit', (code) => rej(new Error(`child exited ${code}: ${err.slice(-800)}`)));
  });
}
const stopChild = (child) => new Promise((r) => { if (child.exitCode !== null) return r(); child.once('exit', r); child.kill('SIGTERM'); });
function runChild(args) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.on('exit', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`child exited ${code}`))));
  });
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'child') {
    const [side, root, port, n, total, rounds] = rest;
    return burstChild(side, root, port, Number(n), Number(total), Number(rounds));
  }
  if (cmd === 'pool-trickle') return poolTrickleChild(rest[0], Number(rest[1]));

  const reps = Number(rest[0] ?? 5);
  const roots = (rest.length > 1 ? rest.slice(1) : [join(HERE, '..')]).map((r) => resolve(r));
  const sides = [['pool', 'pool'], ...roots.map((r) => [r, 'app'])];
  const upstream = await startChild([join(HERE, 'fake-openai.mjs')], /^(\d+)\s*$/m);
  const port = upstream.value;
  try {
    if (cmd === 'burst') {
      const cold = sides.map(() => []);
      const warm = sides.map(() => []);
      for (let r = 0; r < reps; r++) {
        for (const [i, [root, side]] of sides.entries()) {
          const cpu = await runChild([fileURLToPath(import.meta.url), 'child', side, root, port, 2000, 2000, 6]);
          cold[i].push(cpu[0] / 2);
          warm[i].push(median(cpu.slice(2)) / 2);
          log(`rep ${r} ${root}: ${cpu.map((c) => c.toFixed(3)).join(' ')}`);
        }
      }
      report('cold (first 2,000-probe round of a process), CPU-s per 1,000 probes', sides, cold);
      report('warm (median of rounds 3–6 of a process), CPU-s per 1,000 probes', sides, warm);
    } else if (cmd === 'scale') {
      for (const n of [100, 1000, 10000]) {
        const warm = sides.map(() => []);
        for (let r = 0; r < reps; r++) {
          for (const [i, [root, side]] of sides.entries()) {
            const cpu = await runChild([fileURLToPath(import.meta.url), 'child', side, root, port, n, Math.max(n, 2000), 4]);
            warm[i].push(median(cpu.slice(1)) / (Math.max(n, 2000) / 1000));
          }
        }
        report(`warm at ${n} deployments, CPU-s per 1,000 probes`, sides, warm);
      }
    } else if (cmd === 'trickle') {
      const tmp = mkdtempSync(join(tmpdir(), 'micro-probe-'));
      // 330 deployments every 10 s: 33 probes a second once the start-up round is over.
      const configFile = join(tmp, 'config.yaml');
      writeFileSync(configFile, configText(330, `http://127.0.0.1:${port}/v1`, '  background_health_checks: true\n  health_check_interval: 10\n'));
      const cpu = sides.map(() => []);
      for (let r = 0; r < reps; r++) {
        for (const [i, [root, side]] of sides.entries()) {
          const c = side === 'pool'
            ? await startChild([fileURLToPath(import.meta.url), 'pool-trickle', port, 33])
            : await startChild([join(root, 'dist/src/cli/main.js'), configFile, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], null);
          // Past the start-up round and into the steady trickle (TRICKLE_FROM_S: later, past the
          // collections V8's memory reducer runs once the start-up round's garbage is idle).
          await new Promise((res) => setTimeout(res, side === 'pool' ? 3000 : FROM_S * 1000));
          const c0 = cpuOf(c.child.pid);
          await new Promise((res) => setTimeout(res, 20_000));
          cpu[i].push(((cpuOf(c.child.pid) - c0) / (20 * 33)) * 1000);
          await stopChild(c.child);
          log(`rep ${r} ${root}: ${cpu[i].at(-1).toFixed(3)}`);
        }
      }
      report(`trickle (33 probes/s, 20 s window from ${FROM_S} s after start), CPU-s per 1,000 probes`, sides, cpu);
    } else {
      throw new Error('usage: micro-probe.mjs burst|trickle|scale [reps] [root …]');
    }
  } finally {
    await stopChild(upstream.child);
  }
}

function report(title, sides, xs) {
  const pool = median(xs[0]);
  process.stdout.write(`\n${title}\n| side | min–median–max | ÷ pool (medians) | ÷ pool per rep, min–median–max |\n|---|---|---|---|\n`);
  for (const [i, [root]] of sides.entries()) {
    const per = xs[i].map((x, r) => x / xs[0][r]);
    process.stdout.write(`| ${root} | ${range(xs[i])} | ${(median(xs[i]) / pool).toFixed(2)} | ${range(per)} |\n`);
  }
}

await main();
