// Renders the results of bench/run.mjs as Markdown: the goals of issue 18 first (met or
// **missed**, judged on the median, with min–median–max), then each part and how it was measured.
import { PROBE, SIDES } from './probe-cpu.mjs';
import { FLEET } from './fleet.mjs';
import { PERSIST, persistenceSection } from './persistence.mjs';
import { PROFILE, profileMarkdown } from './profile.mjs';
import { fmt, ok, range } from './lib.mjs';

const SIDE_NAMES = {
  exporter: 'llm-health-exporter',
  pool: 'bare undici `Pool` loop (baseline)',
  request: 'top-level undici `request()` loop (the previous baseline)',
  blackbox: 'blackbox_exporter 0.23',
};

/** Where the steady trickle starts, in seconds into the trickle (results that split it). */
const steadyAfterS = (t) => (t.steadyFrom - 1) * t.windowS;

/** [goal text, stats, limit, unit] rows that exist in these results. */
export function goals(r) {
  const rows = [];
  const fleet = `${(r.launch?.n ?? FLEET.n).toLocaleString('en')} deployments`;
  const add = (what, s, limit, d = 2) => s && rows.push({ what, s, limit, d, met: s.median <= limit });
  add('Probe CPU, warm: exporter ÷ `Pool` loop ≤ 1.5', r.coldWarm?.warm.ratio.pool, 1.5);
  add('Probe CPU, cold: exporter ÷ `Pool` loop ≤ 2', r.coldWarm?.cold.ratio.pool, 2);
  if (r.trickle?.steadyFrom) {
    const afterS = steadyAfterS(r.trickle);
    add(`Probe CPU, trickle steady (from ${afterS} s into the trickle): exporter ÷ \`Pool\` loop ≤ 1.15`, r.trickle.trickle.ratio.pool, 1.15);
    add(`Probe CPU, the trickle's first ${afterS} s: exporter ÷ \`Pool\` loop ≤ 1.15`, r.trickle.start?.ratio.pool, 1.15);
  } else add('Probe CPU, trickle: exporter ÷ `Pool` loop ≤ 1.15', r.trickle?.trickle.ratio.pool, 1.15);
  add(`${fleet}: RSS after the first round ≤ 150 MB`, r.launch?.rssAfterFirstRoundMb, 150, 1);
  add(`${fleet}: RSS after the hour-equivalent ≤ 180 MB`, r.hour && { min: r.hour.hour.rssMb, median: r.hour.hour.rssMb, max: r.hour.hour.rssMb, n: 1 }, 180, 1);
  add(`${fleet}: launch → readiness ≤ 4 s`, r.launch?.readyS, 4);
  add(`${fleet}: on-demand round peak RSS ≤ 200 MB`, r.launch?.onDemandPeakMb, 200, 1);
  add(`\`/health\` at ${fleet} while probes land: median ≤ 10 ms`, r.hour?.serving.health.ours, 10, 1);
  add('`/health` ÷ bare route with the same bytes ≤ 1.5', r.hour?.serving.health.ratio, 1.5);
  add('`/metrics` ÷ bare route with the same bytes ≤ 1.5', r.hour?.serving.metrics.ratio, 1.5);
  add('Cost per probe flat from 100 to 10,000 (dearest ÷ cheapest size) ≤ 1.10', r.scaling?.spread, 1.1);
  return rows;
}

function cpuTable(part, regime) {
  const lines = ['| side | CPU-s per 1,000 probes (min – **median** – max) | exporter ÷ side (per repetition) |', '|---|---|---|'];
  for (const side of SIDES) {
    lines.push(`| ${SIDE_NAMES[side]} | ${range(part[regime].cpuPer1k[side], 3)} | ${side === 'exporter' ? '' : range(part[regime].ratio[side])} |`);
  }
  return lines;
}

/** How a sequential probe part was pinned (lib.mjs, PIN); results from before pinning have none. */
const pinText = (pin, extra) => (pin
  ? `Pinned: each measured process on CPU ${pin.side} (\`taskset\`), the fake upstream on CPU ${pin.fake}, as if the upstream were remote; unpinned, where the scheduler placed the two processes decided the figure (the same \`Pool\` loop took 0.033 or 0.056 CPU-s per 1,000 probes from process to process).${extra}`
  : 'Not pinned to CPUs.');

export function renderResults(r, { command, profileBefore, findings }) {
  const L = [];
  L.push('# Benchmark results', '');
  L.push(`Produced by \`${command}\` in ${fmt(r.durationS / 60, 1)} minutes, measuring the build in \`${r.root}\`. `
    + 'Loopback only. The fake OpenAI upstream (`bench/fake-openai.mjs`) runs in its own process, so its CPU counts on no side; '
    + 'it counts the requests it answers per side, and every figure below comes from a run whose probe count matched what was asked '
    + 'and in which every probe succeeded (a failed probe aborts the run). '
    + '`BENCH_ONLY=part[,part]` runs some parts alone (`cold-warm`, `trickle`, `launch`, `hour`, `scaling`, `persistence`, `profile`) and prints them; '
    + '`BENCH_ROOT=DIR` measures the build in DIR (its `dist/` and `node_modules/`) with these scripts.', '');
  if (r.note) L.push(`Note: ${r.note}`, '');
  L.push('## Machine', '', `- CPU: ${r.machine.cpu}`, `- Memory: ${r.machine.memory}`, `- Node: ${r.machine.node}`, `- Node flags of the exporter: ${r.exporterNodeFlags?.length ? r.exporterNodeFlags.map((f) => `\`${f}\``).join(' ') + ' (the ones it ships with, `src/cli/node-flags.ts`; the baselines run with none)' : 'none'}`, ...(r.exporterNodeEnv && Object.keys(r.exporterNodeEnv).length ? [`- Environment of the exporter: ${Object.entries(r.exporterNodeEnv).map(([k, v]) => `\`${k}=${v}\``).join(' ')} (the one it ships with, same file; the baselines run without)`] : []), `- Load average at start: ${r.machine.load}`, `- Run at: ${r.machine.date}`, '');
  const measured = goals(r);
  if (measured.length) {
    L.push('## Goals (issue 18)', '', 'Judged on the median; min – **median** – max over the repetitions, ratios taken per repetition.', '');
    L.push('| goal | measured | |', '|---|---|---|');
    for (const g of measured) L.push(`| ${g.what} | ${range(g.s, g.d)} | ${ok(g.met)} |`);
    L.push('');
  }

  if (r.coldWarm) {
    const cw = r.coldWarm;
    // Results from before the warming rounds were kept apart took warm as the median of rounds 2–6.
    const warmText = cw.warmFrom
      ? `**warm** is rounds ${cw.warmFrom + 1}–${cw.rounds}: their CPU over their probes, so the dearer rounds that come every few rounds (full GCs among them) count at the rate they come; rounds 2–${cw.warmFrom} (**warming**, median shown apart) still pay JIT compilation on every side, 2–3× the steady cost and longest on the exporter's. `
      : '**warm** is the median of the later rounds. ';
    L.push('## 1. Probe CPU: cold and warm', '');
    L.push(`${PROBE.probes.toLocaleString('en')} chat probes at concurrency ${PROBE.concurrency}, ${cw.rounds ?? 6} rounds per process. Each side runs in a fresh process that does nothing else (\`bench/sides.mjs\`), CPU from \`process.cpuUsage()\` around each round (blackbox_exporter: from /proc/PID/stat, driven through \`/probe\` by a separate process). `
      + '**Cold** is the first round in the process (after setup: the exporter\'s `App.create`, the baselines\' module load); ' + warmText
      + `Sides run one after another, ${PROBE.reps} repetitions (A B C D A B C D …). The exporter side is \`dist/src/app.js\`: \`scheduler.probeAll\` over its deployments (limiter, runner, chat plugin, provider, store, metrics), config through its own parser. `
      + 'The `Pool` loop is `new Pool(origin)` and `pool.request({ path, method, headers, body })`, the body string built once, each answer JSON-parsed; the `request()` loop builds the body per probe and passes a full URL, as the previous bench did. '
      + pinText(cw.pin, ' blackbox_exporter\'s driver runs beside the fake. Go sizes its scheduler to the CPUs it is given (one here); the trickle below shows it unpinned.'), '');
    L.push('**Warm**', '', ...cpuTable(cw, 'warm'), '', '**Cold**', '', ...cpuTable(cw, 'cold'), '');
    if (cw.warming) L.push(`**Warming** (rounds 2–${cw.warmFrom})`, '', ...cpuTable(cw, 'warming'), '');
  }
  if (r.trickle) {
    const t = r.trickle;
    L.push('## 1b. Probe CPU: background trickle', '');
    L.push(`All four sides at once (the finest interleaving: the same windows, so whatever else loads this shared machine hits every side alike; at this rate each process is idle most of the time, so they hardly compete), each sending ${fmt(t.rate, 1)} probes a second, CPU of each process from /proc over the same ${t.raw.exporter.length} windows of ${t.windowS} s, divided by the probes the fake answered for that side in the window. `
      + `The exporter is the real CLI (\`node dist/src/cli/main.js config.yaml\`, ${PROBE.probes.toLocaleString('en')} deployments, \`background_health_checks: true\`, interval ${t.intervalS} s, concurrency ${PROBE.concurrency}); the windows start once its second round (the trickle) has begun. `
      + 'The baselines are processes sending on a fixed grid of the same rate; blackbox_exporter is driven through `/probe` at that rate by a separate process (its CPU not counted). '
      + 'CPU per probe here includes what an idle process costs between probes (timers, the event loop waking): that is the trickle regime.', '');
    if (t.steadyFrom) {
      const windowsText = (from, to) => `window${to > from ? `s ${from}–${to}` : ` ${from}`}`;
      L.push(`**Steady**: ${windowsText(t.steadyFrom, t.raw.exporter.length)} (from ${steadyAfterS(t)} s into the trickle on), ratios per window:`, '');
      L.push(...cpuTable(t, 'trickle'), '');
      if (t.start) {
        L.push(`**The first minutes**: ${windowsText(1, t.steadyFrom - 1)}, while the exporter's probe path is compiled again at the trickle's pace (deoptimized by the first full collections after the start-up round, bench/FINDINGS.md):`, '');
        L.push(...cpuTable({ trickle: t.start }, 'trickle'), '');
      }
      L.push(`Exporter ÷ \`Pool\` loop per window, in order: ${t.raw.exporter.map((x, i) => fmt(x.trickle / t.raw.pool[i].trickle, 2)).join(', ')}.`, '');
    } else L.push(...cpuTable(t, 'trickle'), '');
    L.push(`Probes counted per window (exporter): ${t.raw.exporter.map((x) => x.sent).join(', ')}.`, '');
  }
  if (r.launch) {
    const l = r.launch;
    L.push(`## 2. ${l.n.toLocaleString('en')} deployments: launch, memory`, '');
    L.push(`The real CLI, ${FLEET.launchReps} launches. **Launch → readiness**: from the spawn to the first 200 of \`/health/readiness\` (polled every 25 ms; background mode, so after the start-up round), with **listening** (the "listening" log line) beside it, and the process's CPU at readiness. **RSS after the first round**: 5 s after readiness (the goal's figure), and ${l.settleS ? `again ${l.settleS} s after readiness, once V8's memory reducer has run its full collections in the idle stretch (what an idle exporter keeps)` : 'not again later (BENCH_SETTLE_S=0)'}. **On-demand peak**: a process without background checks, after one \`GET /health\` that probes all ${l.n.toLocaleString('en')}: \`VmHWM\` from /proc/PID/status (the peak since the spawn).`, '');
    L.push('| | min – **median** – max |', '|---|---|');
    L.push(`| spawn → listening, s | ${range(l.listeningS)} |`, `| spawn → readiness, s | ${range(l.readyS)} |`, `| CPU-s at readiness | ${range(l.cpuAtReadyS)} |`);
    L.push(`| RSS after the first round, MB | ${range(l.rssAfterFirstRoundMb, 1)} |`, ...(l.rssSettledMb ? [`| RSS ${l.settleS} s after readiness (settled), MB | ${range(l.rssSettledMb, 1)} |`] : []), `| on-demand: RSS before the round, MB | ${range(l.onDemandRssBeforeMb, 1)} |`, `| on-demand: peak RSS (VmHWM), MB | ${range(l.onDemandPeakMb, 1)} |`, `| on-demand: round (GET /health), s | ${range(l.onDemandRoundS)} |`, '');
  }
  if (r.hour) {
    const { hour: h, serving: s } = r.hour;
    L.push('## 2b. Hour-equivalent of trickle and serving', '');
    L.push(`An hour at LiteLLM's default 300 s interval sends ${FLEET.hourRounds} rounds of every deployment; here the CLI runs in background mode at a ${FLEET.hourIntervalS} s interval (${FLEET.hourCompression}× faster: a trickle of ${fmt(FLEET.n / FLEET.hourIntervalS, 0)} probes/s) from readiness (the start-up round done) until the fake has answered ${FLEET.hourRounds} rounds' worth of probes and the hour's serving is done (at most ${FLEET.hourRounds + 3} intervals), ${FLEET.hourServing === 'real' ? 'with serving at its real cadence (`BENCH_HOUR_SERVING=real`): `/health` every 5 s, a `/metrics` scrape every 15 s' : `with an hour of serving compressed alike: ${h.toServe?.health ?? 720} \`/health\` (every 5 s in an hour) and ${h.toServe?.metrics ?? 240} \`/metrics\` scrapes (every 15 s) sent one every ${fmt(5000 / FLEET.hourCompression, 0)} ms and ${fmt(15_000 / FLEET.hourCompression, 0)} ms`}, one at a time. The probes are counted at the fake, not assumed.`, '');
    L.push(`Probes answered after the start-up round: ${h.probes.toLocaleString('en')}${h.probesWanted ? ` of the ${h.probesWanted.toLocaleString('en')} the schedule asks for (${fmt((100 * h.probes) / h.probesWanted, 1)} %)` : ''}; served: ${h.served.health} \`/health\`, ${h.served.metrics} \`/metrics\`; ${fmt(h.wallS, 0)} s${h.capS && h.wallS >= h.capS ? ' (the cap: the exporter skipped slots)' : ''}. **RSS after: ${fmt(h.rssMb, 1)} MB** (peak since the spawn: ${fmt(h.peakRssMb, 1)} MB)${h.cpuS === undefined ? '' : `; the exporter's CPU over it: ${fmt(h.cpuS, 1)} s (${fmt((1000 * h.cpuS) / h.probes, 3)} CPU-s per 1,000 probes, serving included)`}.`, '');
    L.push('## 3. /health and /metrics while probes land', '');
    L.push(`The same process right after the hour-equivalent, its trickle still running: ${s.probesDuring.toLocaleString('en')} probes landed at the fake during the ${fmt(s.serveS, 1)} s of this part (so the cached \`/health\` answer is invalidated all along). ${s.client === 'raw socket' ? 'Sequential GETs over one kept raw socket per side, each timed from its write to the last byte its content-length announces (the bytes counted, not collected: undici\'s `request()` + `arrayBuffer()`, the client before, added 10–140 ms of its own to a 23 MB answer), alternating exporter and baseline request by request, which side goes first alternating too' : 'Sequential GETs through undici\'s `request()`, each body read whole with `arrayBuffer()` (a client later found to add 10–140 ms of its own to a 23 MB answer: bench/FINDINGS.md, tenth pass), alternating exporter and baseline request by request, the exporter first'}; ${FLEET.servingReps} repetitions of ${s.health.perRep ?? FLEET.healthPerRep} (\`/health\`) and ${s.metrics.perRep ?? 3} (\`/metrics\`) per side, median per repetition. Baseline: a bare fastify route sending a Buffer of the same bytes (\`bench/baseline-server.mjs\`; RSS ${fmt(s.baselineRssMb, 1)} MB).`, '');
    L.push('| endpoint | bytes | exporter ms | baseline ms | exporter ÷ baseline |', '|---|---|---|---|---|');
    L.push(`| /health | ${s.healthBytes.toLocaleString('en')} | ${range(s.health.ours, 1)} | ${range(s.health.baseline, 1)} | ${range(s.health.ratio)} |`);
    L.push(`| /metrics | ${s.metricsBytes.toLocaleString('en')} | ${range(s.metrics.ours, 1)} | ${range(s.metrics.baseline, 1)} | ${range(s.metrics.ratio)} |`, '');
  }
  if (r.scaling) {
    const sc = r.scaling;
    L.push('## 4. Cost per probe against the deployment count', '');
    const EARLY_ROUNDS = "at 10,000 they are each deployment's 2nd and 3rd probe, which still pay one-time work per deployment (44–55 against 34–36 µs a probe under `--trace-gc`, not broken down further), while at 100 they are its 101st to 300th";
    // Results from before the early rounds were kept apart measured warm as rounds 2–4 and have no early column.
    const method = sc.rounds
      ? `each round is 10,000 probes (100 × 100, 10 × 1,000, 1 × 10,000), ${sc.rounds} rounds per process; warm = rounds ${sc.warmFrom + 1}–${sc.rounds}, their CPU over their probes, as in part 1 (the goal's figure). Rounds 2–${sc.warmFrom} are shown apart (median): ${EARLY_ROUNDS}`
      : sc.early
      ? `each round is 10,000 probes (100 × 100, 10 × 1,000, 1 × 10,000), 6 rounds per process; warm = median of rounds 4–6, the goal's figure. Rounds 2–3 are shown apart: ${EARLY_ROUNDS}; the median of rounds 2–4, used before, fell on either side of that edge from run to run`
      : 'each measured round is 10,000 probes (100 × 100, 10 × 1,000, 1 × 10,000), warm = median of rounds 2–4 in the process';
    L.push(`The exporter side of part 1 (\`scheduler.probeAll\`, concurrency ${PROBE.concurrency}) over 100, 1,000 and 10,000 deployments; ${method}. Sizes interleaved, ${PROBE.scalingReps} repetitions. ${pinText(sc.pin, '')}`, '');
    const warmRounds = sc.rounds ? `rounds ${sc.warmFrom + 1}–${sc.rounds}` : 'rounds 4–6';
    L.push(sc.early ? `| deployments | warm CPU µs per probe (${warmRounds}) | rounds 2–3 |` : '| deployments | warm CPU µs per probe |', sc.early ? '|---|---|---|' : '|---|---|');
    for (const n of sc.sizes) L.push(`| ${n.toLocaleString('en')} | ${range(sc.perProbe[n], 1)} |${sc.early ? ` ${range(sc.early[n], 1)} |` : ''}`);
    L.push('', `Dearest size ÷ cheapest, per repetition: ${range(sc.spread)}; 10,000 ÷ 100: ${range(sc.ratio10kTo100)}.`, '');
  }
  if (r.persistence) L.push(...persistenceSection(r.persistence).map((l) => l.replace('## 6.', '## 5.')));
  if (r.profile) {
    L.push('## 6. CPU profile of warm rounds', '');
    L.push('### This build', '', profileMarkdown(r.profile, { label: r.root, command: 'node bench/profile.mjs' }));
    if (profileBefore) L.push('### Before (commit 453715f, `bench/profile-before.md`)', '', profileBefore.replace(/^#.*\n+/, '').trim(), '');
  }
  if (findings) L.push(findings.trim(), '');
  return `${L.join('\n')}\n`;
}

export { PERSIST, PROFILE };
