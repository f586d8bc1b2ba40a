// `npm run bench` takes ~20 minutes and no test runs it, so a slip in its scripts (a backtick
// closing a template literal early) would only show at the next full run. Every script is parsed,
// and a full run's stored results (a real run's results.json) are rendered as RESULTS.md is.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));
const results = JSON.parse(readFileSync(new URL('../fixtures/bench/full-run-results.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('the benchmark scripts', () => {
  it('all parse', () => {
    const scripts = readdirSync(benchDir).filter((f) => f.endsWith('.mjs'));
    expect(scripts).toContain('run.mjs');
    for (const script of scripts) {
      const check = spawnSync(process.execPath, ['--check', `${benchDir}${script}`], { encoding: 'utf8' });
      expect({ script, status: check.status, stderr: check.stderr }).toEqual({ script, status: 0, stderr: '' });
    }
  });

  it('render a full run: every goal judged, every part shown, no missing figure', async () => {
    const { renderResults } = (await import(pathToFileURL(`${benchDir}report.mjs`).href)) as {
      renderResults: (r: unknown, o: { command: string; findings?: string }) => string;
    };
    const md = renderResults(results, { command: 'npm run bench', findings: '## Findings\n\nkept as given\n' });
    const goalRows = md.split('\n').filter((l) => /\| (met|\*\*missed\*\*) \|$/.test(l));
    expect(goalRows).toHaveLength(11);
    for (const heading of ['## 1b. Probe CPU: background trickle', '## 2b. Hour-equivalent of trickle and serving', '## 3. /health and /metrics while probes land']) {
      expect(md).toContain(heading);
    }
    // The /metrics row of part 3 carries the run's bytes and figures.
    expect(md).toMatch(/\| \/metrics \| 23,485,281 \| .* \| .* \| .*1\.85.* \|/);
    expect(md).toContain('kept as given');
    expect(md).not.toMatch(/undefined|NaN/);
  });
});
