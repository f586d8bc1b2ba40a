// Part 1 (probe CPU: cold, warm, trickle) and part 4 (cost per probe against the deployment
// count). Every side runs in a process of its own against the fake upstream (its own process);
// the fake counts the probes each side sent, and the counts are checked against what was asked.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXPORTER_NODE_ENV, EXPORTER_NODE_FLAGS, PIN, PKG, assertAllHealthy, configText, cpuOf, freePort, interleave, log, median, onCpu, sleep, startChild,
  startExporterCli, stats, stop, waitReady,
} from './lib.mjs';

export const PROBE = {
  probes: Number(process.env.BENCH_PROBES ?? 2000),
  concurrency: 16,
  reps: Number(process.env.BENCH_REPS ?? 5),
  /**
   * Rounds per process: the first is cold; the next `warmFrom - 1` still warm up (JIT: 2–3× the
   * steady cost on every side, and longest on the exporter's); the rest are warm.
   */
  rounds: 12,
  warmFrom: 3,
  trickleRate: 33.3,
  /**
   * 12 windows of 20 s: the first 6 (the trickle's first two minutes) re-warm the exporter's
   * probe path (compilations and deopts at the trickle's pace, 1.5-2.3x the loop), the last 6
   * show it steady (1.2-1.4x): bench/FINDINGS.md, ninth pass. Both are reported.
   */
  trickleWindows: Number(process.env.BENCH_TRICKLE_WINDOWS ?? 12),
  trickleSteadyFrom: Number(process.env.BENCH_TRICKLE_STEADY_FROM ?? 7),
  trickleWindowS: Number(process.env.BENCH_TRICKLE_WINDOW_S ?? 20),
  scalingSizes: [100, 1000, 10_000],
  scalingReps: 3,
};
export const SIDES = ['exporter', 'pool', 'request', 'blackbox'];

const blackboxConfig = (tmp) => {
  const file = join(tmp, 'blackbox.yml');
  writeFileSync(file, `modules:
  chat:
    prober: http
    timeout: 5s
    http:
      method: POST
      headers:
        Content-Type: application/json
        Authorization: Bearer sk-bench
      body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"ping"}],"max_tokens":16}'
      valid_status_codes: [200]
      fail_if_body_not_matches_regexp: ['"choices"']
`);
  return file;
};
async function startBlackbox(tmp, cpu) {
  const port = await freePort();
  const bb = await startChild(...onCpu(cpu, 'prometheus-blackbox-exporter', [`--config.file=${blackboxConfig(tmp)}`, `--web.listen-address=127.0.0.1:${port}`]), {
    readyFrom: 'stderr', match: /(Listening on|msg="Listening)/, label: 'blackbox_exporter',
  });
  return { child: bb.child, url: `http://127.0.0.1:${port}` };
}

/** Runs one `bench/sides.mjs` child to its end, on `cpu` if given; returns its per-round lines. */
async function roundsChild(opts, nodeArgs = [], cpu) {
  const flags = opts.side === 'exporter' ? EXPORTER_NODE_FLAGS : [];
  const c = await startChild(...onCpu(cpu, process.execPath, [...flags, ...nodeArgs, join(PKG, 'bench/sides.mjs'), JSON.stringify({ mode: 'rounds', ...opts })]), {
    env: opts.side === 'exporter' ? EXPORTER_NODE_ENV : {}, match: /^done$/m, timeoutMs: 600_000, label: `${opts.side} rounds (n=${opts.n})`,
  });
  await new Promise((r) => (c.child.exitCode !== null ? r() : c.child.once('exit', r)));
  return c.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

/** Checks the fake saw exactly the probes a side was asked for (a side that sent fewer would look cheap). */
async function expectSent(fake, side, before, want) {
  const got = ((await fake.counts())[side] ?? 0) - (before[side] ?? 0);
  if (got !== want) throw new Error(`${side}: the fake upstream answered ${got} probes, expected ${want}`);
}

/**
 * A process's rounds split as parts 1 and 4 report them, in CPU-s per probe: warm = rounds from
 * `warmFrom` on, their CPU over their probes (the dearer rounds counted at the rate they come);
 * warming = the median of rounds 2 to `warmFrom`, still paying JIT compilation.
 */
function roundsCost(lines) {
  const warm = lines.slice(PROBE.warmFrom);
  const sum = (k) => warm.reduce((a, l) => a + l[k], 0);
  return {
    warm: sum('cpuS') / sum('probes'),
    warming: median(lines.slice(1, PROBE.warmFrom).map((l) => l.cpuS / l.probes)),
    warmWallS: median(warm.map((l) => l.wallS)),
  };
}

/**
 * Cold and warm: per repetition, a fresh process per side; its first round is cold, rounds from
 * `warmFrom` on are warm: their CPU over their probes, so the dearer rounds that come every few
 * rounds (full GCs among them) count at the rate they come (a median of rounds would drop them).
 */
export async function coldWarm({ fake, tmp }) {
  const { probes: n, concurrency, rounds } = PROBE;
  const perSide = (side) => async (r) => {
    log(`1. cold/warm: ${side}, repetition ${r + 1}/${PROBE.reps}`);
    const before = await fake.counts();
    let lines;
    if (side === 'blackbox') {
      // blackbox_exporter is the measured process; its driver (not counted) shares the fake's CPU.
      const bb = await startBlackbox(tmp, PIN?.side);
      try {
        lines = await roundsChild({ side, n, rounds, concurrency, base: fake.base(side), blackbox: bb.url, cpuPid: bb.child.pid }, [], PIN?.fake);
      } finally { await stop(bb.child); }
    } else {
      lines = await roundsChild({ side, n, rounds, concurrency, base: fake.base(side) }, [], PIN?.side);
    }
    await expectSent(fake, side, before, n * rounds);
    const { warm, warming } = roundsCost(lines);
    return { cold: (lines[0].cpuS / lines[0].probes) * 1000, warming: warming * 1000, warm: warm * 1000, rounds: lines };
  };
  const runs = await interleave(PROBE.reps, Object.fromEntries(SIDES.map((s) => [s, perSide(s)])));
  return { pin: PIN, rounds, warmFrom: PROBE.warmFrom, ...summarise(runs, ['cold', 'warming', 'warm']) };
}

/** Per regime: each side's CPU-s per 1,000 probes and the exporter's ratio to each other side, per repetition. */
function summarise(runs, regimes) {
  const out = {};
  for (const regime of regimes) {
    out[regime] = { cpuPer1k: {}, ratio: {} };
    for (const side of SIDES) out[regime].cpuPer1k[side] = stats(runs[side].map((x) => x[regime]));
    for (const side of SIDES.slice(1)) out[regime].ratio[side] = stats(runs.exporter.map((x, i) => x[regime] / runs[side][i][regime]));
  }
  out.raw = runs;
  return out;
}

/**
 * Trickle: every side at once, each sending ~33 probes/s, CPU of each process from /proc over
 * the same windows, probes counted at the fake per window. The exporter is the real CLI in
 * background mode with n deployments at an interval of n / 33 s; its trickle begins one interval
 * after the start-up round, so the windows start once its second round's probes land.
 */
export async function trickle({ fake, tmp }) {
  const { probes: n, concurrency } = PROBE;
  const intervalS = Math.round(n / PROBE.trickleRate);
  const rate = n / intervalS;
  const file = join(tmp, 'trickle.yaml');
  writeFileSync(file, configText(n, fake.base('exporter'), { background_health_checks: true, health_check_interval: intervalS, health_check_concurrency: concurrency }));
  log(`1. trickle: ${n} deployments at a ${intervalS} s interval (${rate.toFixed(1)} probes/s per side), ${PROBE.trickleWindows} windows of ${PROBE.trickleWindowS} s`);
  const atStart = await fake.counts();
  const ex = await startExporterCli(file);
  const bb = await startBlackbox(tmp);
  const trickler = (side, extra = {}) => startChild(process.execPath, [join(PKG, 'bench/sides.mjs'), JSON.stringify({ mode: 'trickle', side, n, rate, concurrency, base: fake.base(side), ...extra })], { match: /^(trickling)$/m, label: `${side} trickle` });
  const procs = { exporter: ex.child };
  try {
    procs.pool = (await trickler('pool')).child;
    procs.request = (await trickler('request')).child;
    const bbDriver = await trickler('blackbox', { blackbox: bb.url });
    procs.blackbox = bb.child;
    await waitReady(ex.url);
    // Wait until the exporter's second round has begun (its probes past the first n).
    const deadline = performance.now() + (intervalS + 60) * 1000;
    while (((await fake.counts()).exporter ?? 0) - (atStart.exporter ?? 0) < n + 2 * rate) {
      if (performance.now() > deadline) throw new Error('the exporter\'s trickle never began');
      await sleep(500);
    }
    await sleep(2000);
    const runs = Object.fromEntries(SIDES.map((s) => [s, []]));
    for (let w = 0; w < PROBE.trickleWindows; w++) {
      const c0 = await fake.counts();
      const cpu0 = Object.fromEntries(SIDES.map((s) => [s, cpuOf(procs[s].pid)]));
      await sleep(PROBE.trickleWindowS * 1000);
      const cpu1 = Object.fromEntries(SIDES.map((s) => [s, cpuOf(procs[s].pid)]));
      const c1 = await fake.counts();
      for (const s of SIDES) {
        const sent = (c1[s] ?? 0) - (c0[s] ?? 0);
        if (sent < rate * PROBE.trickleWindowS * 0.8) throw new Error(`trickle: ${s} sent ${sent} probes in ${PROBE.trickleWindowS} s, expected ~${Math.round(rate * PROBE.trickleWindowS)}`);
        runs[s].push({ trickle: ((cpu1[s] - cpu0[s]) / sent) * 1000, sent, cpuS: cpu1[s] - cpu0[s], window: w + 1 });
      }
      log(`1. trickle window ${w + 1}/${PROBE.trickleWindows}: ${SIDES.map((s) => `${s} ${runs[s].at(-1).trickle.toFixed(2)} CPU-s/1k (${runs[s].at(-1).sent})`).join(', ')}`);
    }
    for (const [s, c] of [['pool', procs.pool], ['request', procs.request], ['blackbox driver', bbDriver.child]]) {
      if (c.exitCode !== null) throw new Error(`trickle: the ${s} process exited (${c.exitCode}): a probe failed`);
    }
    await assertAllHealthy(ex.url, n);
    // Per window, as before: `trickle` over the steady windows, `start` over the first ones.
    const from = Math.min(PROBE.trickleSteadyFrom, PROBE.trickleWindows);
    const part = (keep) => summarise(Object.fromEntries(SIDES.map((s) => [s, runs[s].filter((x) => keep(x.window))])), ['trickle']);
    const steady = part((w) => w >= from);
    const start = from > 1 ? part((w) => w < from).trickle : undefined;
    return { intervalS, rate, windowS: PROBE.trickleWindowS, steadyFrom: from, trickle: steady.trickle, start, raw: runs };
  } finally {
    await Promise.all([ex.child, bb.child, procs.pool, procs.request].filter(Boolean).map(stop));
  }
}

/** Part 4: warm CPU per probe of the exporter at 100, 1,000 and 10,000 deployments (10,000 probes per measured round). */
export async function scaling({ fake }) {
  const sizes = PROBE.scalingSizes;
  const total = Math.max(...sizes);
  const perSize = (n) => async (r) => {
    log(`4. scaling: ${n} deployments, repetition ${r + 1}/${PROBE.scalingReps}`);
    const before = await fake.counts();
    // Warm as in part 1: rounds from warmFrom + 1 on (4-12), their CPU over their probes, so the
    // dearer rounds that come every few rounds count at their rate. At 10,000 a round probes each
    // deployment once, so rounds 2-3 are each deployment's 2nd and 3rd probe, which still pay
    // one-time work (44-55 against 34-36 µs a probe at 10,000 under --trace-gc); at 100 a round
    // is 100 probes of each. Shown apart.
    const { rounds } = PROBE;
    const repeat = total / n;
    const lines = await roundsChild({ side: 'exporter', n, rounds, repeat, concurrency: PROBE.concurrency, base: fake.base('exporter') }, [], PIN?.side);
    await expectSent(fake, 'exporter', before, n * repeat * rounds);
    const { warm, warming, warmWallS } = roundsCost(lines);
    return { warmUsPerProbe: warm * 1e6, earlyUsPerProbe: warming * 1e6, wallS: warmWallS };
  };
  const runs = await interleave(PROBE.scalingReps, Object.fromEntries(sizes.map((n) => [n, perSize(n)])));
  const perProbe = Object.fromEntries(sizes.map((n) => [n, stats(runs[n].map((x) => x.warmUsPerProbe))]));
  const early = Object.fromEntries(sizes.map((n) => [n, stats(runs[n].map((x) => x.earlyUsPerProbe))]));
  // Flatness per repetition: the dearest size over the cheapest.
  const spread = stats(runs[sizes[0]].map((_, i) => {
    const xs = sizes.map((n) => runs[n][i].warmUsPerProbe);
    return Math.max(...xs) / Math.min(...xs);
  }));
  const ratio10kTo100 = stats(runs[sizes[0]].map((_, i) => runs[total][i].warmUsPerProbe / runs[sizes[0]][i].warmUsPerProbe));
  return { pin: PIN, sizes, rounds: PROBE.rounds, warmFrom: PROBE.warmFrom, perProbe, early, spread, ratio10kTo100, raw: runs };
}
