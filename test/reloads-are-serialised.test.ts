import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coalesced } from '../src/core/coalesce.js';
import { startExporter } from './support/exporter.js';

/** Issue 16, items 4 and 5: a reload race kept the older file; a reload storm ran every reload at once. */
describe('config reloads', () => {
  it('run one at a time, calls during one share the next, and a failed run does not block the next', async () => {
    let runs = 0;
    let open = 0;
    let maxOpen = 0;
    let fail = false;
    const gates: Array<() => void> = [];
    const run = coalesced(async () => {
      runs++;
      open++;
      maxOpen = Math.max(maxOpen, open);
      await new Promise<void>((r) => gates.push(r));
      open--;
      if (fail) throw new Error('bad file');
      return runs;
    });
    const first = run();
    const storm = Array.from({ length: 40 }, () => run());
    expect(runs).toBe(1);
    gates.shift()!();
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2); // one more run for the whole storm, started after the first ended
    gates.shift()!();
    expect(new Set(await Promise.all(storm))).toEqual(new Set([2]));
    expect(maxOpen).toBe(1);
    fail = true;
    const failing = run();
    const after = run();
    gates.shift()!();
    await expect(failing).rejects.toThrow('bad file');
    await new Promise((r) => setImmediate(r));
    fail = false;
    gates.shift()!();
    expect(await after).toBe(4);
  });

  it('the last file asked for wins: a slow reload of a big file then a fast one of a small file keeps the small one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lhe-reload-'));
    const file = join(dir, 'config.yaml');
    const entry = (i: number) => `  - model_name: m${i}\n    litellm_params: { model: openai/m${i}, api_base: "http://127.0.0.1:9/v1" }\n    model_info: { id: m${i} }\n`;
    const config = (n: number) => `model_list:\n${Array.from({ length: n }, (_, i) => entry(i)).join('')}general_settings:\n  background_health_checks: true\n  health_check_interval: 3600\n`;
    // Big enough to be parsed off-thread (> 256 KB): the slow reload.
    const ex = await startExporter(config(2), { file, listen: false });
    // Replaced by rename, as editors and ConfigMaps do: a reload reading the old file reads it whole.
    const replace = async (text: string) => {
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    };
    try {
      await replace(config(3000));
      const slow = ex.app.reload();
      await replace(config(2));
      const fast = ex.app.reload();
      const [a, b] = await Promise.all([slow, fast]);
      expect(a.ok).toBe(true);
      expect(b).toMatchObject({ ok: true, deployments: 2 });
      // Before: the slow reload finished last and its 3,000 deployments stayed (and were paid for).
      expect(ex.app.deployments.map((d) => d.id)).toEqual(['m0', 'm1']);
    } finally {
      await ex.close();
    }
  }, 30_000);
});
