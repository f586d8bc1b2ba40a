import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_NODE_ENV, SHIPPED_NODE_ENV_WORDS, SHIPPED_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { PACKAGE_ROOT } from '../../src/core/meta.js';
import { envOf, readDockerfile } from '../support/dockerfile.js';

/**
 * The young-generation cap, the old-space growth limit and glibc's fixed mmap threshold only work
 * if every way users run the exporter passes them to node (V8 and malloc read them before any of
 * our code runs). One list of flags and one environment, checked against each launch path; the
 * bench (bench/lib.mjs) launches with the same, so RESULTS measures what ships.
 */
const read = (p: string) => readFileSync(join(PACKAGE_ROOT, p), 'utf8');
const PKG = JSON.parse(read('package.json')) as { bin: Record<string, string>; scripts: Record<string, string> };
const flags = SHIPPED_NODE_FLAGS.join(' ');
const env = SHIPPED_NODE_ENV_WORDS.join(' ');

describe('every launch path carries the shipped node flags', () => {
  it('the bin (npx, npm i -g, the systemd unit) through its shebang', () => {
    expect(PKG.bin['llm-health-exporter']).toBe('dist/src/cli/main.js');
    // env -S splits the line into the environment, node and its flags (coreutils ≥ 8.30, BSD/macOS env).
    expect(read('src/cli/main.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S ${env} node ${flags}`);
    expect(read('deploy/systemd/llm-health-exporter.service')).toMatch(/^ExecStart=\/usr\/local\/bin\/llm-health-exporter /m);
  });

  it('npm start and npm run demo', () => {
    expect(PKG.scripts.start).toBe(`${env} node ${flags} dist/src/cli/main.js`);
    expect(PKG.scripts.demo).toContain(`${env} node ${flags} dist/src/cli/demo.js`);
  });

  it('the image (compose and Kubernetes run its ENTRYPOINT, and override only the command)', () => {
    const steps = readDockerfile(join(PACKAGE_ROOT, 'Dockerfile')).stages.at(-1)!.steps;
    const entry = steps.filter((s) => s.op === 'ENTRYPOINT')[0]!.exec;
    expect(entry).toEqual(['node', ...SHIPPED_NODE_FLAGS, '/app/dist/src/cli/main.js']);
    const imageEnv = Object.assign({}, ...steps.filter((s) => s.op === 'ENV').map(envOf)) as Record<string, string>;
    for (const [k, v] of Object.entries(SHIPPED_NODE_ENV)) expect({ [k]: imageEnv[k] }).toEqual({ [k]: v });
    const compose = read('deploy/compose/compose.yaml');
    expect(compose).toMatch(/command: \["--config"/);
    expect(compose.match(/entrypoint:.*cli\/main\.js/g) ?? []).toEqual([]);
  });

  it('node accepts them all, and they cap the young generation', async () => {
    const { spawnSync } = await import('node:child_process');
    // Churn enough short-lived objects to grow the young generation to its cap, then read its size.
    const script = 'let a=[];for(let i=0;i<3e6;i++){a.push({i});if(a.length>5e4)a=[]}'
      + 'process.stdout.write(String(require("v8").getHeapSpaceStatistics().find((s)=>s.space_name==="new_space").space_size/1048576))';
    const youngMb = (flags: readonly string[]) => {
      const r = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return Number(r.stdout);
    };
    // Two 4 MB semi-spaces.
    expect(youngMb(SHIPPED_NODE_FLAGS)).toBeLessThanOrEqual(8);
    expect(youngMb([])).toBeGreaterThan(8);
  });

  // glibc only: other C libraries ignore the variable (and have no such dynamic threshold).
  const glibc = !!(process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
  it.runIf(glibc)('glibc keeps large buffers out of its main heap with the environment, after one was freed', async () => {
    const { spawnSync } = await import('node:child_process');
    // Free an 8 MB buffer (glibc would raise its mmap threshold to 8 MB; V8 frees collected
    // buffers off the main thread, so wait until node's allocator has seen the free), then hold
    // 40 × 1 MB and read the main heap's size.
    const script = 'let big=Buffer.allocUnsafe(8<<20);big.fill(1);big=null;'
      + 'const freed=()=>{gc();if(process.memoryUsage().arrayBuffers>(4<<20))return setTimeout(freed,10);'
      + 'const keep=[];for(let i=0;i<40;i++){const b=Buffer.allocUnsafe(1<<20);b.fill(2);keep.push(b)}'
      + String.raw`const m=/\[heap\]\n(?:.*\n)*?Rss:\s+(\d+) kB/.exec(require("fs").readFileSync("/proc/self/smaps","utf8"));`
      + 'process.stdout.write(String(m?Number(m[1])/1024:-1))};freed()';
    const mainHeapMb = (extra: Record<string, string>) => {
      const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
      if (!extra.MALLOC_MMAP_THRESHOLD_) delete env.MALLOC_MMAP_THRESHOLD_;
      const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', env });
      expect(r.stderr).toBe('');
      return Number(r.stdout);
    };
    const withEnv = mainHeapMb(SHIPPED_NODE_ENV);
    expect(withEnv).toBeGreaterThanOrEqual(0); // the heap was found
    expect(withEnv).toBeLessThan(20);
    expect(mainHeapMb({})).toBeGreaterThan(40);
  });
});
