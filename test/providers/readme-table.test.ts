import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/core/operation.js';
import { genAiProviderOf, providerFor } from '../../src/registry/providers.js';
import { deploymentOf } from './probe-once.js';

/**
 * The README's provider × mode table is a promise: each ✓ is a mode the dialect sends, each — one
 * it refuses as unsupported. Parsed here and compared with every provider's operations table.
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Providers\n'), readme.indexOf('## Endpoints\n'));
const lines = section.split('\n').filter((l) => l.startsWith('| '));
const header = lines[0]!.split('|').map((c) => c.trim()).filter(Boolean);
const modes = header.slice(1);
// The matrix: after its header (separators start with "|---" and are not in `lines`), up to the second table.
const rows = lines.slice(1, lines.findIndex((l) => l.startsWith('| provider | request |')));

const opOf = (mode: string): Operation => (mode === 'batch' ? 'batch_list' : mode) as Operation;

describe('README provider × mode table', () => {
  it('has the thirteen probe columns', () => {
    expect(modes).toEqual(['chat', 'completion', 'responses', 'embedding', 'image_generation', 'image_edit', 'audio_transcription', 'audio_speech', 'batch', 'rerank', 'moderation', 'realtime', 'models_list']);
    expect(rows.length).toBeGreaterThanOrEqual(19);
  });

  const cases = rows.map((row) => {
    const cells = row.split('|').map((c) => c.trim()).filter(Boolean);
    const prefixes = [...cells[0]!.matchAll(/`([a-z_-]+)\/…`/g)].map((m) => m[1]!);
    const other = cells[0]!.startsWith('any other prefix');
    return { label: cells[0]!, prefixes: other ? ['some_gateway'] : prefixes, marks: cells.slice(1) };
  });

  it.each(cases)('$label matches the code', ({ prefixes, marks }) => {
    expect(prefixes.length).toBeGreaterThan(0);
    expect(marks).toHaveLength(modes.length);
    for (const prefix of prefixes) {
      const d = deploymentOf(`{ model: ${prefix}/some-model, api_base: "http://127.0.0.1:9" }`);
      const provider = providerFor(d);
      const claimed = Object.fromEntries(modes.map((m, i) => [m, marks[i] === '✓']));
      const actual = Object.fromEntries(modes.map((m) => [m, provider.operations[opOf(m)] !== undefined]));
      expect({ prefix, ...actual }).toEqual({ prefix, ...claimed });
    }
  });

  it('the second table names each provider\'s gen_ai.provider.name as the code does', () => {
    const start = section.indexOf('| provider | request |');
    const table = section.slice(start).split('\n').filter((l) => l.startsWith('| `'));
    expect(table.length).toBeGreaterThanOrEqual(18);
    for (const row of table) {
      const cells = row.split('|').map((c) => c.trim()).filter(Boolean);
      const prefix = /^`([a-z_]+)`/.exec(cells[0]!)?.[1];
      const genAi = /`([^`]+)`/.exec(cells.at(-1)!)?.[1];
      if (!prefix || !genAi) continue;
      expect({ prefix, genAi: genAiProviderOf(deploymentOf(`{ model: ${prefix}/some-model, api_base: "http://127.0.0.1:9" }`)) }).toEqual({ prefix, genAi });
    }
  });
});
