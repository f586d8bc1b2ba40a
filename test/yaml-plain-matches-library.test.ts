import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import { MAX_ALIAS_COUNT, MAX_ALIAS_EXPANSION, readYaml, readYamlHere } from '../src/config/read-yaml.js';
import { readPlainYaml } from '../src/config/yaml-plain.js';

// yaml-plain.ts reads the common subset of YAML fast and gives up on anything else. The one
// property that matters: whenever it answers, the yaml library (read as PyYAML reads) gives the
// same data, with no error and no warning.
function library(text: string) {
  return readYaml(text, yaml, MAX_ALIAS_COUNT, MAX_ALIAS_EXPANSION);
}
function expectAgreement(text: string): boolean {
  const plain = readPlainYaml(text, yaml);
  if (!plain) return false;
  const lib = library(text);
  expect(lib, text).not.toHaveProperty('issues');
  expect((lib as { warnings?: string[] }).warnings ?? [], text).toEqual([]);
  expect(plain.data, text).toStrictEqual((lib as { data: unknown }).data);
  return true;
}

/** Plain scalars YAML 1.1 (PyYAML) reads as something else, or that sit at the edge of the grammar. */
const TRICKY = [
  'yes', 'No', 'ON', 'off', 'y', 'n', 'true', 'FALSE', '~', 'null', 'Null', 'NULL', '0', '-0', '+1', '007', '0755', '09', '0x1F', '0b101',
  '1_000', '1:30', '-1:30:00', '1.5', '1e3', '1.0e+5', '1.0e5', '.5', '-.inf', '.NaN', '.nan', '2024-02-01', '2024-02-01T10:00:00Z',
  'http://h:4000/v1', 'a#b', 'a,b', 'a[b]', 'a{b}', "it's", 'x"y', '-x', '-1', 'os.environ/KEY', 'sk-abc', 'gpt-4o', 'a b', 'é', '日本',
];
const KEYS = ['model_name', 'api_base', 'id', 'a', 'b', 'a b', 'yes', '1', 'null', '__proto__', '<<', 'x-y', 'é', "'q'", '"d"', 'k:v'];

type Node = string | Node[] | { [k: string]: Node };
const scalar = fc.oneof(fc.constantFrom(...TRICKY), fc.stringMatching(/^[a-z][a-z0-9_./-]{0,12}$/));
const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 }),
  ),
})).node;

/** How a scalar is written: plain, single- or double-quoted. */
function scalarText(s: string, style: number): string {
  if (style === 1) return `'${s.replaceAll("'", "''")}'`;
  if (style === 2 && !/["\\]/.test(s)) return `"${s}"`;
  return s;
}
function flow(n: Node, style: number): string {
  if (typeof n === 'string') return scalarText(n, style);
  if (Array.isArray(n)) return `[${n.map((x) => flow(x, style)).join(', ')}]`;
  return `{${Object.entries(n).map(([k, v]) => ` ${k}: ${flow(v, style)}`).join(',')} }`;
}
/** Block style, with the choices a writer makes: indent width, sequences at their key's indent or not, flow for small parts, comments. */
function block(n: Node, indent: number, o: { width: number; seqAtKey: boolean; flowDepth: number; style: number; comments: boolean }, depth = 0): string[] {
  const pad = ' '.repeat(indent);
  const c = o.comments ? ' # note' : '';
  if (typeof n === 'string') return [`${pad}${scalarText(n, o.style)}${c}`];
  const inline = (v: Node) => typeof v === 'string' || depth + 1 >= o.flowDepth || (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
  if (Array.isArray(n)) {
    return n.flatMap((v) => {
      if (inline(v)) return [`${pad}- ${flow(v, o.style)}${c}`];
      const inner = block(v, indent + o.width, o, depth + 1);
      return [`${pad}-${inner[0]!.slice(indent + 1)}`, ...inner.slice(1)];
    });
  }
  return Object.entries(n).flatMap(([k, v]) => {
    if (inline(v)) return [`${pad}${k}: ${flow(v, o.style)}${c}`];
    const below = Array.isArray(v) && o.seqAtKey ? indent : indent + o.width;
    return [`${pad}${k}:${c}`, ...(o.comments ? ['', `${pad}# between`] : []), ...block(v, below, o, depth + 1)];
  });
}
const options = fc.record({ width: fc.constantFrom(2, 4), seqAtKey: fc.boolean(), flowDepth: fc.integer({ min: 1, max: 6 }), style: fc.integer({ min: 0, max: 2 }), comments: fc.boolean() });
const documents = fc.tuple(fc.dictionary(fc.constantFrom(...KEYS), tree, { minKeys: 1, maxKeys: 5 }), options).map(([n, o]) => `${block(n, 0, o).join('\n')}\n`);
/** A few characters inserted, replaced or deleted anywhere: the fast reader must notice what it does not know. */
const MUTANTS = [' ', '  ', '\n', '-', ':', ': ', '#', ' #', '&a ', '*a', '!!str ', '|', '>', '"', "'", '\\', '[', ']', '{', '}', ',', '?', '<<: ', '---\n', '\t', '%', '@', 'é', '\u00a0', '\u3000'];
const mutated = fc.tuple(documents, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...MUTANTS), fc.nat(3)), { minLength: 1, maxLength: 3 })).map(([text, edits]) => {
  let t = text;
  for (const [at, s, cut] of edits) { const i = at % (t.length + 1); t = t.slice(0, i) + s + t.slice(i + cut); }
  return t;
});

describe('the fast YAML reader (config/yaml-plain.ts) agrees with the yaml library', () => {
  it('on generated block/flow documents with YAML 1.1 scalars, quotes and comments', () => {
    let answered = 0;
    fc.assert(fc.property(documents, (text) => { if (expectAgreement(text)) answered++; }), { numRuns: 1500, seed: 18 });
    expect(answered).toBeGreaterThan(150); // the rest use `- - x`, non-string keys, `<<`, `__proto__`: the library reads those
  });

  it('on the same documents mutated (whatever it answers, the library answers the same)', () => {
    fc.assert(fc.property(mutated, (text) => { expectAgreement(text); }), { numRuns: 3000, seed: 1818 });
  });

  it('on every YAML file in the repository, and it reads the example configs itself', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(name)) files.push(p);
      }
    };
    for (const dir of ['examples', 'deploy', 'test/fixtures', 'alerts']) walk(dir);
    expect(files.length).toBeGreaterThan(10);
    const answered = files.filter((f) => expectAgreement(readFileSync(f, 'utf8')));
    for (const f of ['examples/demo/config.yaml', 'deploy/kubernetes/base/config.yaml', 'test/fixtures/litellm-corpus/proxy_config.yaml', 'test/fixtures/check-config/litellm-proxy-valid.yaml']) expect(answered).toContain(f);
    expect(answered.length).toBeGreaterThan(files.length / 2);
  });

  it('reads a 10,000-deployment model_list (as npm run bench writes it) itself', () => {
    const list = Array.from({ length: 10_000 }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:4000/v1", api_key: sk-bench, organization: org-${i} }\n    model_info: { id: d${i} }\n`).join('');
    const text = `model_list:\n${list}general_settings:\n  health_check_concurrency: 64\n  health_check_min_interval: 0\n`;
    const plain = readPlainYaml(text, yaml) as { data: { model_list: unknown[] } };
    expect(plain.data.model_list).toHaveLength(10_000);
    expect(plain.data).toStrictEqual((library(text) as { data: unknown }).data);
  });

  it('leaves to the library what it does not read (and the library still reads it, warnings included)', () => {
    const needLibrary = [
      'a: &x {b: 1}\nc: *x\n', 'a: 1\n<<: {b: 2}\n', 'a: 1\na: 2\n', 'a: !!str 1\n', 'a: |\n  text\n', 'a: >\n  folded\n',
      'a: two\n  lines\n', '---\na: 1\n', '%YAML 1.1\n---\na: 1\n', 'a: "esc\\n"\n', 'a: "two\n  lines"\n', '1: a\n', 'true: a\n',
      '? complex\n: key\n', 'a:\n\t- b\n', 'a: 1\r\nb: 2\r\n', 'a: [1,\n  2]\n', '- - a\n', '__proto__: 1\n', '',
      'a: {b: 1, b: 2}\n', 'a: {b}\n', 'a: b: c\n', 'a: [b: c]\n',
      // Spaces YAML keeps in a scalar and String.trimEnd drops; keys the library refuses for length.
      'model_name: gpt-4o\u00a0\n', 'api_key\u00a0: x\n', 'a: [x\u2003]\n', 'a: {k\u3000: v}\n', 'a: \u00a0\n',
      `${'k'.repeat(1100)}: 1\n`, `a: {${'k'.repeat(1100)}: 1}\n`,
    ];
    for (const text of needLibrary) expect(readPlainYaml(text, yaml), JSON.stringify(text)).toBeUndefined();
    expect(readYamlHere('model_name: gpt-4o\u00a0\n')).toMatchObject({ data: { model_name: 'gpt-4o\u00a0' } });
    expect(readYamlHere('a: 1\na: 2\n')).toMatchObject({ data: { a: 2 }, warnings: [expect.stringMatching(/^line 2: duplicate key a \(also at line 1\)/)] });
    expect(readYamlHere('a: &x {b: 1}\nc: *x\n')).toMatchObject({ data: { a: { b: 1 }, c: { b: 1 } }, expansion: { nodes: 3 } });
  });
});
