import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, sourceFiles } from '../support/import-graph.js';

/**
 * The layout is a contract (docs/architecture.md): these tests fail on the first import that
 * breaks it, naming the file, instead of letting a cycle or a god object grow back.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const files = [...sourceFiles(`${ROOT}src`, ROOT), ...sourceFiles(`${ROOT}plugins`, ROOT)];
const graph = importGraph(files, ROOT);
const text = (f: string) => readFileSync(`${ROOT}${f}`, 'utf8');
const packagesOf = (f: string) => [...text(f).matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g)].map((m) => m[1]!);

/** Files in `from` that import a project file matching `forbidden`, as "a -> b". */
function crossings(from: (f: string) => boolean, forbidden: (dep: string) => boolean): string[] {
  const out: string[] = [];
  for (const [f, deps] of graph) if (from(f)) for (const d of deps) if (forbidden(d)) out.push(`${f} -> ${d}`);
  return out;
}
const under = (dir: string) => (f: string) => f.startsWith(dir);

describe('source layout', () => {
  it('has no import cycle (type-only imports included)', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('has no cycle between folders either (each folder is a layer)', () => {
    const folderOf = (f: string) => f.split('/').slice(0, f.startsWith('src/') && f.split('/').length > 2 ? 2 : 1).join('/');
    const folders = new Map<string, Set<string>>();
    for (const [f, deps] of graph) {
      const from = folderOf(f);
      if (!folders.has(from)) folders.set(from, new Set());
      for (const d of deps) if (folderOf(d) !== from) folders.get(from)!.add(folderOf(d));
    }
    expect(importCycles(new Map([...folders].map(([k, v]) => [k, [...v]])))).toEqual([]);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const g = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(importCycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('keeps every file in src/ at 250 lines or fewer', () => {
    const long = files.filter((f) => f.startsWith('src/')).map((f) => ({ f, lines: text(f).split('\n').length - 1 })).filter((x) => x.lines > 250);
    expect(long).toEqual([]);
  });

  it('src/core is the shared vocabulary: it imports nothing else of the project', () => {
    expect(crossings(under('src/core/'), (d) => !d.startsWith('src/core/'))).toEqual([]);
  });

  it('plugins/ see only src/core (the contract, never providers, config or secrets)', () => {
    expect(crossings(under('plugins/'), (d) => !d.startsWith('src/core/'))).toEqual([]);
  });

  it('the store is passive: no network, no fleet, no scheduler, no telemetry', () => {
    expect(crossings(under('src/store/'), (d) => !d.startsWith('src/store/') && !d.startsWith('src/core/'))).toEqual([]);
    for (const f of files.filter(under('src/store/'))) expect(packagesOf(f).filter((p) => /ioredis|undici|node:(net|http|https|dgram)/.test(p)), f).toEqual([]);
  });

  it('persistence sits beside the store: it reads core, store and config, and only the composition root reaches it', () => {
    // The fleet's record validator checks stored latest results as it checks Redis records.
    expect(crossings(under('src/persist/'), (d) => !/^src\/(persist|core|store|config)\//.test(d) && d !== 'src/fleet/record.ts')).toEqual([]);
    expect(crossings((f) => !f.startsWith('src/persist/') && f !== 'src/app.ts', (d) => d.startsWith('src/persist/'))).toEqual([]);
    for (const f of files.filter(under('src/persist/'))) expect(packagesOf(f).filter((p) => /ioredis|undici|fastify/.test(p)), f).toEqual([]);
  });

  it('views are pure answers: no server, scheduler, providers, Redis or network', () => {
    expect(crossings(under('src/views/'), (d) => /^src\/(server|scheduler|providers|telemetry)\/|^src\/fleet\/redis|^src\/app\.ts$/.test(d))).toEqual([]);
    for (const f of files.filter(under('src/views/'))) expect(packagesOf(f).filter((p) => /ioredis|undici|fastify/.test(p)), f).toEqual([]);
  });

  it('routes depend on the Views interface, never on the app object', () => {
    expect(crossings(under('src/server/'), (d) => d === 'src/app.ts' || /^src\/(scheduler|store|fleet)\//.test(d))).toEqual([]);
  });

  it('only the CLI imports the composition root', () => {
    expect(crossings((f) => !f.startsWith('src/cli/'), (d) => d === 'src/app.ts')).toEqual([]);
  });

  it('the scheduler reaches the fleet only through the Coordinator interface', () => {
    expect(crossings(under('src/scheduler/'), (d) => d.startsWith('src/fleet/') && d !== 'src/fleet/coordinator.ts')).toEqual([]);
  });

  it('the composition root builds no answer itself (every answer body is a view)', () => {
    const app = text('src/app.ts');
    for (const key of ['healthy_endpoints', 'health_checks', 'latest_health_checks', 'replica_id', 'litellm_params', 'last_updated', 'success_callbacks']) {
      expect(app, key).not.toContain(key);
    }
  });
});
