import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { PACKAGE_ROOT } from '../../src/core/meta.js';
import { readDockerfile } from '../support/dockerfile.js';

/**
 * The young-generation cap and the old-space growth limit only work if every way users run the
 * exporter passes them to node (V8 reads them before any of our code runs). One list, checked
 * against each launch path; the bench (bench/lib.mjs) launches with the same list, so RESULTS
 * measures what ships.
 */
const read = (p: string) => readFileSync(join(PACKAGE_ROOT, p), 'utf8');
const PKG = JSON.parse(read('package.json')) as { bin: Record<string, string>; scripts: Record<string, string> };
const flags = SHIPPED_NODE_FLAGS.join(' ');

describe('every launch path carries the shipped node flags', () => {
  it('the bin (npx, npm i -g, the systemd unit) through its shebang', () => {
    expect(PKG.bin['llm-health-exporter']).toBe('dist/src/cli/main.js');
    // env -S splits the line into node and its flags (coreutils ≥ 8.30, BSD/macOS env).
    expect(read('src/cli/main.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    expect(read('deploy/systemd/llm-health-exporter.service')).toMatch(/^ExecStart=\/usr\/local\/bin\/llm-health-exporter /m);
  });

  it('npm start and npm run demo', () => {
    expect(PKG.scripts.start).toBe(`node ${flags} dist/src/cli/main.js`);
    expect(PKG.scripts.demo).toContain(`node ${flags} dist/src/cli/demo.js`);
  });

  it('the image (compose and Kubernetes run its ENTRYPOINT, and override only the command)', () => {
    const entry = readDockerfile(join(PACKAGE_ROOT, 'Dockerfile')).stages.at(-1)!.steps.filter((s) => s.op === 'ENTRYPOINT')[0]!.exec;
    expect(entry).toEqual(['node', ...SHIPPED_NODE_FLAGS, '/app/dist/src/cli/main.js']);
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
    expect(youngMb(SHIPPED_NODE_FLAGS)).toBeLessThanOrEqual(4);
    expect(youngMb([])).toBeGreaterThan(4);
  });
});
