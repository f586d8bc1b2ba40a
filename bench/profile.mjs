// CPU profile of warm probe rounds: `node bench/profile.mjs` (BENCH_ROOT=DIR for another build)
// runs the exporter side of part 1 (bench/sides.mjs: App + scheduler.probeAll, 2,000 deployments,
// concurrency 16) under the V8 sampling profiler (node:inspector, 100 µs), rounds 3 to 7 only,
// and prints the top self-time entries as file:function and the shares by library, as Markdown.
// run.mjs calls profileSummary() for the build it measures.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPORTER_NODE_ENV, EXPORTER_NODE_FLAGS, PKG, ROOT, log, startChild, startFake, stop } from './lib.mjs';

export const PROFILE = { n: 2000, concurrency: 16, rounds: 7 };

/** Which library a profile node's script belongs to. */
export function libraryOf(url, functionName) {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)' || functionName === '(root)') return 'V8 / native (program)';
  if (url.startsWith('node:')) return 'node core';
  if (/node_modules\/undici\//.test(url)) return 'undici';
  if (/node_modules\/@opentelemetry\//.test(url)) return 'OTel';
  if (/node_modules\/(fastify|@fastify|avvio|find-my-way|light-my-request)\//.test(url)) return 'fastify';
  if (/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream)\//.test(url)) return 'pino';
  if (/node_modules\/zod\//.test(url)) return 'zod';
  if (/\/dist\/(src|plugins)\//.test(url) && !url.includes('node_modules')) return 'project (src, plugins)';
  if (/\/bench\/sides\.mjs$/.test(url)) return 'bench driver';
  return 'other';
}

const fileOf = (f) => (f.url.startsWith('file://') ? fileURLToPath(f.url) : f.url);
/** A path as shown: from node_modules/ for dependencies, relative to the package otherwise. */
function shownPath(url, root) {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 1);
  return url.startsWith('/') ? relative(root, url) : url;
}

/**
 * Self time per node from a .cpuprofile (samples × time deltas), grouped by file:function and
 * by library. Native frames (no script: writev, runMicrotasks, ...) count towards the library
 * of the nearest caller that has a script, so "undici" includes the bindings it calls directly.
 */
export function summariseProfile(profile, root) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const entries = new Map();
  const libs = new Map();
  const nodeCoreBy = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id).callFrame;
    let lib = libraryOf(fileOf(f), f.functionName);
    if (lib === 'idle') continue; // waiting on the network is not CPU
    if (!f.url && lib === 'other') {
      let up = parent.get(id);
      while (up !== undefined && !byId.get(up).callFrame.url) up = parent.get(up);
      const caller = up === undefined ? undefined : byId.get(up).callFrame;
      if (caller?.url === 'node:inspector') continue; // the profiler's own stop
      lib = caller ? libraryOf(fileOf(caller), caller.functionName) : 'V8 / native (program)';
    }
    total += us;
    libs.set(lib, (libs.get(lib) ?? 0) + us);
    if (lib === 'node core') {
      const by = callerOutsideNodeCore(id, byId, parent);
      nodeCoreBy.set(by, (nodeCoreBy.get(by) ?? 0) + us);
    }
    const key = `${f.url ? shownPath(fileOf(f), root) : '(native)'}:${f.functionName || '(anonymous)'}`;
    entries.set(key, (entries.get(key) ?? 0) + us);
  }
  const share = (us) => us / total;
  return {
    totalMs: total / 1000,
    top: [...entries].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([key, us]) => ({ key, ms: us / 1000, share: share(us) })),
    libraries: [...libs].sort((a, b) => b[1] - a[1]).map(([lib, us]) => ({ lib, ms: us / 1000, share: share(us) })),
    nodeCoreByCaller: [...nodeCoreBy].sort((a, b) => b[1] - a[1]).map(([lib, us]) => ({ lib, ms: us / 1000, share: share(us) })),
  };
}

/** The library of the nearest caller of a node-core frame that is not node core itself ("event loop" if none). */
function callerOutsideNodeCore(id, byId, parent) {
  for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
    const f = byId.get(up).callFrame;
    if (!f.url || f.url.startsWith('node:')) continue;
    return libraryOf(fileOf(f), f.functionName);
  }
  return 'event loop (no script caller)';
}

export function profileMarkdown(s, { label, command }) {
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  return [
    `Warm rounds 3–${PROFILE.rounds} (${(PROFILE.rounds - 2) * PROFILE.n} probes) of the exporter (${label}), ${s.totalMs.toFixed(0)} ms of samples, idle excluded. Command: \`${command}\`.`,
    '',
    '| top self time (file:function) | ms | share |', '|---|---|---|',
    ...s.top.map((e) => `| \`${e.key}\` | ${e.ms.toFixed(1)} | ${pct(e.share)} |`),
    '',
    '| library | ms | share |', '|---|---|---|',
    ...s.libraries.map((l) => `| ${l.lib} | ${l.ms.toFixed(1)} | ${pct(l.share)} |`),
    '',
    ...(s.nodeCoreByCaller ? [`Node core's share by the library that called into it: ${s.nodeCoreByCaller.map((l) => `${l.lib} ${pct(l.share)}`).join(', ')}.`, ''] : []),
  ].join('\n');
}

/** Profiles the build at ROOT against `fake` (started here when not given). */
export async function profileSummary({ fake, tmp } = {}) {
  const ownFake = fake ? undefined : await startFake();
  const f = fake ?? ownFake;
  const out = join(tmp ?? mkdtempSync(join(tmpdir(), 'lhe-profile-')), 'warm.cpuprofile');
  try {
    log(`profile: ${PROFILE.rounds} rounds of ${PROFILE.n} under the V8 profiler (${ROOT})`);
    const opts = { mode: 'rounds', side: 'exporter', n: PROFILE.n, rounds: PROFILE.rounds, concurrency: PROFILE.concurrency, base: f.base('profile'), profileOut: out };
    const c = await startChild(process.execPath, [...EXPORTER_NODE_FLAGS, join(PKG, 'bench/sides.mjs'), JSON.stringify(opts)], { env: EXPORTER_NODE_ENV, match: /^done$/m, timeoutMs: 300_000, label: 'profiled exporter' });
    await new Promise((r) => (c.child.exitCode !== null ? r() : c.child.once('exit', r)));
    return summariseProfile(JSON.parse(readFileSync(out, 'utf8')), ROOT);
  } finally {
    if (ownFake) await stop(ownFake.child);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await profileSummary();
  const command = `${process.env.BENCH_ROOT ? `BENCH_ROOT=${process.env.BENCH_ROOT} ` : ''}node bench/profile.mjs`;
  process.stdout.write(`${profileMarkdown(s, { label: ROOT === PKG ? 'this checkout' : ROOT, command })}\n`);
  process.exit(0);
}
