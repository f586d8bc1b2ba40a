import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfigCommand } from '../src/cli/check-config.js';
import { main } from '../src/cli/main.js';
import { capture } from './support/capture.js';

/**
 * --check-config validates against the plugin and provider registries and the capability
 * matrix, and reports every problem in one pass, each with its path: errors (exit 2) for what
 * can never work, warnings ("did you mean …") for keys that look like a mistyped key of ours;
 * --strict makes warnings errors. LiteLLM keys the exporter does not read stay silent.
 */
const FIXTURES = fileURLToPath(new URL('./fixtures/check-config/', import.meta.url));
const ENV = { OPENAI_API_KEY: 'sk-test', AZURE_API_KEY: 'az-test', ANTHROPIC_API_KEY: 'sk-ant-test', FOO_API_KEY: 'foo', REDIS_HOST: 'redis', REDIS_PASSWORD: 'pw' };
const dir = mkdtempSync(join(tmpdir(), 'lhe-check-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(file: string, opts: { strict?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const out = capture();
  const err = capture();
  const path = file.includes('/') ? file : join(FIXTURES, file);
  const code = await checkConfigCommand(path, { strict: opts.strict ?? false, pluginDirs: [], env: opts.env ?? ENV }, out, err);
  const text = out.text() + err.text();
  return { code, out: out.text(), err: err.text(), errors: lines(text, 'error'), warnings: lines(text, 'warning') };
}

const lines = (text: string, level: string) => text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(`${level}: `)).map((l) => l.slice(level.length + 2));

describe('--check-config: what can never work is an error naming its path (exit 2)', () => {
  it.each([
    ['unknown-provider.yaml', 'model_list[0].litellm_params.model: unknown provider "foo"'],
    ['unknown-mode.yaml', 'model_list[0].model_info.mode: unknown mode "chatt" (did you mean chat?)'],
    ['unsupported-provider-mode.yaml', 'model_list[0].model_info.mode: anthropic is not probed in embedding mode'],
    ['empty.yaml', 'model_list: no deployments (an empty file, or no model_list): nothing to probe'],
    ['api-base-not-a-url.yaml', 'model_list[0].litellm_params.api_base: not a URL'],
  ])('%s', async (file, expected) => {
    const r = await check(file);
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([expect.stringContaining(expected)]);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^invalid config .*: 1 error\(s\), 0 warning\(s\)\n/);
  });

  it('never quotes the value it refuses (an api_base may hold a key)', async () => {
    expect((await check('api-base-not-a-url.yaml')).err).not.toContain('DO-NOT-PRINT');
  });

  it('a misspelt provider gets a suggestion; an unknown one with an api_base is an OpenAI-compatible server, no error', async () => {
    const file = join(dir, 'antropic.yaml');
    writeFileSync(file, 'model_list:\n  - model_name: a\n    litellm_params: { model: antropic/claude-3-5-haiku, api_key: k }\n  - model_name: b\n    litellm_params: { model: my_gateway/llama, api_base: "http://gw:8080/v1" }\n');
    expect((await check(file)).errors).toEqual(['model_list[0].litellm_params.model: unknown provider "antropic" (did you mean anthropic?): set litellm_params.api_base for an OpenAI-compatible server, or see docs/providers.md for the providers known']);
  });

  it('reports every problem of the file in one pass: schema errors and registry errors together, then the warnings', async () => {
    const r = await check('everything-wrong.yaml');
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      'model_list[4].litellm_params.model: Required',
      expect.stringMatching(/^model_list\[0\]\.litellm_params\.model: unknown provider "foo"/),
      expect.stringMatching(/^model_list\[1\]\.model_info\.mode: unknown mode "chatt" \(did you mean chat\?\)/),
      expect.stringMatching(/^model_list\[2\]\.model_info\.mode: anthropic is not probed in embedding mode/),
      expect.stringMatching(/^model_list\[3\]\.litellm_params\.api_base: not a URL/),
    ]);
    expect(r.warnings).toEqual([
      'general_settings.background_health_check: unknown key, ignored; did you mean background_health_checks?',
      'general_settings.health_check_intervall: unknown key, ignored; did you mean health_check_interval?',
      'model_list[1].model_info.health_check_timout: unknown key, ignored; did you mean health_check_timeout?',
      'model_list[5].litellm_params.model: the strategy router routes to model group "gpt-5-nonexistent", and no deployment has that model_name',
    ]);
    expect(r.err).toMatch(/^invalid config .*everything-wrong\.yaml: 5 error\(s\), 4 warning\(s\)\n/);
  });

  it('a strategy router none of whose model groups exists can never answer', async () => {
    const file = join(dir, 'router.yaml');
    writeFileSync(file, 'model_list:\n  - model_name: auto\n    litellm_params:\n      model: auto_router/complexity_router\n      complexity_router_config: { tiers: { SIMPLE: small, COMPLEX: large } }\n');
    expect((await check(file)).errors).toEqual(['model_list[0].litellm_params.model: no deployment has any model_name the strategy router routes to (small, large)']);
  });

  it('a broken include is an error naming the include entry', async () => {
    const file = join(dir, 'include.yaml');
    writeFileSync(file, 'include: [models-missing.yaml]\nmodel_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o, api_key: k }\n');
    expect((await check(file)).errors).toEqual(['include[0]: cannot read models-missing.yaml: ENOENT']);
  });
});

describe('--check-config: keys that look like ours are warnings with a suggestion (exit 0, or 2 with --strict)', () => {
  it('health_check_intervall, health_check_timout and background_health_check each say what was meant', async () => {
    const r = await check('typos.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^config ok: 1 deployment\(s\) in /);
    expect(r.warnings).toEqual([
      'general_settings.background_health_check: unknown key, ignored; did you mean background_health_checks?',
      'general_settings.health_check_intervall: unknown key, ignored; did you mean health_check_interval?',
      'model_list[0].model_info.health_check_timout: unknown key, ignored; did you mean health_check_timeout?',
    ]);
  });

  it('a key in the wrong section points at the right one', async () => {
    const file = join(dir, 'sections.yaml');
    writeFileSync(file, 'model_list:\n  - model_name: a\n    litellm_params: { model: openai/text-embedding-3-small, api_key: k, mode: embedding }\n    model_info: { api_base: "http://x" }\ngeneral_settings:\n  health_check_timeout: 30\n');
    expect((await check(file)).warnings).toEqual([
      'general_settings.health_check_timeout: unknown key, ignored; did you mean model_info.health_check_timeout?',
      'model_list[0].litellm_params.mode: unknown key, ignored; did you mean model_info.mode?',
      'model_list[0].model_info.api_base: unknown key, ignored; did you mean litellm_params.api_base?',
    ]);
  });

  it('--strict turns the warnings into errors: exit 2', async () => {
    const r = await check('typos.yaml', { strict: true });
    expect(r.code).toBe(2);
    expect(r.errors).toHaveLength(3);
    expect(r.err).toMatch(/^invalid config .*: 0 error\(s\), 3 warning\(s\) \(--strict: warnings are errors\)\n/);
  });

  it('unset os.environ/ variables and duplicate YAML keys are warnings too', async () => {
    const file = join(dir, 'env-dups.yaml');
    writeFileSync(file, 'model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/gpt-4o\n      api_key: os.environ/NOT_SET_ANYWHERE\n      model: openai/gpt-4o-mini\n');
    const r = await check(file, { env: {} });
    expect(r.code).toBe(0);
    expect(r.warnings).toEqual([
      'line 6: duplicate key model (also at line 4): the last one is used, as LiteLLM (PyYAML) does',
      'model_list[0] (a): environment variable NOT_SET_ANYWHERE (referenced by model_list[0].litellm_params.api_key) is not set',
    ]);
    expect((await check(file, { env: {}, strict: true })).code).toBe(2);
  });
});

describe('--check-config: a valid LiteLLM file', () => {
  it('with many LiteLLM keys the exporter does not read gives no warning at all, exit 0', async () => {
    const r = await check('litellm-proxy-valid.yaml');
    expect({ code: r.code, errors: r.errors, warnings: r.warnings, err: r.err }).toEqual({ code: 0, errors: [], warnings: [], err: '' });
    expect(r.out).toMatch(/^config ok: 5 deployment\(s\) in .*litellm-proxy-valid\.yaml\n$/);
    expect((await check('litellm-proxy-valid.yaml', { strict: true })).code).toBe(0);
  });

  it('through the CLI: --check-config --strict parses, and exits 0 on a clean file, 2 on a file with a typo', async () => {
    const clean = join(dir, 'clean.yaml');
    writeFileSync(clean, 'model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o, api_key: sk-inline }\n');
    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, 'model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o, api_key: sk-inline }\ngeneral_settings: { health_check_intervall: 60 }\n');
    const run = async (argv: string[]) => main(argv, capture(), capture());
    expect(await run(['--check-config', '--strict', clean])).toBe(0);
    expect(await run(['--check-config', typo])).toBe(0);
    expect(await run(['--check-config', '--strict', typo])).toBe(2);
  });
});

// Found in review: --check-config said "ok" to a config the service refuses (a missing
// model_table), and warned "probed once" where the service keeps two deployments.
describe('--check-config reads the config as the service does', () => {
  it('a model_table that cannot be read is an error, as it is at start-up', async () => {
    const file = join(dir, 'missing-table.yaml');
    writeFileSync(file, 'model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o, api_key: sk-x }\ngeneral_settings:\n  model_table: nope.json\n');
    const r = await check(file);
    expect(r.code).toBe(2);
    expect(r.errors.join('\n')).toContain('general_settings.model_table');
  });

  it('entries that differ only in their literal keys are two deployments, not a duplicate', async () => {
    const file = join(dir, 'two-keys.yaml');
    writeFileSync(file, 'model_list:\n  - model_name: g\n    litellm_params: { model: openai/gpt-4o, api_key: sk-team-a-0001 }\n  - model_name: g\n    litellm_params: { model: openai/gpt-4o, api_key: sk-team-b-0002 }\n');
    const r = await check(file, { strict: true });
    expect(r.warnings).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('2 deployment(s)');
  });
});
