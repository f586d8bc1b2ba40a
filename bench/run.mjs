// npm run bench: measures the probe engine, the serving paths, memory and scaling, each against
// a baseline measured in the same run, and writes bench/RESULTS.md and bench/scaling.svg.
// Everything runs on loopback; every child process is stopped on exit.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { App } = await import(join(ROOT, 'dist/src/app.js'));
const { parseConfig } = await import(join(ROOT, 'dist/src/config/load.js'));
const { createLogger } = await import(join(ROOT, 'dist/src/cli/logger.js'));

const RUNS = 5;
const CONCURRENCY = 64;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const tmp = mkdtempSync(join(tmpdir(), 'lhe-bench-'));
const children = new Set();
const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);

process.on('exit', () => { for (const c of children) try { c.kill('SIGKILL'); } catch { /* gone */ } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

// ---------- helpers ----------
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (x, d = 2) => Number(x).toFixed(d);
const ratio = (a, b) => fmt(a / b, 2);

function startChild(cmd, args, { readyFrom = 'stdout', match = /^(\d+)\s*$/m, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    children.add(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out.slice(-500)}`)), 60_000);
    child[readyFrom].on('data', (c) => {
      out += c;
      const m = match.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, value: m[1] }); }
    });
    child.on('exit', (code) => { children.delete(child); clearTimeout(timer); reject(new Error(`${cmd} exited ${code}: ${out.slice(-500)}`)); });
  });
}
function stop(child) {
  return new Promise((r) => { if (child.exitCode !== null) return r(); child.once('exit', r); child.kill('SIGTERM'); });
}
/** CPU seconds (user + system) a process has used, from /proc. */
function cpuOf(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
function rssMbOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}
async function pool(n, concurrency, task) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < n) await task(next++); }));
}
function configText(n, base, general = '') {
  const list = Array.from({ length: n }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "${base}", api_key: sk-bench, organization: org-${i} }\n    model_info: { id: d${i} }\n`).join('');
  return `model_list:\n${list}general_settings:\n  health_check_concurrency: ${CONCURRENCY}\n  health_check_min_interval: 0\n${general}`;
}
async function waitReady(url, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try { if ((await fetch(`${url}/health/readiness`)).status === 200) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

const results = { machine: {}, engine: {}, peer: {}, serving: [], memory: [], scaling: [] };
results.machine = {
  cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
  memory: `${fmt(totalmem() / 2 ** 30, 1)} GiB (${fmt(freemem() / 2 ** 30, 1)} GiB free at start)`,
  node: process.version,
  date: new Date().toISOString(),
};

// ---------- the fake upstream (separate process) ----------
const upstream = await startChild(process.execPath, [join(ROOT, 'bench/fake-openai.mjs')]);
const base = `http://127.0.0.1:${upstream.value}/v1`;
log('fake upstream at', base);

// ---------- 6. persistence on vs off (bench/persistence.mjs); BENCH_ONLY=persistence runs it alone ----------
const { PERSIST, persistenceTrickle, persistenceSection } = await import('./persistence.mjs');
const persistenceArgs = { ROOT, base, tmp, startChild, stop, rssMbOf, waitReady, log };
if (process.env.BENCH_ONLY === 'persistence') {
  process.stdout.write(`${persistenceSection(await persistenceTrickle(persistenceArgs)).join('\n')}\n`);
  await stop(upstream.child);
  process.exit(0);
}

// ---------- 1. probe engine vs a bare undici loop ----------
async function ourRound(n, upstreamBase = base) {
  const config = parseConfig(configText(n, upstreamBase), 'bench.yaml', {});
  const ex = await App.create({ config, logger: createLogger('silent'), env: {} });
  await ex.scheduler.probeAll(ex.deployments); // warm-up
  const walls = []; const cpus_ = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage(); const t0 = performance.now();
    const out = await ex.scheduler.probeAll(ex.deployments);
    walls.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0); cpus_.push((c.user + c.system) / 1e6);
    if (out.some((o) => !o.result.healthy)) throw new Error('a probe failed during the benchmark');
  }
  await ex.close();
  return { wall: median(walls), cpu: median(cpus_) };
}
async function bareRound(n, upstreamBase = base) {
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const once = async (i) => {
    const res = await request(`${upstreamBase}/chat/completions`, {
      method: 'POST', dispatcher: agent,
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer sk-bench', 'openai-organization': `org-${i}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 }),
    });
    const json = JSON.parse(await res.body.text());
    if (res.statusCode !== 200 || !json.choices?.length) throw new Error('bad answer');
  };
  await pool(n, CONCURRENCY, once); // warm-up
  const walls = []; const cpus_ = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage(); const t0 = performance.now();
    await pool(n, CONCURRENCY, once);
    walls.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0); cpus_.push((c.user + c.system) / 1e6);
  }
  await agent.close();
  return { wall: median(walls), cpu: median(cpus_) };
}
log('1. engine vs bare undici, 1,000 deployments');
const bare = await bareRound(1000);
const ours = await ourRound(1000);
results.engine = { bare, ours };
// The same round against an upstream that takes 20 ms to answer, as a fast real one does.
const slow = await startChild(process.execPath, [join(ROOT, 'bench/fake-openai.mjs')], { env: { DELAY_MS: '20' } });
const slowBase = `http://127.0.0.1:${slow.value}/v1`;
results.engine20 = { bare: await bareRound(1000, slowBase), ours: await ourRound(1000, slowBase) };
await stop(slow.child);

// ---------- 2. against blackbox_exporter ----------
log('2. blackbox_exporter');
const bbConfig = join(tmp, 'blackbox.yml');
writeFileSync(bbConfig, `modules:
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
const bbPort = 20000 + Math.floor(Math.random() * 20000);
const bb = await startChild('prometheus-blackbox-exporter', [`--config.file=${bbConfig}`, `--web.listen-address=127.0.0.1:${bbPort}`], { readyFrom: 'stderr', match: /(Listening on|msg="Listening)/ });
{
  const agent = new Agent();
  const target = encodeURIComponent(`${base}/chat/completions`);
  const probeOnce = async () => {
    const res = await request(`http://127.0.0.1:${bbPort}/probe?module=chat&target=${target}`, { dispatcher: agent });
    const text = await res.body.text();
    if (!/^probe_success 1$/m.test(text)) throw new Error(`blackbox probe failed: ${text.slice(0, 300)}`);
  };
  await pool(1000, CONCURRENCY, probeOnce); // warm-up
  const cpus_ = []; const walls = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = cpuOf(bb.child.pid); const t0 = performance.now();
    await pool(1000, CONCURRENCY, probeOnce);
    walls.push((performance.now() - t0) / 1000);
    cpus_.push(cpuOf(bb.child.pid) - c0);
  }
  await agent.close();
  results.peer = { blackboxCpu: median(cpus_), blackboxWall: median(walls), oursCpu: ours.cpu };
}
await stop(bb.child);

// ---------- 3 + 4 + 5. serving, memory, scaling ----------
/** /health: 10 connections (load balancers, dashboards, curl). /metrics: 1, as one Prometheus scrapes. */
const CONNECTIONS = { health: 10, metrics: 1 };
async function cannonOnce(url, connections) {
  const res = await autocannon({ url, connections, duration: 2, headers: {} });
  if (res.non2xx || res.errors) throw new Error(`${url}: ${res.non2xx} non-2xx, ${res.errors} errors`);
  return { rps: res.requests.average, p99: res.latency.p99 };
}
/**
 * Runs each target in turn, RUNS times (A B A B ...), so a noisy neighbour on this shared
 * machine hits both sides alike; medians per target.
 */
async function interleaved(targets) {
  const runs = targets.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, t] of targets.entries()) runs[i].push(await cannonOnce(t.url, t.connections));
  }
  return runs.map((rs) => ({ rps: median(rs.map((x) => x.rps)), p99: median(rs.map((x) => x.p99)) }));
}
async function scrapeMs(url) {
  const ms = [];
  for (let r = 0; r < RUNS; r++) { const t0 = performance.now(); await (await fetch(url)).arrayBuffer(); ms.push(performance.now() - t0); }
  return median(ms);
}
for (const n of [10, 100, 1000, 10_000]) {
  log(`3. serving and memory at ${n} deployments`);
  const file = join(tmp, `serve-${n}.yaml`);
  writeFileSync(file, configText(n, base, '  background_health_checks: true\n  health_check_interval: 3600\n'));
  const ex = await startChild(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), file, '--host', '127.0.0.1', '--port', '0', '--log-level', 'info'], { readyFrom: 'stderr', match: /"address":"(http:\/\/[^"]+)"/ });
  const url = ex.value;
  const t0 = performance.now();
  await waitReady(url);
  const firstRoundS = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 5000)); // settle: first round done, probes now trickle
  const rss = rssMbOf(ex.child.pid);
  const healthBody = Buffer.from(await (await fetch(`${url}/health`)).arrayBuffer());
  const metricsBody = Buffer.from(await (await fetch(`${url}/metrics`)).arrayBuffer());
  writeFileSync(join(tmp, 'health.json'), healthBody);
  writeFileSync(join(tmp, 'metrics.txt'), metricsBody);
  // One scrape at a time, before any load (so no backlog from the load runs is counted).
  const metricsScrapeMs = await scrapeMs(`${url}/metrics`);
  const bh = await startChild(process.execPath, [join(ROOT, 'bench/baseline-server.mjs'), join(tmp, 'health.json'), 'application/json; charset=utf-8']);
  const bm = await startChild(process.execPath, [join(ROOT, 'bench/baseline-server.mjs'), join(tmp, 'metrics.txt'), 'text/plain; charset=utf-8']);
  const baseRss = rssMbOf(bh.child.pid);
  const [health, baseHealth] = await interleaved([
    { url: `${url}/health`, connections: CONNECTIONS.health },
    { url: `http://127.0.0.1:${bh.value}/`, connections: CONNECTIONS.health },
  ]);
  const [metrics, baseMetrics] = await interleaved([
    { url: `${url}/metrics`, connections: CONNECTIONS.metrics },
    { url: `http://127.0.0.1:${bm.value}/`, connections: CONNECTIONS.metrics },
  ]);
  const rssAfterLoad = rssMbOf(ex.child.pid);
  await Promise.all([stop(ex.child), stop(bh.child), stop(bm.child)]);
  results.serving.push({ n, health, baseHealth, metrics, baseMetrics, healthBytes: healthBody.length, metricsBytes: metricsBody.length });
  results.memory.push({ n, rss, rssAfterLoad, baseRss, firstRoundS });
  results.scaling.push({ n, scrapeMs: metricsScrapeMs });
}
for (const n of [10, 100, 1000, 10_000]) {
  log(`5. round time at ${n} deployments`);
  const r = await ourRound(n);
  const s = results.scaling.find((x) => x.n === n);
  if (s) s.roundS = r.wall; else results.scaling.push({ n, roundS: r.wall });
}
results.scaling.sort((a, b) => a.n - b.n);
results.persistence = await persistenceTrickle(persistenceArgs);
await stop(upstream.child);

// ---------- report ----------
const e = results.engine;
const engineRatio = e.ours.wall / e.bare.wall;
const peerRatio = results.peer.oursCpu / results.peer.blackboxCpu;
const s10k = results.serving.find((s) => s.n === 10_000);
const m10k = results.memory.find((m) => m.n === 10_000);
const slope = (key) => {
  const a = results.scaling.find((x) => x.n === 1000)[key];
  const b = results.scaling.find((x) => x.n === 10_000)[key];
  return Math.log10(b / a); // per decade: 1 = linear
};
const ok = (b) => (b ? 'met' : '**missed**');
const lines = [];
lines.push('# Benchmark results', '');
lines.push('Produced by `npm run bench` (builds, then runs `node bench/run.mjs`; about 16 minutes; `BENCH_ONLY=persistence node bench/run.mjs` runs part 6 alone and prints it). Every figure is the median of', `${RUNS} runs (part 6: ${PERSIST.runs} long ones) after a warm-up, next to a baseline measured in the same run. Loopback only; the fake OpenAI upstream runs in`, 'its own process (`bench/fake-openai.mjs`), so its CPU is not counted on either side.', '');
lines.push('## Machine', '', `- CPU: ${results.machine.cpu}`, `- Memory: ${results.machine.memory}`, `- Node: ${results.machine.node}`, `- Run at: ${results.machine.date}`, '');
lines.push('## 1. Probe engine overhead vs the limit', '');
lines.push(`One full round over 1,000 deployments at concurrency ${CONCURRENCY}: the exporter's scheduler (\`scheduler.probeAll\`: limiter, runner, chat plugin, provider, store, metrics, spans) against a bare undici loop sending the same 1,000 requests at the same concurrency and parsing each JSON answer.`, '');
lines.push('| | wall s | CPU s |', '|---|---|---|');
lines.push(`| bare undici loop (baseline) | ${fmt(e.bare.wall, 3)} | ${fmt(e.bare.cpu, 3)} |`);
lines.push(`| llm-health-exporter | ${fmt(e.ours.wall, 3)} | ${fmt(e.ours.cpu, 3)} |`);
lines.push(`| **ratio** | **${ratio(e.ours.wall, e.bare.wall)}** | **${ratio(e.ours.cpu, e.bare.cpu)}** |`, '');
lines.push(`Goal: wall ratio ≤ 1.15 — ${ok(engineRatio <= 1.15)}.`, '');
const e20 = results.engine20;
lines.push('The upstream above answers in microseconds, so both sides are CPU-bound and the wall ratio is the CPU ratio. The same round against the fake upstream answering after 20 ms (`DELAY_MS=20`):', '');
lines.push('| | wall s | CPU s |', '|---|---|---|');
lines.push(`| bare undici loop (baseline) | ${fmt(e20.bare.wall, 3)} | ${fmt(e20.bare.cpu, 3)} |`);
lines.push(`| llm-health-exporter | ${fmt(e20.ours.wall, 3)} | ${fmt(e20.ours.cpu, 3)} |`);
lines.push(`| **ratio** | **${ratio(e20.ours.wall, e20.bare.wall)}** | **${ratio(e20.ours.cpu, e20.bare.cpu)}** |`, '');
lines.push('## 2. Against a peer: blackbox_exporter', '');
lines.push(`Debian's prometheus-blackbox-exporter 0.23 with an \`http\` module that POSTs the same chat body to the same fake upstream and checks for \`"choices"\`, driven through \`/probe\` at concurrency ${CONCURRENCY}; its CPU read from /proc. Ours: the CPU of part 1's round.`, '');
lines.push('| | CPU s per 1,000 probes |', '|---|---|');
lines.push(`| blackbox_exporter (baseline) | ${fmt(results.peer.blackboxCpu, 3)} |`);
lines.push(`| llm-health-exporter | ${fmt(results.peer.oursCpu, 3)} |`);
lines.push(`| **ratio** | **${fmt(peerRatio, 2)}** |`, '');
lines.push(`Goal: ours ≤ blackbox's — ${ok(peerRatio <= 1)}.`, '');
lines.push('## 3. Serving: /health (background mode, cached) and /metrics', '');
lines.push(`autocannon, 2 s per run, exporter and baseline runs alternating: /health with ${CONNECTIONS.health} connections (load balancers, dashboards, scripts), /metrics with ${CONNECTIONS.metrics} (one Prometheus scrapes a target over one connection). Baseline: a bare fastify route returning the same bytes, pre-serialized (\`bench/baseline-server.mjs\`), driven the same way.`, '');
lines.push('| deployments | endpoint | bytes | req/s | baseline req/s | ratio | p99 ms | baseline p99 ms |', '|---|---|---|---|---|---|---|---|');
for (const s of results.serving) {
  lines.push(`| ${s.n} | /health | ${s.healthBytes} | ${fmt(s.health.rps, 0)} | ${fmt(s.baseHealth.rps, 0)} | ${ratio(s.health.rps, s.baseHealth.rps)} | ${s.health.p99} | ${s.baseHealth.p99} |`);
  lines.push(`| ${s.n} | /metrics | ${s.metricsBytes} | ${fmt(s.metrics.rps, 0)} | ${fmt(s.baseMetrics.rps, 0)} | ${ratio(s.metrics.rps, s.baseMetrics.rps)} | ${s.metrics.p99} | ${s.baseMetrics.p99} |`);
}
lines.push('');
const healthMin = Math.min(...results.serving.map((s) => s.health.rps / s.baseHealth.rps));
lines.push(`Goal: /health ≥ 0.8 of the baseline — ${ok(healthMin >= 0.8)} (lowest ratio ${fmt(healthMin, 2)}).`);
lines.push(`Goal: /metrics p99 at 10,000 deployments ≤ 10 s / 20 = 500 ms — ${ok(s10k.metrics.p99 <= 500)} (${s10k.metrics.p99} ms, back-to-back scrapes on one connection).`, '');
lines.push('## 4. Memory', '');
lines.push('RSS of the exporter process in background mode with history on (100 rows per deployment, kept in columns allocated at full size, so a full history costs what an empty one does): after the first round and 5 s of settling, and again after the serving runs of part 3. Baseline: the RSS of the bare fastify process holding the same /health bytes.', '');
lines.push('| deployments | exporter RSS MB | after serving load MB | baseline RSS MB | ratio | first round s |', '|---|---|---|---|---|---|');
for (const m of results.memory) lines.push(`| ${m.n} | ${fmt(m.rss, 1)} | ${fmt(m.rssAfterLoad, 1)} | ${fmt(m.baseRss, 1)} | ${ratio(m.rss, m.baseRss)} | ${fmt(m.firstRoundS, 2)} |`);
lines.push('', `Goal: under 150 MB at 10,000 — ${ok(m10k.rss < 150)} at steady state (${fmt(m10k.rss, 1)} MB); ${fmt(m10k.rssAfterLoad, 1)} MB after the serving load.`, '');
lines.push('## 5. Scaling', '');
lines.push('Round time (part 1\'s measure) and one /metrics scrape (sequential, no load) against the deployment count. ![scaling](scaling.svg)', '');
lines.push('| deployments | round s | round s per 1,000 | scrape ms |', '|---|---|---|---|');
for (const x of results.scaling) lines.push(`| ${x.n} | ${x.roundS !== undefined ? fmt(x.roundS, 3) : ''} | ${x.roundS !== undefined ? fmt((x.roundS / x.n) * 1000, 3) : ''} | ${x.scrapeMs !== undefined ? fmt(x.scrapeMs, 1) : ''} |`);
lines.push('', `Growth from 1,000 to 10,000 (log-log slope, 1 = linear): round ${fmt(slope('roundS'), 2)}, scrape ${fmt(slope('scrapeMs'), 2)}. Goal: linear or better — ${ok(slope('roundS') <= 1.1 && slope('scrapeMs') <= 1.1)}.`, '');
lines.push(...persistenceSection(results.persistence));
// What profiling found and fixed, with before/after figures (hand-written, kept with the results).
lines.push(readFileSync(join(ROOT, 'bench/FINDINGS.md'), 'utf8').trim());
writeFileSync(join(ROOT, 'bench/RESULTS.md'), `${lines.join('\n')}\n`);

// ---------- the plot ----------
const W = 640, H = 400, P = 60;
const xs = results.scaling.map((x) => Math.log10(x.n));
const series = [
  { key: 'roundS', scale: 1000, label: 'round time (ms)', color: '#1f77b4' },
  { key: 'scrapeMs', scale: 1, label: '/metrics scrape (ms)', color: '#d62728' },
];
const ys = results.scaling.flatMap((x) => series.filter((s) => x[s.key] !== undefined).map((s) => Math.log10(x[s.key] * s.scale)));
const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
const [y0, y1] = [Math.floor(Math.min(...ys)), Math.ceil(Math.max(...ys))];
const px = (v) => P + ((v - x0) / (x1 - x0)) * (W - 2 * P);
const py = (v) => H - P - ((v - y0) / (y1 - y0)) * (H - 2 * P);
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n`;
svg += `<line x1="${P}" y1="${H - P}" x2="${W - P}" y2="${H - P}" stroke="black"/><line x1="${P}" y1="${P}" x2="${P}" y2="${H - P}" stroke="black"/>\n`;
for (const x of results.scaling) svg += `<text x="${px(Math.log10(x.n))}" y="${H - P + 18}" text-anchor="middle">${x.n}</text>\n`;
for (let v = y0; v <= y1; v++) svg += `<text x="${P - 8}" y="${py(v) + 4}" text-anchor="end">${10 ** v}</text><line x1="${P}" y1="${py(v)}" x2="${W - P}" y2="${py(v)}" stroke="#eee"/>\n`;
svg += `<text x="${W / 2}" y="${H - 15}" text-anchor="middle">deployments (log)</text><text x="15" y="${H / 2}" transform="rotate(-90 15 ${H / 2})" text-anchor="middle">milliseconds (log)</text>\n`;
series.forEach((s, i) => {
  const pts = results.scaling.filter((x) => x[s.key] !== undefined).map((x) => `${px(Math.log10(x.n))},${py(Math.log10(x[s.key] * s.scale))}`);
  svg += `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"/>\n`;
  for (const p of pts) { const [cx, cy] = p.split(','); svg += `<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>\n`; }
  svg += `<text x="${P + 10}" y="${P + 15 + i * 16}" fill="${s.color}">${s.label}</text>\n`;
});
svg += '</svg>\n';
writeFileSync(join(ROOT, 'bench/scaling.svg'), svg);
log('wrote bench/RESULTS.md and bench/scaling.svg');
process.exit(0);
