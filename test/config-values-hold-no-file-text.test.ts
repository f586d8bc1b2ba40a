import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';

// V8 cuts a substring of 13 characters or more as a slice that keeps the whole string it came
// from: one api_base kept from a 2 MB config kept the file's text for as long as the config was
// applied (issue 18). Values read from a file must hold only their own characters.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveBytes = () => { gc(); gc(); return getHeapStatistics().used_heap_size; };

/** About 1 MB of config, its text unlike any other's (the padding is a comment). */
function bigConfig(n: number): string {
  const pad = `# ${n} ${'x'.repeat(10_000)}\n`;
  const entries = Array.from({ length: 100 }, (_, i) => `${pad}  - model_name: m${i}\n    litellm_params: { model: openai/gpt-4o-mini-${n}, api_base: "https://host-${n}.example/v1", api_key: sk-long-enough-${n} }\n    model_info: { id: d${i} }\n`).join('');
  return `model_list:\n${entries}general_settings:\n  background_health_checks: true\n`;
}

describe('values read from a config file', () => {
  it('keep none of the file text alive: 20 files of 1 MB, one deployment of each kept', () => {
    const kept: unknown[] = [];
    const before = liveBytes();
    for (let n = 0; n < 20; n++) {
      const text = bigConfig(n);
      expect(text.length).toBeGreaterThan(500_000);
      const d = parseConfig(text, 'big.yaml', {}).deployments[0]!;
      expect([d.model, d.apiBase, d.credentials.apiKey]).toEqual([`openai/gpt-4o-mini-${n}`, `https://host-${n}.example/v1`, `sk-long-enough-${n}`]);
      kept.push(d);
    }
    const grown = liveBytes() - before;
    // With slices each kept deployment held its file: 20 MB and more.
    expect(grown).toBeLessThan(5_000_000);
    expect(kept).toHaveLength(20);
  });
});
