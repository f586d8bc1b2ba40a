import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { PACKAGE_ROOT } from '../../src/core/meta.js';
import { dockerignoreMatcher, envOf, parseDockerfile, readDockerfile, type Instruction } from '../support/dockerfile.js';
import { unauthenticatedStatus } from '../support/probe-paths.js';

/**
 * The Dockerfile's rules, read from the file (no image can be built on this machine: no Docker
 * engine runs here). What the steps produce is checked by test/deploy/npm-package.test.ts,
 * which replays them.
 */
const DF = readDockerfile(join(PACKAGE_ROOT, 'Dockerfile'));
const final = DF.stages.at(-1)!;
const all = DF.stages.flatMap((s) => s.steps);
const ops = (op: string, steps: Instruction[] = final.steps) => steps.filter((s) => s.op === op);
const PKG = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH/i;

describe('Dockerfile', () => {
  it('is multi-stage: a build stage, and a final stage on a fresh Node image', () => {
    expect(DF.stages.length).toBeGreaterThanOrEqual(2);
    expect(DF.stages[0]!.name).toBe('build');
    expect(final.from).toMatch(/^node:20[.\w-]*$/);
    expect(DF.stages.map((s) => s.name)).not.toContain(final.from);
    // The build stage compiles (npm pack runs prepack: npm run build).
    expect(ops('RUN', DF.stages[0]!.steps).map((r) => r.text).join('\n')).toMatch(/npm pack/);
  });

  it('runs the final stage as a non-root user, set before the process starts', () => {
    const users = ops('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!;
    expect(user.text).not.toMatch(/^(root|0)(:|$)/);
    expect(user.text).toBe('node'); // uid 1000 in the node images; deploy/kubernetes runs as 1000
    const idx = (i: Instruction) => final.steps.indexOf(i);
    expect(idx(user)).toBeLessThan(idx(ops('ENTRYPOINT')[0]!));
  });

  it('holds no secrets: no key-like ENV or ARG, no .env or key in the context', () => {
    const declared = [...ops('ENV', all).flatMap((e) => Object.keys(envOf(e))), ...ops('ARG', all).map((a) => a.text.split('=')[0]!), ...Object.keys(DF.args)];
    expect(declared.filter((n) => SECRET_NAME.test(n))).toEqual([]);
    const text = readFileSync(join(PACKAGE_ROOT, 'Dockerfile'), 'utf8');
    expect(text).not.toMatch(/\bsk-[A-Za-z0-9-]{6,}|AKIA[0-9A-Z]{12}|BEGIN [A-Z ]*PRIVATE KEY/);
    const ignored = dockerignoreMatcher(readFileSync(join(PACKAGE_ROOT, '.dockerignore'), 'utf8'));
    for (const p of ['.env', '.git', 'node_modules', 'dist', 'test']) expect(ignored(p), p).toBe(true);
    for (const p of ['package.json', 'package-lock.json', 'src', 'plugins', 'README.md']) expect(ignored(p), p).toBe(false);
  });

  it('puts no dev dependency in the final stage: only the packed package, installed with --omit=dev', () => {
    const copies = ops('COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c.flags.from, c.text).toBe('build');
      // The packed package, and better-sqlite3's compiled binding (a production dependency's
      // build output, made by the build stage's npm ci for the same base image).
      expect(['/pkg/package/', '/src/node_modules/better-sqlite3/build/']).toContain(c.text.split(/\s+/)[0]);
    }
    expect(ops('ADD')).toEqual([]);
    const installs = ops('RUN').filter((r) => /\bnpm\s+(ci|install|i)\b/.test(r.text));
    expect(installs.length).toBe(1);
    for (const r of installs) {
      expect(r.text).toMatch(/--omit=dev/);
      expect(r.text).toMatch(/--ignore-scripts/);
      expect(r.text).toMatch(/\bnpm ci\b/); // the lockfile's tree, not whatever the ranges resolve to today
    }
  });

  it('serves on 4000 with NODE_ENV=production, node receiving the stop signal itself', () => {
    expect(ops('EXPOSE').map((e) => e.text)).toEqual(['4000']);
    expect(ops('ENV').map(envOf).reduce((a, b) => ({ ...a, ...b }), {}).NODE_ENV).toBe('production');
    expect(ops('STOPSIGNAL').map((s) => s.text)).toEqual(['SIGTERM']);
    // Exec form: node is PID 1 and gets SIGTERM (a shell form would put /bin/sh there, which does not pass it on).
    const entry = ops('ENTRYPOINT')[0]!.exec;
    expect(entry).toEqual(['node', ...SHIPPED_NODE_FLAGS, `/app/${PKG.bin['llm-health-exporter']}`]);
    expect(ops('CMD')[0]!.exec).toEqual(['--config', '/etc/llm-health-exporter/config.yaml']);
    expect(readFileSync(join(PACKAGE_ROOT, 'src/cli/main.ts'), 'utf8')).toMatch(/port: \{ type: 'string', default: process\.env\.PORT \?\? '4000' \}/);
  });

  it('has a HEALTHCHECK on a path the exporter answers without credentials', async () => {
    const hc = ops('HEALTHCHECK')[0]!;
    const path = /\/health\/[a-z]+/.exec(hc.exec!.join(' '))![0];
    expect(path).toBe('/health/readiness');
    expect(await unauthenticatedStatus([path])).toEqual({ [path]: 200 });
  });

  it('the reader rejects what it cannot read (so the checks above never pass on a misread file)', () => {
    expect(() => parseDockerfile('RUN echo hi\n')).toThrow(/before the first FROM/);
    expect(() => parseDockerfile('FROM ${IMG}\n')).toThrow(/no default/);
    expect(() => parseDockerfile('FROM node:20\nFROBNICATE x\n')).toThrow(/unknown instruction/);
    expect(() => dockerignoreMatcher('!keep.me\n')).toThrow(/not supported/);
    const df = parseDockerfile('ARG B=node:20\nFROM $B AS build\nRUN a \\\n  && b\nFROM node:20\nCOPY --from=build /x ./\nCMD ["a", "b"]\n');
    expect(df.stages.map((s) => [s.from, s.name])).toEqual([['node:20', 'build'], ['node:20', undefined]]);
    expect(df.stages[0]!.steps[0]!.text).toBe('a && b');
    expect(df.stages[1]!.steps[0]!.flags).toEqual({ from: 'build' });
    expect(df.stages[1]!.steps[1]!.exec).toEqual(['a', 'b']);
  });
});
