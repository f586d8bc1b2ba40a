import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { capture } from '../support/capture.js';

/**
 * A seeded mutation fuzzer over valid LiteLLM configs: every mutated file either loads or fails
 * with a ConfigError whose every line names where (a key path, or a YAML line); never another
 * exception, a stack trace or a hang.
 */
const VALID = {
  model_list: [
    {
      model_name: 'gpt-4o',
      litellm_params: { model: 'azure/gpt-4o', api_base: 'os.environ/AZURE_API_BASE', api_key: 'os.environ/AZURE_API_KEY', api_version: '2024-10-21', extra_headers: { 'X-Team': 'a' } },
      model_info: { id: 'a1', mode: 'chat', health_check_timeout: 30, health_check_max_tokens: 8, health_check_params: { temperature: 0 } },
    },
    { model_name: 'emb', litellm_params: { model: 'openai/text-embedding-3-small', api_key: 'sk-x' }, model_info: { mode: 'embedding' } },
    { model_name: 'wild', litellm_params: { model: 'openai/*', api_base: 'http://gw/v1' } },
  ],
  general_settings: {
    master_key: 'sk-master', background_health_checks: true, health_check_interval: 300, health_check_details: false,
    health_check_concurrency: 8, health_check_min_interval: 5, background_health_check_model_groups: ['gpt-4o'],
  },
  litellm_settings: { drop_params: true },
  router_settings: { routing_strategy: 'simple-shuffle' },
};
const ENV = { AZURE_API_BASE: 'https://r.openai.azure.com', AZURE_API_KEY: 'k' };

/** Where an issue may point: a key path from the top, the YAML line, the root or the file. */
const NAMES_A_PLACE = /^(model_list(\[\d+\])?|general_settings|litellm_settings|router_settings|\(root\)|\(file\)|line \d+)[^\n]*: \S/;

function check(text: string): 'loaded' | 'refused' {
  try {
    parseConfig(text, 'fuzz.yaml', ENV);
    return 'loaded';
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`not a ConfigError: ${String(err)}\n--- input ---\n${text.slice(0, 2000)}`);
    expect(err.issues.length).toBeGreaterThan(0);
    for (const issue of err.issues) {
      expect(issue).toMatch(NAMES_A_PLACE);
      expect(issue).not.toMatch(/\n\s+at /);
    }
    return 'refused';
  }
}

/** All paths (arrays of keys/indices) in a JSON value. */
function paths(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function deepNest(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

const strangeValue = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.constantFrom(1e308, -1, 0, -0.5, 2 ** 53, Number.MAX_SAFE_INTEGER),
  fc.string(), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('', ' ', 'True', 'no', '∞', '🙂', 'os.environ/NOT_SET', '${HOME}', '\u0000', 'a'.repeat(5000)),
  fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
  fc.integer({ min: 5, max: 200 }).map(deepNest),
);

type Mutation = { kind: 'set' | 'delete' | 'add'; pick: number; value: unknown; key: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'delete', 'add'),
  pick: fc.nat(),
  value: strangeValue,
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('model', 'mode', 'api_base', 'health_check_interval', '<<', 'model_list')),
});

function mutate(base: unknown, ms: Mutation[]): unknown {
  const root = structuredClone(base) as Record<string, unknown>;
  for (const m of ms) {
    const all = paths(root).filter((p) => p.length > 0);
    const path = all[m.pick % all.length]!;
    let parent: any = root;
    for (const seg of path.slice(0, -1)) parent = parent[seg];
    const last = path[path.length - 1]!;
    if (m.kind === 'set') parent[last] = m.value;
    else if (m.kind === 'delete') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
    else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) parent[last][m.key] = m.value;
    else parent[last] = { [m.key]: m.value };
  }
  return root;
}

describe('config fuzzing', () => {
  it('1,000 structural mutations (wrong types, missing keys, huge numbers, unicode, deep nesting) load or fail naming a place', () => {
    const outcomes = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        outcomes[check(stringify(mutate(VALID, ms), { aliasDuplicateObjects: false }))]++;
      }),
      { numRuns: 1000, seed: 20261125 },
    );
    // Both outcomes happen: the fuzzer is neither all-valid nor all-garbage.
    expect(outcomes.loaded).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(200);
  }, 60_000);

  it('500 text-level mutations (syntax damage, duplicate keys, stray anchors) load or fail naming a place', () => {
    const text = stringify(VALID);
    const snippet = fc.constantFrom(':', '- ', '{', '}', '[', ']', '"', "'", '&a ', '*a', '<<: *a', '\t', '\n  ', '#', '%YAML 1.1\n', '---\n', '!!binary ', 'model_list: x\n', '? ');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), snippet, fc.nat({ max: 4 })), { minLength: 1, maxLength: 5 }), (edits) => {
        let t = text;
        for (const [at, insert, cut] of edits) {
          const i = at % (t.length + 1);
          t = t.slice(0, i) + insert + t.slice(i + cut);
        }
        check(t);
      }),
      { numRuns: 500, seed: 7 },
    );
  }, 60_000);

  it('alias bombs, deep nesting and odd documents are refused quickly and clearly; duplicate keys warn', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => {
      const p = String.fromCharCode(97 + i);
      const c = String.fromCharCode(98 + i);
      return `${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]`;
    })].join('\n');
    // A duplicate key is no error (PyYAML keeps the last one): it loads, with a warning.
    expect(parseConfig('general_settings:\n  master_key: a\n  master_key: b\n', 'c.yaml', {}).warnings).toEqual([expect.stringMatching(/^line 3: duplicate key/)]);
    const cases: Array<[string, string]> = [
      [bomb, 'alias'],
      [`model_list: ${'['.repeat(20000)}${']'.repeat(20000)}`, 'line 1'],
      ['just a string', '(root)'],
      ['- a\n- b', '(root)'],
      ['model_list:\n  - model_name: x\n    litellm_params: { model: gpt-4o }\n    model_info: { health_check_timeout: -5 }', 'model_list[0].model_info.health_check_timeout'],
      ['general_settings: { health_check_interval: 1e400 }', 'general_settings.health_check_interval'],
    ];
    for (const [text, where] of cases) {
      const started = Date.now();
      let issues: readonly string[] = [];
      try { parseConfig(text, 'c.yaml', {}); } catch (err) { issues = (err as ConfigError).issues; }
      expect({ where, first: issues[0]?.startsWith(where) || issues[0]?.includes(where) }).toEqual({ where, first: true });
      expect(Date.now() - started).toBeLessThan(2000);
    }
    // Negative and zero intervals are LiteLLM's "background checks off", not an error.
    expect(parseConfig('general_settings: { health_check_interval: -1, background_health_checks: true }', 'c.yaml', {}).settings.intervalS).toBe(-1);
  });

  it('10 MB files: a long valid file loads, a too-large one is refused naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lhe-fuzz-'));
    const big = join(dir, 'big.yaml');
    await writeFile(big, `model_list:\n  - model_name: m\n    litellm_params: { model: gpt-4o }\n# ${'x'.repeat(10 * 1024 * 1024)}\n`);
    expect((await loadConfigFile(big, {})).deployments).toHaveLength(1);
    const huge = join(dir, 'huge.yaml');
    await writeFile(huge, `# ${'x'.repeat(33 * 1024 * 1024)}\n`);
    await expect(loadConfigFile(huge, {})).rejects.toMatchObject({ issues: [expect.stringMatching(/^\(file\): larger than/)] });
  }, 30_000);

  it('the CLI exits 2 with the path and no stack trace for mutated files that do not load; one that loads exits 0 unless a deployment can never work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lhe-fuzz-cli-'));
    const samples = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 3 }), { numRuns: 40, seed: 99 });
    let refused = 0;
    for (const [i, ms] of samples.entries()) {
      const file = join(dir, `c${i}.yaml`);
      const text = stringify(mutate(VALID, ms), { aliasDuplicateObjects: false });
      await writeFile(file, text);
      const loaded = check(text) === 'loaded';
      const out = capture();
      const err = capture();
      // The env references in VALID resolve from process.env here; --check-config only warns on them.
      const code = await main(['--check-config', file], out, err);
      // A file that loads may still hold a deployment that can never work (a mutated mode or
      // model): then every error line names a deployment, and none is a schema error.
      const errorLines = err.text().split('\n').filter((l) => l.startsWith('  error: '));
      if (loaded && code === 2) expect({ i, errorLines }).toEqual({ i, errorLines: errorLines.filter((l) => /^ {2}error: model_list(\[\d+\])?[.:]/.test(l)) });
      else expect({ i, code }).toEqual({ i, code: loaded ? 0 : 2 });
      if (code === 2) {
        refused++;
        expect(err.text()).toMatch(/^invalid config /);
        expect(err.text()).not.toMatch(/\n\s+at /);
        expect(errorLines.length).toBeGreaterThan(0);
      }
    }
    expect(refused).toBeGreaterThan(5);
  }, 60_000);
});
