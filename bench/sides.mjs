// One side of a probe benchmark, in a process of its own that does nothing else, so its CPU is
// its own: `node bench/sides.mjs '<json>'` with
//   { mode: 'rounds',  side: 'exporter'|'pool'|'request'|'blackbox', n, rounds, repeat?, concurrency, base, ... }
//     runs `rounds` measured rounds of n probes (each `repeat` times over) and prints one JSON
//     line per round: { round, cpuS, wallS, probes }. Round 0 is the first in this process (cold).
//   { mode: 'trickle', side: 'pool'|'request'|'blackbox', n, rate, concurrency, base, ... }
//     sends `rate` probes a second, evenly spaced on a fixed grid, until killed.
// Sides: exporter = the build's App and scheduler.probeAll (config via its own parser);
// pool = a bare undici Pool, request = top-level undici request() through an Agent (the old
// baseline); blackbox = /probe requests to a blackbox_exporter, whose CPU is read from /proc.
// Any failed probe prints why and exits 1: no figure is reported from a failed probe.
import { join } from 'node:path';
import { ROOT, configText, cpuOf, pool as runPool } from './lib.mjs';

const opts = JSON.parse(process.argv[2]);
const fail = (why) => { process.stderr.write(`probe failed (${opts.side}): ${why}\n`); process.exit(1); };
const CHAT_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 });
const headersOf = (i) => ({ 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer sk-bench', 'openai-organization': `org-${i}` });
const checkChat = (statusCode, text) => {
  const json = JSON.parse(text);
  if (statusCode !== 200 || !json.choices?.length) fail(`status ${statusCode}: ${text.slice(0, 200)}`);
};

/** The side's probe function (i = deployment index) and how its CPU is read. */
async function makeSide() {
  const url = new URL(`${opts.base}/chat/completions`);
  switch (opts.side) {
    case 'pool': {
      const { Pool } = await import('undici');
      // The limit for a Node prober: one Pool per origin, path and body prebuilt once.
      const p = new Pool(url.origin);
      const path = url.pathname;
      return {
        probe: async (i) => {
          const res = await p.request({ path, method: 'POST', headers: headersOf(i), body: CHAT_BODY });
          checkChat(res.statusCode, await res.body.text());
        },
      };
    }
    case 'request': {
      const { Agent, request } = await import('undici');
      // The previous baseline: a top-level request() with a full URL through an Agent.
      const agent = new Agent({ keepAliveTimeout: 10_000 });
      const href = url.href;
      return {
        probe: async (i) => {
          const res = await request(href, { method: 'POST', dispatcher: agent, headers: headersOf(i), body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 }) });
          checkChat(res.statusCode, await res.body.text());
        },
      };
    }
    case 'blackbox': {
      const { Agent, request } = await import('undici');
      const agent = new Agent();
      const probeUrl = `${opts.blackbox}/probe?module=chat&target=${encodeURIComponent(url.href)}`;
      return {
        cpu: () => cpuOf(opts.cpuPid),
        probe: async () => {
          const res = await request(probeUrl, { dispatcher: agent });
          const text = await res.body.text();
          if (!/^probe_success 1$/m.test(text)) fail(`blackbox: ${text.slice(0, 300)}`);
        },
      };
    }
    case 'exporter': {
      const { App } = await import(join(ROOT, 'dist/src/app.js'));
      const { parseConfig } = await import(join(ROOT, 'dist/src/config/load.js'));
      const { createLogger } = await import(join(ROOT, 'dist/src/cli/logger.js'));
      const config = parseConfig(configText(opts.n, opts.base, { health_check_concurrency: opts.concurrency }), 'bench.yaml', {});
      const ex = await App.create({ config, logger: createLogger('silent'), env: {} });
      return {
        round: async () => {
          const out = await ex.scheduler.probeAll(ex.deployments);
          const bad = out.find((o) => !o.result.healthy);
          if (bad || out.length !== opts.n) fail(`${out.length} results, first unhealthy: ${JSON.stringify(bad?.result ?? null).slice(0, 300)}`);
        },
      };
    }
    default: throw new Error(`unknown side ${opts.side}`);
  }
}

const side = await makeSide();
const round = side.round ?? (() => runPool(opts.n, opts.concurrency, side.probe));
const cpu = side.cpu ?? (() => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; });

if (opts.mode === 'rounds') {
  let profiler;
  for (let r = 0; r < opts.rounds; r++) {
    // Profile only warm rounds (from the third on): what a long-running process spends.
    if (opts.profileOut && r === 2) {
      const { Session } = await import('node:inspector/promises');
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
      await profiler.post('Profiler.start');
    }
    const c0 = cpu(); const t0 = performance.now();
    for (let k = 0; k < (opts.repeat ?? 1); k++) await round();
    const wallS = (performance.now() - t0) / 1000;
    process.stdout.write(`${JSON.stringify({ round: r, cpuS: cpu() - c0, wallS, probes: opts.n * (opts.repeat ?? 1) })}\n`);
  }
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(opts.profileOut, JSON.stringify(profile));
  }
  process.stdout.write('done\n');
  process.exit(0);
} else if (opts.mode === 'trickle') {
  // Probe k is due at start + k / rate (a fixed grid, so timer lateness does not lower the rate).
  const start = performance.now();
  const stepMs = 1000 / opts.rate;
  let k = 0;
  let inFlight = 0;
  const tick = () => {
    const now = performance.now();
    while (start + k * stepMs <= now) {
      const i = k++ % opts.n;
      if (inFlight >= opts.concurrency) continue; // never happens at a trickle; bounded anyway
      inFlight++;
      side.probe(i).then(() => { inFlight--; }, (e) => fail(e.message));
    }
    setTimeout(tick, Math.max(0, start + k * stepMs - performance.now()));
  };
  process.stdout.write('trickling\n');
  tick();
} else {
  throw new Error(`unknown mode ${opts.mode}`);
}
