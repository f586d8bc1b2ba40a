// Parts 2 and 3: the real CLI over 10,000 deployments. Launch → readiness from the spawn, RSS
// after the first round, the on-demand round's peak RSS, RSS after an hour-equivalent of trickle
// and serving, then /health and /metrics latency against a bare fastify route sending the same
// bytes, while background probes keep landing (counted at the fake).
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import {
  PKG, assertAllHealthy, configText, cpuOf, log, median, peakRssMbOf, rssMbOf, sleep, startChild,
  startExporterCli, stats, stop, waitReady,
} from './lib.mjs';

export const FLEET = {
  n: Number(process.env.BENCH_FLEET_N ?? 10_000),
  concurrency: 16,
  launchReps: Number(process.env.BENCH_LAUNCH_REPS ?? 3),
  settleS: Number(process.env.BENCH_SETTLE_S ?? 60),
  /**
   * The hour-equivalent: what an hour at LiteLLM's default 300 s interval sends (12 rounds of
   * every deployment), compressed 15× to a 20 s interval, with the hour's serving compressed
   * alike: /health every 5 s and a /metrics scrape every 15 s become one every 333 ms and 1 s.
   * BENCH_HOUR_SERVING=real keeps the serving at its real cadence instead (fewer requests, the
   * same per-request load), to tell memory that grows with the request rate from memory that leaks.
   */
  hourIntervalS: 20,
  hourRounds: Number(process.env.BENCH_HOUR_ROUNDS ?? 12),
  hourCompression: 300 / 20,
  hourServing: process.env.BENCH_HOUR_SERVING === 'real' ? 'real' : 'compressed',
  servingReps: Number(process.env.BENCH_REPS ?? 5),
  healthPerRep: 10,
  // Through undici a 23 MB scrape took 23-165 ms, through rawGetter 13-30 ms; 11 a repetition
  // (3 gave ratios of 0.87-2.91 through undici) keep the median off a single slow one.
  metricsPerRep: 11,
};

const agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
/** One GET, its whole body read; returns { ms, bytes, status }. */
async function timedGet(url) {
  const t0 = performance.now();
  const res = await request(url, { dispatcher: agent });
  const body = Buffer.from(await res.body.arrayBuffer());
  const ms = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${body.toString('utf8', 0, 300)}`);
  return { ms, body };
}

/**
 * Part 3's client: GETs over one kept raw socket, timed from the request's write to the last byte
 * its content-length announces; the bytes are counted, not collected. undici's `request()` +
 * `arrayBuffer()` (the client before) added 10-140 ms of its own to a 23 MB answer, and most to
 * whichever side it read first after a pause: two bare routes sending the same bytes, one of them
 * in 1,581 corked pieces as the exporter does, took a median 157 and 63 ms through it, 21 and 16 ms
 * through this reader, 10 and 13 ms through curl (bench/FINDINGS.md, tenth pass).
 */
function rawGetter(base) {
  const { hostname, port } = new URL(base);
  let socket;
  const get = (path) => new Promise((resolve, reject) => {
    const send = () => {
      const t0 = performance.now();
      let head = Buffer.alloc(0); let status = 0; let want = -1; let got = 0;
      const done = (err, value) => { socket.off('data', onData); socket.off('error', done); socket.off('close', onClose); if (err) reject(err); else resolve(value); };
      const onClose = () => done(new Error(`GET ${base}${path}: connection closed after ${got} of ${want} bytes`));
      const onData = (chunk) => {
        if (want < 0) {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          const text = head.toString('latin1', 0, end);
          status = Number(text.slice(9, 12));
          want = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text)?.[1]);
          if (!Number.isSafeInteger(want)) return done(new Error(`GET ${base}${path}: no content-length in ${text.slice(0, 200)}`));
          got = head.length - end - 4;
        } else got += chunk.length;
        if (got < want) return;
        if (status !== 200 || got !== want) return done(new Error(`GET ${base}${path}: status ${status}, ${got} bytes of ${want}`));
        done(undefined, { ms: performance.now() - t0, bytes: got });
      };
      socket.on('data', onData); socket.once('error', done); socket.once('close', onClose);
      socket.write(`GET ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n\r\n`);
    };
    if (socket && !socket.destroyed) return send();
    socket = connect(Number(port), hostname, send);
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
  get.close = () => socket?.destroy();
  return get;
}

const background = (file, fake, intervalS) => writeFileSync(file, configText(FLEET.n, fake.base('exporter'), { background_health_checks: true, health_check_interval: intervalS, health_check_concurrency: FLEET.concurrency }));

/**
 * Launch → listening and → readiness, from the spawn; CPU then; RSS 5 s after the first round
 * (the goal's figure) and again once settled: V8's memory reducer runs full collections about
 * 30 s into an idle stretch and gives pages back, so 60 s after readiness shows what an idle
 * exporter keeps (FLEET.settleS; 0 skips it).
 */
async function launchOnce(file) {
  const ex = await startExporterCli(file);
  try {
    const readyAt = await waitReady(ex.url);
    const cpuAtReady = cpuOf(ex.child.pid);
    await sleep(5000);
    const rssAfterFirstRoundMb = rssMbOf(ex.child.pid);
    await assertAllHealthy(ex.url, FLEET.n);
    let rssSettledMb;
    if (FLEET.settleS > 0) {
      await sleep(Math.max(0, readyAt + FLEET.settleS * 1000 - performance.now()));
      rssSettledMb = rssMbOf(ex.child.pid);
    }
    return { listeningS: ex.listeningS, readyS: (readyAt - ex.spawnedAt) / 1000, cpuAtReadyS: cpuAtReady, rssAfterFirstRoundMb, rssSettledMb };
  } finally { await stop(ex.child); }
}

/** On-demand mode: one GET /health probes every deployment; the peak RSS (VmHWM) after it. */
async function onDemandOnce(file, fake) {
  const ex = await startExporterCli(file);
  try {
    await waitReady(ex.url);
    const rssBeforeMb = rssMbOf(ex.child.pid);
    const before = await fake.counts();
    const t0 = performance.now();
    const { body } = await timedGet(`${ex.url}/health`);
    const roundS = (performance.now() - t0) / 1000;
    const parsed = JSON.parse(body);
    const sent = (await fake.counts()).exporter - (before.exporter ?? 0);
    if (parsed.healthy_count !== FLEET.n || sent !== FLEET.n) throw new Error(`on-demand round: ${parsed.healthy_count} healthy, ${sent} probes sent, of ${FLEET.n}`);
    return { rssBeforeMb, peakRssMb: peakRssMbOf(ex.child.pid), rssAfterMb: rssMbOf(ex.child.pid), roundS };
  } finally { await stop(ex.child); }
}

export async function launchAndOnDemand({ fake, tmp }) {
  const bgFile = join(tmp, 'fleet-launch.yaml');
  background(bgFile, fake, 300);
  const odFile = join(tmp, 'fleet-on-demand.yaml');
  writeFileSync(odFile, configText(FLEET.n, fake.base('exporter'), { health_check_concurrency: FLEET.concurrency }));
  const launches = []; const onDemand = [];
  for (let r = 0; r < FLEET.launchReps; r++) {
    log(`2. launch → readiness at ${FLEET.n}, repetition ${r + 1}/${FLEET.launchReps}`);
    launches.push(await launchOnce(bgFile));
    log(`2. on-demand round at ${FLEET.n}, repetition ${r + 1}/${FLEET.launchReps}`);
    onDemand.push(await onDemandOnce(odFile, fake));
  }
  const pick = (xs, k) => stats(xs.map((x) => x[k]));
  return {
    n: FLEET.n,
    listeningS: pick(launches, 'listeningS'), readyS: pick(launches, 'readyS'), cpuAtReadyS: pick(launches, 'cpuAtReadyS'),
    rssAfterFirstRoundMb: pick(launches, 'rssAfterFirstRoundMb'),
    rssSettledMb: FLEET.settleS > 0 ? pick(launches, 'rssSettledMb') : undefined, settleS: FLEET.settleS,
    onDemandPeakMb: pick(onDemand, 'peakRssMb'), onDemandRssBeforeMb: pick(onDemand, 'rssBeforeMb'), onDemandRoundS: pick(onDemand, 'roundS'),
    raw: { launches, onDemand },
  };
}

/**
 * The hour-equivalent (see FLEET), then part 3 in the same process while its trickle goes on:
 * sequential GETs alternating exporter and baseline (A B A B ...), medians per repetition.
 */
export async function hourAndServing({ fake, tmp }) {
  const file = join(tmp, 'fleet-hour.yaml');
  background(file, fake, FLEET.hourIntervalS);
  const atStart = await fake.counts();
  const sentSinceStart = async () => (await fake.counts()).exporter - (atStart.exporter ?? 0);
  const ex = await startExporterCli(file);
  const baselines = [];
  try {
    await waitReady(ex.url);
    // From readiness (the start-up round done) until the fake has answered hourRounds rounds'
    // worth of probes and the hour's requests are served, or hourRounds + 2 intervals have passed
    // (a loaded exporter may skip slots: the probes are counted, not assumed, and reported).
    const probesWanted = FLEET.n * FLEET.hourRounds;
    const capMs = (FLEET.hourRounds + 3) * FLEET.hourIntervalS * 1000;
    const servingCompression = FLEET.hourServing === 'real' ? 1 : FLEET.hourCompression;
    const healthEveryMs = 5000 / servingCompression;
    const metricsEveryMs = 15_000 / servingCompression;
    const hourMs = FLEET.hourRounds * FLEET.hourIntervalS * 1000;
    const toServe = { health: Math.floor(hourMs / healthEveryMs), metrics: Math.floor(hourMs / metricsEveryMs) };
    log(`2. hour-equivalent: ${FLEET.hourRounds} rounds at a ${FLEET.hourIntervalS} s interval over ${FLEET.n} deployments, serving ${toServe.health} /health and ${toServe.metrics} /metrics`);
    const served = { health: 0, metrics: 0 };
    const sentAtReady = await sentSinceStart();
    const cpuAtReady = cpuOf(ex.child.pid);
    const t0 = performance.now();
    let nextHealth = t0; let nextMetrics = t0;
    let probes = 0;
    while (probes < probesWanted || served.health < toServe.health || served.metrics < toServe.metrics) {
      if (performance.now() > t0 + capMs) break;
      const now = performance.now();
      if (now >= nextHealth && served.health < toServe.health) { await timedGet(`${ex.url}/health`); served.health++; nextHealth += healthEveryMs; }
      if (now >= nextMetrics && served.metrics < toServe.metrics) { await timedGet(`${ex.url}/metrics`); served.metrics++; nextMetrics += metricsEveryMs; }
      if (probes < probesWanted) probes = Math.min(probesWanted, (await sentSinceStart()) - sentAtReady);
      const next = Math.min(served.health < toServe.health ? nextHealth : Infinity, served.metrics < toServe.metrics ? nextMetrics : Infinity, now + 500);
      await sleep(Math.max(5, next - performance.now()));
    }
    const wallS = (performance.now() - t0) / 1000;
    const hour = { rssMb: rssMbOf(ex.child.pid), peakRssMb: peakRssMbOf(ex.child.pid), cpuS: cpuOf(ex.child.pid) - cpuAtReady, probes, probesWanted, served, toServe, wallS, capS: capMs / 1000 };
    if (probes < hour.probesWanted * 0.5) throw new Error(`hour-equivalent: only ${probes} of ${hour.probesWanted} probes sent in ${wallS.toFixed(0)} s`);
    await assertAllHealthy(ex.url, FLEET.n);

    log('3. /health and /metrics against the bare baseline, while the trickle runs');
    const healthBytes = (await timedGet(`${ex.url}/health`)).body;
    const metricsBytes = (await timedGet(`${ex.url}/metrics`)).body;
    writeFileSync(join(tmp, 'health.json'), healthBytes);
    writeFileSync(join(tmp, 'metrics.txt'), metricsBytes);
    const bh = await startChild(process.execPath, [join(PKG, 'bench/baseline-server.mjs'), join(tmp, 'health.json'), 'application/json; charset=utf-8'], { label: 'baseline /health' });
    const bm = await startChild(process.execPath, [join(PKG, 'bench/baseline-server.mjs'), join(tmp, 'metrics.txt'), 'text/plain; charset=utf-8'], { label: 'baseline /metrics' });
    baselines.push(bh.child, bm.child);
    const sentBefore = await sentSinceStart();
    const tServe = performance.now();
    // Which side goes first alternates (A B B A ...): whichever a client reads first after a pause
    // can pay for it.
    const latency = async (path, perRep) => {
      const ours = rawGetter(ex.url); const theirs = rawGetter(`http://127.0.0.1:${path === '/health' ? bh.value : bm.value}`);
      const reps = [];
      for (let r = 0; r < FLEET.servingReps; r++) {
        const a = []; const b = [];
        for (let i = 0; i < perRep; i++) {
          if (i % 2 === 0) { a.push((await ours(path)).ms); b.push((await theirs('/')).ms); } else { b.push((await theirs('/')).ms); a.push((await ours(path)).ms); }
        }
        reps.push({ ours: median(a), baseline: median(b) });
      }
      ours.close(); theirs.close();
      return { perRep, ours: stats(reps.map((x) => x.ours)), baseline: stats(reps.map((x) => x.baseline)), ratio: stats(reps.map((x) => x.ours / x.baseline)), raw: reps };
    };
    const cpuBefore = cpuOf(ex.child.pid);
    const health = await latency('/health', FLEET.healthPerRep);
    const metrics = await latency('/metrics', FLEET.metricsPerRep);
    const serveS = (performance.now() - tServe) / 1000;
    const probesDuring = (await sentSinceStart()) - sentBefore;
    if (probesDuring < serveS * (FLEET.n / FLEET.hourIntervalS) * 0.5) throw new Error(`serving: only ${probesDuring} probes landed in ${serveS.toFixed(1)} s: the trickle was not running`);
    const serving = {
      client: 'raw socket', health, metrics, healthBytes: healthBytes.length, metricsBytes: metricsBytes.length, probesDuring, serveS,
      exporterCpuS: cpuOf(ex.child.pid) - cpuBefore, baselineRssMb: rssMbOf(bh.child.pid),
    };
    return { hour, serving };
  } finally {
    await Promise.all([ex.child, ...baselines].map(stop));
  }
}
