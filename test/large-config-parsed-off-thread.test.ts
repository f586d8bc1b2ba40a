import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { loadConfigFile, parseConfig } from '../src/config/load.js';
import { OFF_THREAD_BYTES } from '../src/config/read-yaml.js';

// Files above OFF_THREAD_BYTES are parsed in a worker thread; what comes back must be exactly
// what the in-process parse gives, errors included.
function bigConfig(n: number, extra = '') {
  const list = Array.from({ length: n }, (_, i) =>
    `  - model_name: m${i}\n    litellm_params:\n      model: openai/gpt-4o-mini\n      api_base: http://10.0.0.${i % 250}:4000/v1\n      api_key: os.environ/KEY_${i % 3}\n    model_info:\n      id: d${i}\n      mode: ${i % 2 ? 'chat' : 'embedding'}\n`).join('');
  return `model_list:\n${list}${extra}general_settings:\n  background_health_checks: true\n  health_check_interval: 60\n`;
}

async function fileWith(text: string) {
  const file = join(await mkdtemp(join(tmpdir(), 'lhe-big-')), 'config.yaml');
  await writeFile(file, text);
  return file;
}

describe('a large config file (parsed in a worker thread)', () => {
  const env = { KEY_0: 'sk-a', KEY_1: 'sk-b', KEY_2: 'sk-c' };

  it('loads to the same deployments and settings as the in-process parse', async () => {
    const text = bigConfig(2000);
    expect(text.length).toBeGreaterThan(OFF_THREAD_BYTES);
    const file = await fileWith(text);
    const loaded = await loadConfigFile(file, env);
    const here = parseConfig(text, file, env);
    expect(loaded.deployments).toHaveLength(2000);
    expect(loaded.deployments).toEqual(here.deployments);
    expect(loaded.settings).toEqual(here.settings);
    expect(loaded.deployments[1]).toMatchObject({ id: 'd1', mode: 'chat', modelName: 'm1' });
  });

  it('reads YAML as PyYAML there too: YAML 1.1 scalars, and a duplicate key warned about by its lines', async () => {
    const text = `${bigConfig(2000)}  health_check_details: no\n  health_check_concurrency: 1_6\n  health_check_details: yes\n`;
    const file = await fileWith(text);
    const loaded = await loadConfigFile(file, env);
    const here = parseConfig(text, file, env);
    expect(loaded.settings).toMatchObject({ details: true, concurrency: 16 });
    expect(loaded.settings).toEqual(here.settings);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^line \d+: duplicate key health_check_details \(also at line \d+\)/)]);
    expect(loaded.warnings).toEqual(here.warnings);
  });

  it('reports a syntax error by line, as the in-process parse does', async () => {
    const text = `${bigConfig(2000)}  bad: [unclosed\n`;
    const file = await fileWith(text);
    const offThread = await loadConfigFile(file, env).then(() => undefined, (e: unknown) => e);
    expect(offThread).toBeInstanceOf(ConfigError);
    let here: unknown;
    try { parseConfig(text, file, env); } catch (e) { here = e; }
    expect((offThread as ConfigError).issues).toEqual((here as ConfigError).issues);
    expect((offThread as ConfigError).issues[0]).toMatch(/^line \d+: /);
  });

  it('names the key path of a schema error found after an off-thread parse', async () => {
    const text = bigConfig(2000).replace('      id: d1500\n      mode: embedding\n', '      id: d1500\n      mode: 42\n');
    const err = await loadConfigFile(await fileWith(text), env).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.join('\n')).toContain('model_list[1500].model_info.mode');
  });
});
