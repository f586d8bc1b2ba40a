// npm run bench: measures what issue 18 asks (probe CPU cold / warm / trickle against a bare
// undici Pool loop, the previous request() baseline and blackbox_exporter; 10,000 deployments:
// launch, memory, serving while probes land; cost per probe against the deployment count;
// persistence; a CPU profile) and writes bench/RESULTS.md.
//   BENCH_ROOT=DIR      measure the build in DIR (default: this checkout); the report then goes
//                       to BENCH_OUT (default: a temp file), never over bench/RESULTS.md
//   BENCH_ONLY=a,b      run only these parts (cold-warm, trickle, launch, hour, scaling,
//                       persistence, profile) and print them instead of writing RESULTS.md
//   BENCH_RENDER=FILE   re-render the report from a results.json a run left, without measuring
//   BENCH_PIN=0        do not pin the sequential probe parts to CPUs (lib.mjs, PIN)
// Smaller sizes for trying the harness: BENCH_REPS, BENCH_PROBES, BENCH_FLEET_N,
// BENCH_HOUR_ROUNDS, BENCH_LAUNCH_REPS, BENCH_PERSIST_RUNS, BENCH_TRICKLE_WINDOW_S.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { EXPORTER_NODE_ENV, EXPORTER_NODE_FLAGS, PIN, PKG, ROOT, fmt, log, startFake, stop } from './lib.mjs';
import { coldWarm, scaling, trickle } from './probe-cpu.mjs';
import { hourAndServing, launchAndOnDemand } from './fleet.mjs';
import { persistenceTrickle } from './persistence.mjs';
import { profileSummary } from './profile.mjs';
import { renderResults } from './report.mjs';

// The sequential probe parts run each side pinned to a CPU of its own (lib.mjs, PIN), with an
// upstream pinned to the other; the rest run as a user's process would, unpinned.
const PINNED_PARTS = new Set(['cold-warm', 'scaling']);
const PARTS = {
  'cold-warm': ['coldWarm', coldWarm],
  trickle: ['trickle', trickle],
  launch: ['launch', launchAndOnDemand],
  hour: ['hour', hourAndServing],
  scaling: ['scaling', scaling],
  persistence: ['persistence', persistenceTrickle],
  profile: ['profile', profileSummary],
};
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
for (const p of only ?? []) if (!PARTS[p]) throw new Error(`BENCH_ONLY: unknown part ${p} (parts: ${Object.keys(PARTS).join(', ')})`);
if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error(`${ROOT} has no build (dist/src/cli/main.js): run npm run build there`);

const render = (results, only) => renderResults(results, {
  command: `${ROOT === PKG ? '' : `BENCH_ROOT=${ROOT} `}${only ? `BENCH_ONLY=${only.join(',')} node bench/run.mjs` : 'npm run bench'}`,
  profileBefore: existsSync(join(PKG, 'bench/profile-before.md')) ? readFileSync(join(PKG, 'bench/profile-before.md'), 'utf8') : undefined,
  // The hand-written account of what profiling found, kept with the results.
  findings: only ? undefined : readFileSync(join(PKG, 'bench/FINDINGS.md'), 'utf8'),
});
// Resolves once written: process.exit right after a write to a pipe cut the report short.
const print = (text) => new Promise((r) => process.stdout.write(text, r));
if (process.env.BENCH_RENDER) {
  await print(render(JSON.parse(readFileSync(process.env.BENCH_RENDER, 'utf8')), only));
  process.exit(0);
}

const t0 = performance.now();
const tmp = mkdtempSync(join(tmpdir(), 'lhe-bench-'));
const results = {
  root: ROOT === PKG ? 'this checkout' : ROOT,
  exporterNodeFlags: EXPORTER_NODE_FLAGS,
  exporterNodeEnv: EXPORTER_NODE_ENV,
  machine: {
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    memory: `${fmt(totalmem() / 2 ** 30, 1)} GiB (${fmt(freemem() / 2 ** 30, 1)} GiB free at start)`,
    load: loadavg().map((x) => fmt(x, 2)).join(', '),
    node: process.version,
    date: new Date().toISOString(),
  },
};
log(`measuring ${ROOT}; scratch files in ${tmp}`);
const fake = await startFake();
const pinnedFake = PIN && [...PINNED_PARTS].some((p) => !only || only.includes(p)) ? await startFake({}, PIN.fake) : fake;
log(PIN ? `pinning ${[...PINNED_PARTS].join(', ')}: each side on CPU ${PIN.side}, its upstream on CPU ${PIN.fake}` : 'not pinning (no taskset, fewer than 2 CPUs, or BENCH_PIN=0)');
try {
  for (const [name, [key, run]] of Object.entries(PARTS)) {
    if (only && !only.includes(name)) continue;
    results[key] = await run({ fake: PINNED_PARTS.has(name) ? pinnedFake : fake, tmp });
    // Kept after every part, so an aborted run still leaves what it measured.
    writeFileSync(join(tmp, 'results.json'), JSON.stringify(results, null, 1));
  }
} catch (e) {
  log(`ABORTED: ${e.stack ?? e}`);
  process.exit(1);
}
await stop(fake.child);
if (pinnedFake !== fake) await stop(pinnedFake.child);
results.durationS = (performance.now() - t0) / 1000;

const rawFile = join(tmp, 'results.json');
writeFileSync(rawFile, JSON.stringify(results, null, 1));
const md = render(results, only);
if (only) {
  await print(md);
  log(`raw figures in ${rawFile}`);
} else {
  const out = process.env.BENCH_OUT ?? (ROOT === PKG ? join(PKG, 'bench/RESULTS.md') : join(tmp, 'RESULTS.md'));
  writeFileSync(out, md);
  log(`wrote ${out} (raw figures in ${rawFile}) after ${fmt(results.durationS / 60, 1)} min`);
}
process.exit(0);
