import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/meta.js';
import { cleanEnv, sh, start, stop, waitForOutput, type Started } from '../support/deploy.js';
import { dockerignoreMatcher, envOf, readDockerfile, type Instruction } from '../support/dockerfile.js';
import { run, waitFor } from '../support/tools.js';

/**
 * The package as users get it, built the way the image is built: this replays the Dockerfile's
 * two stages on this machine (no Docker engine runs here), each in a folder standing for that
 * stage's filesystem, parsed from the Dockerfile itself:
 * - build: WORKDIR, COPY from the context (filtered by .dockerignore), `npm pack` as written.
 *   Its `npm ci` is the one step not run again: the checkout's node_modules stands for it (the
 *   same `npm ci` of the same package-lock.json made it), linked in;
 * - runtime: ENV, WORKDIR, COPY --from=build, `npm ci --omit=dev …` as written (the machine's npm
 *   cache standing for the cache mount), then ENTRYPOINT + CMD with the demo config where the
 *   compose stack mounts it, against the demo upstream the compose stack runs, and HEALTHCHECK.
 * Then `npm install --global` of the same tarball, as a user without Docker installs it.
 */
const DOCKERFILE = readDockerfile(join(PACKAGE_ROOT, 'Dockerfile'));
const PKG = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string>; dependencies: Record<string, string> };
const LOCK = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean }> };

/** A stage's filesystem: container paths under `roots` live under `dir`; any other absolute path in a step is an error. */
class StageFs {
  cwd = '/';
  env: Record<string, string> = {};
  constructor(readonly dir: string, readonly roots: string[]) {}
  host(p: string): string {
    const abs = p.startsWith('/') ? p : `${this.cwd.replace(/\/$/, '')}/${p}`;
    if (!this.roots.some((r) => abs === r || abs.startsWith(`${r}/`))) throw new Error(`the Dockerfile uses ${abs}, outside the paths this replay maps (${this.roots.join(', ')}): extend the test`);
    return join(this.dir, abs);
  }
  /** A RUN command with its absolute paths moved under `dir`. */
  command(cmd: string): string {
    return cmd.replace(/(^|[\s=])(\/[^\s;&|'"]*)/g, (_all, pre: string, p: string) => `${pre}${this.host(p)}`);
  }
}

async function replayCopyFromContext(fs: StageFs, ins: Instruction, ignored: (rel: string) => boolean): Promise<void> {
  const parts = ins.text.split(/\s+/);
  const dest = fs.host(parts.pop()!);
  await mkdir(dest, { recursive: true });
  for (const src of parts) {
    if (src === '.') {
      for (const entry of await readdir(PACKAGE_ROOT)) {
        if (ignored(entry)) continue;
        await cp(join(PACKAGE_ROOT, entry), join(dest, entry), { recursive: true, filter: (from) => !ignored(relative(PACKAGE_ROOT, from)) });
      }
    } else {
      if (ignored(src)) throw new Error(`COPY ${src}: excluded by .dockerignore`);
      await cp(join(PACKAGE_ROOT, src), join(dest, src), { recursive: true });
    }
  }
}

async function replayRun(fs: StageFs, ins: Instruction): Promise<string> {
  const r = await sh(fs.command(ins.text), { cwd: fs.host(fs.cwd), env: cleanEnv(fs.env), timeoutMs: 150_000 });
  if (r.code !== 0) throw new Error(`RUN ${ins.text} (line ${ins.line}) exited ${r.code}:\n${r.out.slice(-3000)}`);
  return r.out;
}

let tmp: string;
let buildFs: StageFs;
let imageFs: StageFs;
let tarball: string;
const runOutputs: string[] = [];
const procs: Started[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lhe-pack-'));
  const ignored = dockerignoreMatcher(await readFile(join(PACKAGE_ROOT, '.dockerignore'), 'utf8'));
  const [build, runtime] = [DOCKERFILE.stages[0]!, DOCKERFILE.stages.at(-1)!];
  expect(build.name).toBe('build');

  buildFs = new StageFs(join(tmp, 'build'), ['/src', '/pkg']);
  for (const ins of build.steps) {
    if (ins.op === 'WORKDIR') {
      buildFs.cwd = ins.text;
      await mkdir(buildFs.host(ins.text), { recursive: true });
    } else if (ins.op === 'COPY') {
      await replayCopyFromContext(buildFs, ins, ignored);
    } else if (ins.op === 'RUN' && /^npm ci(\s+--no-(audit|fund))*$/.test(ins.text)) {
      await symlink(join(PACKAGE_ROOT, 'node_modules'), join(buildFs.host(buildFs.cwd), 'node_modules'));
    } else if (ins.op === 'RUN') {
      runOutputs.push(await replayRun(buildFs, ins));
    } else {
      throw new Error(`build stage: ${ins.op} (line ${ins.line}) is not replayed: extend the test`);
    }
  }
  const packed = (await readdir(buildFs.host('/pkg'))).filter((f) => f.endsWith('.tgz'));
  expect(packed).toEqual([`${PKG.name}-${PKG.version}.tgz`]);
  tarball = join(buildFs.host('/pkg'), packed[0]!);

  imageFs = new StageFs(join(tmp, 'image'), ['/app', '/etc/llm-health-exporter']);
  for (const ins of runtime.steps) {
    if (ins.op === 'ENV') Object.assign(imageFs.env, envOf(ins));
    else if (ins.op === 'WORKDIR') {
      imageFs.cwd = ins.text;
      await mkdir(imageFs.host(ins.text), { recursive: true });
    } else if (ins.op === 'COPY') {
      expect(ins.flags.from).toBe('build');
      const [src, dest] = ins.text.split(/\s+/) as [string, string];
      await cp(buildFs.host(src), imageFs.host(dest), { recursive: true });
    } else if (ins.op === 'RUN') {
      runOutputs.push(await replayRun(imageFs, ins));
    } else if (!['USER', 'EXPOSE', 'STOPSIGNAL', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD'].includes(ins.op)) {
      throw new Error(`runtime stage: ${ins.op} (line ${ins.line}) is not replayed: extend the test`);
    }
  }
}, 240_000);

afterAll(async () => {
  for (const p of procs) await stop(p);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const step = (op: string) => DOCKERFILE.stages.at(-1)!.steps.find((s) => s.op === op)!;

/** Starts the image's demo upstream (as deploy/compose runs it) and the image's ENTRYPOINT + CMD on the demo config. */
async function startImage(extraArgs: string[] = []) {
  const app = imageFs.host('/app');
  const upstream = start(process.execPath, [join(app, 'dist/src/cli/demo-upstream-main.js'), '--host', '127.0.0.1', '--port', '0']);
  procs.push(upstream);
  const upstreamUrl = (await waitForOutput(upstream, /listening on (http:\/\/\S+)/))[1]!;
  await mkdir(imageFs.host('/etc/llm-health-exporter'), { recursive: true });
  await cp(join(app, 'examples/demo/config.yaml'), imageFs.host('/etc/llm-health-exporter/config.yaml'));
  const [entry, ...entryArgs] = step('ENTRYPOINT').exec!;
  expect(entry).toBe('node');
  const args = [...entryArgs, ...step('CMD').exec!].map((a) => (a.startsWith('/') ? imageFs.host(a) : a));
  const exporter = start(process.execPath, [...args, '--host', '127.0.0.1', '--port', '0', ...extraArgs], {
    cwd: app,
    env: cleanEnv({ ...imageFs.env, DEMO_API_BASE: `${upstreamUrl}/v1`, DEMO_API_KEY: 'sk-demo-upstream-key' }),
  });
  procs.push(exporter);
  const url = (await waitForOutput(exporter, /"address":"(http:\/\/[^"]+)"[^\n]*llm-health-exporter listening/))[1]!;
  return { exporter, upstream, url };
}

describe('the image, replayed from the Dockerfile', () => {
  it('packs only the runtime files, with the lockfile shipped as npm-shrinkwrap.json', async () => {
    const files = (await run('tar', ['-tzf', tarball])).stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('dist/src/cli/main.js');
    expect(files).toContain('dist/plugins/chat.js');
    expect(files).toContain('examples/demo/config.yaml');
    expect(files).toContain('alerts/llm-health.rules.yml');
    expect(files).toContain('LICENSE');
    expect(files.filter((f) => /^(src|test|bench|plugins|scripts|deploy|\.ci|node_modules)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
    const app = imageFs.host('/app');
    expect(await readFile(join(app, 'npm-shrinkwrap.json'), 'utf8')).toBe(await readFile(join(PACKAGE_ROOT, 'package-lock.json'), 'utf8'));
    // The packed package.json has no install-time script for npm to run or warn about.
    const packedPkg = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(Object.keys(packedPkg.scripts).filter((s) => /^(pre|post)?(install|prepare)$/.test(s))).toEqual([]);
  });

  it('has a working SQLite binding for the history database (install scripts do not run in the image)', async () => {
    const app = imageFs.host('/app');
    const r = await sh(`${JSON.stringify(process.execPath)} -e "const D = require('better-sqlite3'); console.log(new D(':memory:').prepare('select 41 + 1 as x').get().x)"`, { cwd: app, timeoutMs: 30_000 });
    expect(r.out.trim()).toBe('42');
  });

  it('installs the production dependencies of the lockfile and nothing else, without an engine warning', async () => {
    const app = imageFs.host('/app');
    const installed = new Set<string>();
    for (const e of await readdir(join(app, 'node_modules'))) {
      if (e.startsWith('.')) continue;
      if (e.startsWith('@')) for (const s of await readdir(join(app, 'node_modules', e))) installed.add(`${e}/${s}`);
      else installed.add(e);
    }
    const prodTop = Object.entries(LOCK.packages)
      // Optional dependencies (pino-pretty for --log-format pretty) install too where their platform allows.
      .filter(([k, v]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(k) && !v.dev && (!v.optional || !('os' in v || 'cpu' in v)))
      .map(([k]) => k.slice('node_modules/'.length));
    expect([...installed].sort()).toEqual(prodTop.sort());
    for (const dev of ['typescript', 'vitest', 'fast-check', 'kubernetes-models']) expect(installed.has(dev), dev).toBe(false);
    for (const dep of Object.keys(PKG.dependencies)) expect(installed.has(dep), dep).toBe(true);
    expect(runOutputs.join('\n')).not.toMatch(/EBADENGINE|npm (warn|ERR)/i);
  });

  it('runs ENTRYPOINT + CMD on the demo config: readiness 200, the demo verdicts, and the HEALTHCHECK passes', async () => {
    const { url } = await startImage();
    await waitFor(async () => (await fetch(`${url}/health/readiness`)).status === 200 || undefined, 45_000, 'readiness 200');
    const health = (await (await fetch(`${url}/health`, { headers: { authorization: 'Bearer sk-demo-master-key' } })).json()) as { healthy_count: number; unhealthy_count: number };
    expect([health.healthy_count, health.unhealthy_count]).toEqual([1, 1]);
    const hc = step('HEALTHCHECK');
    const [cmd, ...hcArgs] = hc.exec!;
    expect(cmd).toBe('node');
    const check = start(process.execPath, hcArgs, { env: cleanEnv({ PORT: new URL(url).port }) });
    expect(await check.exited).toBe(0);
  }, 120_000);

  it('shuts down gracefully on SIGTERM (the STOPSIGNAL): logs it and exits 0', async () => {
    expect(step('STOPSIGNAL').text).toBe('SIGTERM');
    const { exporter, url } = await startImage();
    await waitFor(async () => (await fetch(`${url}/health/readiness`)).status === 200 || undefined, 45_000, 'readiness 200');
    exporter.child.kill('SIGTERM');
    const code = await Promise.race([exporter.exited, new Promise<string>((r) => setTimeout(() => r('still running after 30 s'), 30_000).unref())]);
    expect(code).toBe(0);
    expect(exporter.output()).toContain('"signal":"SIGTERM"');
    expect(exporter.output()).toContain('shutting down');
  }, 120_000);
});

describe('npm install --global of the packed tarball', () => {
  it('gives working binaries with production dependencies only and no warning', async () => {
    const prefix = join(tmp, 'global');
    // Install scripts off: better-sqlite3's script fetches a prebuilt binding from GitHub, which this
    // machine cannot reach, and then compiles SQLite instead (minutes on 2 busy cores). The binding
    // the checkout's npm ci built for this same Node is laid in, as the image's COPY does.
    const r = await sh(`npm install --global --prefix ${prefix} --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund ${tarball}`, { cwd: tmp, timeoutMs: 150_000 });
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/EBADENGINE|npm (warn|ERR)/i);
    const lib = join(prefix, 'lib/node_modules', PKG.name);
    await cp(join(PACKAGE_ROOT, 'node_modules/better-sqlite3/build'), join(lib, 'node_modules/better-sqlite3/build'), { recursive: true });
    const sqlite = await sh(`${JSON.stringify(process.execPath)} -e "const D = require('better-sqlite3'); console.log(new D(':memory:').prepare('select 41 + 1 as x').get().x)"`, { cwd: lib, timeoutMs: 30_000 });
    expect(sqlite.out.trim()).toBe('42');
    expect(existsSync(join(lib, 'node_modules/typescript'))).toBe(false);
    for (const bin of Object.keys(PKG.bin)) expect(existsSync(join(prefix, 'bin', bin)), bin).toBe(true);
    const version = await run(join(prefix, 'bin/llm-health-exporter'), ['--version']);
    expect(version.stdout.trim()).toBe(PKG.version);

    const upstream = start(join(prefix, 'bin/llm-health-exporter-demo-upstream'), ['--port', '0']);
    procs.push(upstream);
    const upstreamUrl = (await waitForOutput(upstream, /listening on (http:\/\/\S+)/))[1]!;
    const config = join(lib, 'examples/demo/config.yaml');
    const env = cleanEnv({ DEMO_API_BASE: `${upstreamUrl}/v1`, DEMO_API_KEY: 'sk-demo-upstream-key' });
    const checked = start(join(prefix, 'bin/llm-health-exporter'), ['--check-config', config], { cwd: tmp, env });
    expect(await checked.exited, checked.output()).toBe(0);
    expect(checked.output()).toContain('config ok: 2 deployment(s)');
    const exporter = start(join(prefix, 'bin/llm-health-exporter'), [config, '--host', '127.0.0.1', '--port', '0'], { cwd: tmp, env });
    procs.push(exporter);
    const url = (await waitForOutput(exporter, /"address":"(http:\/\/[^"]+)"[^\n]*llm-health-exporter listening/))[1]!;
    await waitFor(async () => (await fetch(`${url}/health/readiness`)).status === 200 || undefined, 45_000, 'readiness 200');
    exporter.child.kill('SIGTERM');
    expect(await exporter.exited).toBe(0);
  }, 180_000);
});
