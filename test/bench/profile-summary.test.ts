// bench/profile.mjs turns a V8 .cpuprofile into the summary bench/RESULTS.md shows: self time by
// file:function and shares by library. Checked on a hand-made profile whose answer is known.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const modulePath = fileURLToPath(new URL('../../bench/profile.mjs', import.meta.url));
interface Summary { totalMs: number; top: { key: string; ms: number }[]; libraries: { lib: string; ms: number }[]; nodeCoreByCaller: { lib: string; ms: number }[] }
const { summariseProfile } = (await import(pathToFileURL(modulePath).href)) as { summariseProfile: (p: unknown, root: string) => Summary };

const root = '/pkg';
const frame = (functionName: string, url = '') => ({ functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 });
// root → undici request → node:net write → (native) writev; root → project probe; idle; GC;
// root → node:inspector post → (native) dispatch (the profiler stopping itself).
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5, 6, 7, 8] },
    { id: 2, callFrame: frame('request', 'file:///somewhere/node_modules/undici/lib/api/api-request.js'), children: [3] },
    { id: 3, callFrame: frame('writeGeneric', 'node:net'), children: [4] },
    { id: 4, callFrame: frame('writev'), children: [] },
    { id: 5, callFrame: frame('probeOnce', 'file:///pkg/dist/src/scheduler/runner.js'), children: [] },
    { id: 6, callFrame: frame('(idle)'), children: [] },
    { id: 7, callFrame: frame('(garbage collector)'), children: [] },
    { id: 8, callFrame: frame('post', 'node:inspector'), children: [9] },
    { id: 9, callFrame: frame('dispatch'), children: [] },
  ],
  samples: [2, 4, 4, 5, 6, 6, 6, 7, 9],
  timeDeltas: [1000, 2000, 2000, 3000, 50_000, 50_000, 50_000, 1000, 90_000],
};

describe('CPU profile summary (bench/profile.mjs)', () => {
  const s = summariseProfile(profile, root);

  it('counts self time, leaving out idle and the profiler stopping itself', () => {
    expect(s.totalMs).toBe(9);
  });

  it('names entries file:function, dependencies from node_modules/, the project relative to the package', () => {
    expect(s.top).toEqual([
      { key: '(native):writev', ms: 4, share: 4 / 9 },
      { key: 'dist/src/scheduler/runner.js:probeOnce', ms: 3, share: 3 / 9 },
      { key: 'node_modules/undici/lib/api/api-request.js:request', ms: 1, share: 1 / 9 },
      { key: '(native):(garbage collector)', ms: 1, share: 1 / 9 },
    ]);
  });

  it('gives a native frame the library of its nearest caller with a script', () => {
    expect(Object.fromEntries(s.libraries.map((l) => [l.lib, l.ms]))).toEqual({
      'node core': 4, 'project (src, plugins)': 3, undici: 1, GC: 1,
    });
  });

  it('says which library called into node core', () => {
    expect(s.nodeCoreByCaller.map((l) => [l.lib, l.ms])).toEqual([['undici', 4]]);
  });
});
