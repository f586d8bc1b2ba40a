import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { loadConfigFile, parseConfig } from '../src/config/load.js';

/**
 * `include:` as LiteLLM's proxy reads it (proxy_server.py, _process_includes): a list of files
 * relative to the including file; their lists (model_list) are appended, any other key replaces
 * the including file's. Here includes may nest, and a cycle is refused naming the chain.
 */
const dir = mkdtempSync(join(tmpdir(), 'lhe-include-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function files(set: string, tree: Record<string, string>): string {
  for (const [name, text] of Object.entries(tree)) {
    const path = join(dir, set, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return join(dir, set, 'config.yaml');
}

async function issuesOf(file: string): Promise<readonly string[]> {
  try {
    await loadConfigFile(file, {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

const entry = (name: string) => `  - model_name: ${name}\n    litellm_params: { model: openai/${name}, api_key: sk-test }\n`;

describe('include:', () => {
  it('appends the included model_lists after the file\'s own, in include order, paths relative to each including file', async () => {
    const file = files('nested', {
      'config.yaml': `include:\n  - models/chat.yaml\n  - models/more.yaml\nmodel_list:\n${entry('own')}general_settings: { health_check_interval: 60 }\n`,
      'models/chat.yaml': `model_list:\n${entry('chat-a')}${entry('chat-b')}`,
      'models/more.yaml': `include: [../shared/embeddings.yaml]\nmodel_list:\n${entry('more')}`,
      'shared/embeddings.yaml': `model_list:\n${entry('text-embedding-3-small')}`,
    });
    const config = await loadConfigFile(file, {});
    expect(config.deployments.map((d) => d.modelName)).toEqual(['own', 'chat-a', 'chat-b', 'more', 'text-embedding-3-small']);
    expect(config.settings.intervalS).toBe(60);
    expect(config.files.map((f) => f.slice(join(dir, 'nested').length + 1))).toEqual(['config.yaml', 'models/chat.yaml', 'models/more.yaml', 'shared/embeddings.yaml']);
    expect(config.raw).not.toHaveProperty('include');
  });

  it('a file with only include: and no model_list of its own gets the included deployments (the issue\'s case)', async () => {
    const file = files('only', { 'config.yaml': 'include:\n  - included_models.yaml\n', 'included_models.yaml': `model_list:\n${entry('gpt-4o')}` });
    expect((await loadConfigFile(file, {})).deployments.map((d) => d.modelName)).toEqual(['gpt-4o']);
  });

  it('any other key of an included file replaces the including file\'s, as in LiteLLM', async () => {
    const file = files('replace', {
      'config.yaml': `include: [settings.yaml]\nmodel_list:\n${entry('a')}general_settings: { health_check_interval: 60, health_check_details: false }\n`,
      'settings.yaml': 'general_settings: { health_check_interval: 120 }\n',
    });
    expect((await loadConfigFile(file, {})).settings).toMatchObject({ intervalS: 120, details: true });
  });

  it('refuses a cycle, naming the chain', async () => {
    const file = files('cycle', {
      'config.yaml': 'include: [a.yaml]\n',
      'a.yaml': 'include: [sub/b.yaml]\n',
      'sub/b.yaml': 'include: [../a.yaml]\n',
    });
    expect(await issuesOf(file)).toEqual(['sub/b.yaml: include[0]: include cycle: config.yaml → a.yaml → sub/b.yaml → a.yaml']);
  });

  it('a file including itself is a cycle too', async () => {
    expect(await issuesOf(files('self', { 'config.yaml': 'include: [./config.yaml]\n' }))).toEqual(['include[0]: include cycle: config.yaml → config.yaml']);
  });

  it('reports every problem at once: a missing file, a non-list, a YAML error inside an included file', async () => {
    const file = files('broken', {
      'config.yaml': 'include:\n  - missing.yaml\n  - bad.yaml\n  - 42\n  - list.yaml\n  - odd.yaml\n',
      'bad.yaml': 'model_list:\n  - model_name: a\n    litellm_params: model: x\n',
      'list.yaml': '- a\n- b\n',
      'odd.yaml': 'include: other.yaml\n',
    });
    expect(await issuesOf(file)).toEqual([
      'include[0]: cannot read missing.yaml: ENOENT',
      expect.stringMatching(/^bad\.yaml: line 3: /),
      'include[2]: expected a file path',
      'include[3]: list.yaml is not a mapping (expected keys such as model_list)',
      'odd.yaml: include: expected a list of file paths',
    ]);
  });

  it('an empty included file adds nothing (LiteLLM reads it as {})', async () => {
    const file = files('empty', { 'config.yaml': `include: [empty.yaml]\nmodel_list:\n${entry('a')}`, 'empty.yaml': '# nothing yet\n' });
    expect((await loadConfigFile(file, {})).deployments).toHaveLength(1);
  });

  it('duplicate keys in an included file warn with that file\'s name and lines', async () => {
    const file = files('dups', { 'config.yaml': 'include: [m.yaml]\n', 'm.yaml': 'model_list:\n  - model_name: a\n    model_name: b\n    litellm_params: { model: gpt-4o }\n' });
    const config = await loadConfigFile(file, {});
    expect(config.deployments[0]?.modelName).toBe('b');
    expect(config.warnings).toEqual([expect.stringMatching(/^m\.yaml: line 3: duplicate key model_name \(also at line 2\)/)]);
  });

  it('a config given as text cannot include (there is no file to find the others from)', () => {
    expect(() => parseConfig('include: [a.yaml]\n')).toThrow(/include: only a config read from a file/);
  });
});
