// Part 6 of npm run bench: persistence on (SQLite in a data directory) against off (memory
// only, the baseline), in the same run, alternating: a 10,000-deployment trickle in background
// mode, the event loop's delay and the RSS of the exporter process.
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PKG, assertAllHealthy, log, median, rssMbOf, sleep, startExporterCli, stop, waitReady } from './lib.mjs';

export const PERSIST = { deployments: 10_000, intervalS: 30, concurrency: 64, runs: Number(process.env.BENCH_PERSIST_RUNS ?? 2), windowS: 35 };

/** The exporter's config: every deployment on the fake upstream, background checks at the interval. */
function config(base) {
  const list = Array.from({ length: PERSIST.deployments }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "${base}", api_key: sk-bench }\n    model_info: { id: d${i} }\n`).join('');
  return `model_list:\n${list}general_settings:\n  background_health_checks: true\n  health_check_interval: ${PERSIST.intervalS}\n  health_check_concurrency: ${PERSIST.concurrency}\n`;
}


/** Asks the process for its event-loop-delay window (bench/eld-probe.mjs) and reads the answer. */
function eldWindow(child) {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (c) => {
      buf += c;
      const m = /^ELD (\{.*\})$/m.exec(buf);
      if (m) { child.stderr.off('data', onData); resolve(JSON.parse(m[1])); }
    };
    child.stderr.on('data', onData);
    child.kill('SIGUSR2');
  });
}

export async function persistenceTrickle({ fake, tmp }) {
  const file = join(tmp, 'persist-10k.yaml');
  writeFileSync(file, config(fake.base('persist')));
  const runs = { off: [], on: [] };
  for (let r = 0; r < PERSIST.runs; r++) {
    for (const mode of ['off', 'on']) {
      log(`6. persistence ${mode}, run ${r + 1}/${PERSIST.runs}`);
      const dir = mode === 'on' ? mkdtempSync(join(tmp, 'data-')) : undefined;
      const cli = { nodeArgs: ['--import', join(PKG, 'bench/eld-probe.mjs')], extraArgs: dir ? ['--data-dir', dir] : [] };
      const ex = await startExporterCli(file, cli);
      const t0 = ex.spawnedAt;
      const readyS = (await waitReady(ex.url) - t0) / 1000;
      // The first round is a burst at start-up; the trickle (each deployment on its slot, one
      // interval after its first probe) begins an interval later. Measure that, with the
      // retention pass at one minute inside the window.
      await sleep(Math.max(0, t0 + (PERSIST.intervalS + 2) * 1000 - performance.now()));
      await eldWindow(ex.child); // discard start-up, the first round and the quiet gap
      await sleep(PERSIST.windowS * 1000);
      const eld = await eldWindow(ex.child);
      const rss = rssMbOf(ex.child.pid);
      await assertAllHealthy(ex.url, PERSIST.deployments);
      await stop(ex.child);
      let rows;
      let dbMb;
      let restartS;
      if (dir) {
        // Restart on the same data directory: every stored result is fresh, so readiness comes
        // as soon as the database is read back, with no probe.
        const again = await startExporterCli(file, cli);
        restartS = (await waitReady(again.url) - again.spawnedAt) / 1000;
        await stop(again.child);
        const db = new Database(join(dir, 'llm-health-exporter.db'), { readonly: true });
        rows = db.prepare('SELECT count(*) AS n FROM llm_health_history').get().n;
        db.close();
        dbMb = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 2 ** 20;
      }
      runs[mode].push({ ...eld, rss, readyS, rows, dbMb, restartS });
    }
  }
  const med = (mode, k) => median(runs[mode].map((x) => x[k]));
  const pick = (mode) => ({ p50: med(mode, 'p50'), p99: med(mode, 'p99'), max: med(mode, 'max'), rss: med(mode, 'rss'), readyS: med(mode, 'readyS'), rows: med(mode, 'rows'), dbMb: med(mode, 'dbMb'), restartS: med(mode, 'restartS') });
  return { off: pick('off'), on: pick('on'), runs };
}

export function persistenceSection(p) {
  const f = (x, d = 1) => Number(x).toFixed(d);
  const { off, on } = p;
  const probesPerS = PERSIST.deployments / PERSIST.intervalS;
  return [
    '## 6. Persistence: SQLite on vs off at a 10,000-deployment trickle',
    '',
    `The exporter process (\`node dist/src/cli/main.js config.yaml [--data-dir DIR]\`) in background mode over ${PERSIST.deployments.toLocaleString('en')} deployments at a ${PERSIST.intervalS} s interval and concurrency ${PERSIST.concurrency}: after the start-up round, a steady trickle of ${f(probesPerS, 0)} probes a second against the instant fake upstream, each result queued and written once a second (SQLite, WAL, one transaction) when persistence is on. Baseline: the same process without a data directory (memory only), run alternately with it, ${PERSIST.runs} runs each (medians; with two runs, the mean of the two). Event-loop delay is sampled inside the process (\`perf_hooks.monitorEventLoopDelay\`, 5 ms resolution, so about 5 ms is the floor; \`bench/eld-probe.mjs\`) over a ${PERSIST.windowS} s window of the trickle: from ${PERSIST.intervalS + 2} s after start (the start-up round and its 10,000 rows are over; the trickle has begun) to ${PERSIST.intervalS + 2 + PERSIST.windowS} s, which holds the retention pass at one minute. RSS at the end of the window.`,
    '',
    '| | event-loop delay p50 ms | p99 ms | max ms | RSS MB | spawn → ready s |',
    '|---|---|---|---|---|---|',
    `| persistence off (baseline) | ${f(off.p50, 2)} | ${f(off.p99, 2)} | ${f(off.max, 1)} | ${f(off.rss)} | ${f(off.readyS, 2)} |`,
    `| SQLite in a data directory | ${f(on.p50, 2)} | ${f(on.p99, 2)} | ${f(on.max, 1)} | ${f(on.rss)} | ${f(on.readyS, 2)} |`,
    `| **ratio** | ${f(on.p50 / off.p50, 2)} | **${f(on.p99 / off.p99, 2)}** | ${f(on.max / off.max, 2)} | **${f(on.rss / off.rss, 2)}** | ${f(on.readyS / off.readyS, 2)} |`,
    '',
    `With persistence on, the database held ${Math.round(on.rows).toLocaleString('en')} history rows (${f(on.dbMb)} MB with its WAL) at the end of a run (10,000 from the start-up round, the rest from the trickle). Started again on that data directory, the exporter was ready ${f(on.restartS, 2)} s after its spawn (the results read back, every one fresh: no start-up round), against ${f(off.readyS, 2)} s for a start that probes all 10,000.`,
    '',
  ];
}
