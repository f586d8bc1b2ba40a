// `npm run bench` takes ~20 minutes and no test runs it, so a slip in its scripts (a backtick
// closing a template literal early) would only show at the next full run. Every script is parsed,
// and two full runs' stored results (real runs' results.json) are rendered as RESULTS.md is.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));
const stored = (file: string) => JSON.parse(readFileSync(new URL(`../fixtures/bench/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
// Two real runs: the ninth pass's (one trickle figure) and the tenth's (steady and first minutes apart).
const runs = [
  { file: 'full-run-results.json', goals: 11, metricsRow: /\| \/metrics \| 23,485,281 \| .* \| .* \| .*1\.85.* \|/, trickle: 'Probe CPU, trickle: exporter', client: 'Sequential GETs through undici' },
  { file: 'full-run-results-trickle-split.json', goals: 12, metricsRow: /\| \/metrics \| 23,485,794 \| .* \| .* \| .*1\.09.* \|/, trickle: 'Probe CPU, the trickle\'s first 120 s', client: 'Sequential GETs over one kept raw socket' },
];

describe('the benchmark scripts', () => {
  it('all parse', () => {
    const scripts = readdirSync(benchDir).filter((f) => f.endsWith('.mjs'));
    expect(scripts).toContain('run.mjs');
    for (const script of scripts) {
      const check = spawnSync(process.execPath, ['--check', `${benchDir}${script}`], { encoding: 'utf8' });
      expect({ script, status: check.status, stderr: check.stderr }).toEqual({ script, status: 0, stderr: '' });
    }
  });

  it.each(runs)('render a full run ($file): every goal judged, every part shown, no missing figure', async ({ file, goals, metricsRow, trickle, client }) => {
    const { renderResults } = (await import(pathToFileURL(`${benchDir}report.mjs`).href)) as {
      renderResults: (r: unknown, o: { command: string; findings?: string }) => string;
    };
    const md = renderResults(stored(file), { command: 'npm run bench', findings: '## Findings\n\nkept as given\n' });
    const goalRows = md.split('\n').filter((l) => /\| (met|\*\*missed\*\*) \|$/.test(l));
    expect(goalRows).toHaveLength(goals);
    expect(goalRows.some((l) => l.includes(trickle))).toBe(true);
    for (const heading of ['## 1b. Probe CPU: background trickle', '## 2b. Hour-equivalent of trickle and serving', '## 3. /health and /metrics while probes land']) {
      expect(md).toContain(heading);
    }
    // Part 3 names the client its run read with, and its /metrics row the run's bytes and figures.
    expect(md).toContain(client);
    expect(md).toMatch(metricsRow);
    expect(md).toContain('kept as given');
    expect(md).not.toMatch(/undefined|NaN/);
  });
});
