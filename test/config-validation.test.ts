import { SEED_EXAMPLES } from './support/seed-examples.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { ConfigError } from '../src/config/errors.js';
import { parseConfig, type LoadedConfig } from '../src/config/load.js';
import type { Deployment } from '../src/core/deployment.js';

const ENV = {
  AZURE_API_BASE: 'https://my-endpoint.openai.azure.com/',
  AZURE_API_KEY: 'azure-key-0123456789',
  OPENAI_API_KEY: 'sk-openai-0123456789abcdef',
};

function load(yaml: string, env: NodeJS.ProcessEnv = ENV): LoadedConfig {
  return parseConfig(yaml, 'config.yaml', env);
}

/** The issues of the ConfigError `yaml` raises (fails the test when it loads). */
function issuesOf(yaml: string, env: NodeJS.ProcessEnv = ENV): string[] {
  try {
    load(yaml, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

function byName(config: LoadedConfig, name: string): Deployment {
  const d = config.deployments.find((x) => x.modelName === name);
  if (!d) throw new Error(`no deployment ${name}`);
  return d;
}

/** One deployment with the given model_info / general_settings, for the defaults and overrides. */
function single(modelInfo = '', generalSettings = ''): LoadedConfig {
  return load(`
model_list:
  - model_name: gpt
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: os.environ/OPENAI_API_KEY
${modelInfo ? `    model_info:\n${modelInfo.replace(/^/gm, '      ')}` : ''}
${generalSettings ? `general_settings:\n${generalSettings.replace(/^/gm, '  ')}` : ''}
`);
}

const REALISTIC = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o
      api_base: os.environ/AZURE_API_BASE
      api_key: os.environ/AZURE_API_KEY
      api_version: "2024-08-01-preview"
      rpm: 600
      tpm: 100000
      max_retries: 3
      stream_timeout: 30
    model_info:
      id: gpt-4o-east
      base_model: azure/gpt-4o
      description: production chat
      input_cost_per_token: 0.0000025
  - model_name: claude
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20241022
      api_key: sk-ant-inline-key-abcdef
      weight: 2
      order: 1
general_settings:
  master_key: sk-1234
  database_url: postgresql://u:p@db:5432/litellm
  alerting: ["slack"]
  alerting_threshold: 300
  proxy_batch_write_at: 60
  background_health_checks: true
  health_check_interval: 120
router_settings:
  routing_strategy: usage-based-routing-v2
  redis_host: os.environ/REDIS_HOST
  num_retries: 2
  fallbacks: [{gpt-4o: [claude]}]
litellm_settings:
  drop_params: True
  set_verbose: False
  success_callback: ["langfuse"]
  cache: true
  cache_params: {type: redis}
callbacks: ["otel", "prometheus"]
environment_variables:
  LANGFUSE_HOST: https://langfuse.example.com
`;


describe('a LiteLLM config.yaml loads unchanged', () => {
  it('accepts router_settings, litellm_settings, callbacks, environment_variables and unknown keys at every level', () => {
    const config = load(REALISTIC);
    expect(config.deployments.map((d) => d.modelName)).toEqual(['gpt-4o', 'claude']);
    expect(config.warnings).toEqual([]);
    const gpt = byName(config, 'gpt-4o');
    expect(gpt.id).toBe('gpt-4o-east');
    expect(gpt.provider).toBe('azure');
    expect(gpt.apiBase).toBe(ENV.AZURE_API_BASE);
    expect(gpt.apiVersion).toBe('2024-08-01-preview');
    expect(gpt.credentials.apiKey).toBe(ENV.AZURE_API_KEY);
    expect(gpt.configError).toBeUndefined();
    const claude = byName(config, 'claude');
    expect(claude.provider).toBe('anthropic');
    expect(claude.providerModel).toBe('claude-3-5-sonnet-20241022');
    expect(config.settings.masterKey).toBe('sk-1234');
    expect(config.settings.backgroundHealthChecks).toBe(true);
    expect(config.settings.intervalS).toBe(120);
  });

  it('keeps the keys it does not use in the raw config', () => {
    const { raw } = load(REALISTIC);
    const r = raw as Record<string, unknown>;
    expect(r.router_settings).toMatchObject({ routing_strategy: 'usage-based-routing-v2', num_retries: 2 });
    expect(r.litellm_settings).toMatchObject({ drop_params: true, success_callback: ['langfuse'] });
    expect(r.callbacks).toEqual(['otel', 'prometheus']);
    expect(r.environment_variables).toEqual({ LANGFUSE_HOST: 'https://langfuse.example.com' });
    expect(raw.general_settings).toMatchObject({ alerting: ['slack'], database_url: 'postgresql://u:p@db:5432/litellm' });
    expect(raw.model_list[0]?.litellm_params).toMatchObject({ rpm: 600, tpm: 100000, max_retries: 3 });
    expect(raw.model_list[0]?.model_info).toMatchObject({ description: 'production chat' });
  });
});

describe("the seed documentation's example entries", () => {
  const config = load(SEED_EXAMPLES);

  it('all load without a config error', () => {
    expect(config.deployments).toHaveLength(6);
    for (const d of config.deployments) expect(d.configError, d.modelName).toBeUndefined();
  });

  it.each([
    ['azure-embedding-model', 'embedding', 'azure', 'azure-embedding-model'],
    ['dall-e-3', 'image_generation', 'azure', 'dall-e-3'],
    ['azure-text-completion', 'completion', 'azure', 'text-davinci-003'],
    ['whisper', 'audio_transcription', 'openai', 'whisper-1'],
    ['tts', 'audio_speech', 'openai', 'tts-1'],
    ['batch-gpt-4o-mini', 'batch', 'azure', 'batch-gpt-4o-mini'],
  ])('%s resolves mode %s, provider %s and provider model %s', (name, mode, provider, providerModel) => {
    const d = byName(config, name);
    expect(d.mode).toBe(mode);
    expect(d.provider).toBe(provider);
    expect(d.providerModel).toBe(providerModel);
  });

  it('keeps the quoted api_version "2023-07-01-preview" a string', () => {
    for (const name of ['azure-embedding-model', 'dall-e-3', 'azure-text-completion']) {
      expect(byName(config, name).apiVersion).toBe('2023-07-01-preview');
    }
  });

  it('resolves a quoted "os.environ/OPENAI_API_KEY" exactly like an unquoted one', () => {
    expect(byName(config, 'tts').credentials.apiKey).toBe(ENV.OPENAI_API_KEY);
    expect(byName(config, 'whisper').credentials.apiKey).toBe(ENV.OPENAI_API_KEY);
  });

  it('sends max_tokens only to the modes that take it', () => {
    expect(byName(config, 'azure-text-completion').maxTokens).toBe(16);
    for (const name of ['azure-embedding-model', 'dall-e-3', 'whisper', 'tts', 'batch-gpt-4o-mini']) {
      expect(byName(config, name).maxTokens, name).toBeUndefined();
    }
  });
});

describe('config errors name the path of the bad key', () => {
  it('a missing model in the third entry is model_list[2].litellm_params.model: Required', () => {
    const issues = issuesOf(`
model_list:
  - model_name: a
    litellm_params: { model: openai/gpt-4o }
  - model_name: b
    litellm_params: { model: openai/gpt-4o-mini }
  - model_name: c
    litellm_params: { api_key: sk-abcdefghijkl }
`);
    expect(issues).toContain('model_list[2].litellm_params.model: Required');
    expect(issues).toHaveLength(1);
  });

  it('a numeric model_name names model_list[0].model_name', () => {
    const issues = issuesOf('model_list:\n  - model_name: 42\n    litellm_params: { model: gpt-4o }\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^model_list\[0\]\.model_name: /);
  });

  it('a non-numeric health_check_interval names general_settings.health_check_interval', () => {
    const issues = issuesOf('general_settings:\n  health_check_interval: soon\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^general_settings\.health_check_interval: /);
  });

  it('a negative health_check_timeout names model_list[1].model_info.health_check_timeout', () => {
    const issues = issuesOf(`
model_list:
  - model_name: ok
    litellm_params: { model: gpt-4o }
  - model_name: bad
    litellm_params: { model: gpt-4o }
    model_info: { health_check_timeout: -1 }
`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^model_list\[1\]\.model_info\.health_check_timeout: /);
  });

  it('a model_list that is not a list names model_list', () => {
    const issues = issuesOf('model_list:\n  model_name: gpt\n  litellm_params: { model: gpt-4o }\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^model_list: .*array/);
  });

  it('reports every bad key at once', () => {
    const issues = issuesOf(`
model_list:
  - model_name: 42
    litellm_params: { model: gpt-4o }
    model_info: { health_check_timeout: -1 }
general_settings: { health_check_interval: soon }
`);
    expect(issues.map((i) => i.split(':')[0])).toEqual(expect.arrayContaining([
      'model_list[0].model_name',
      'model_list[0].model_info.health_check_timeout',
      'general_settings.health_check_interval',
    ]));
  });

  it('a YAML syntax error names its line', () => {
    const issues = issuesOf('model_list:\n  - model_name: a\n    litellm_params: model: gpt-4o\n  - model_name: b\n    litellm_params: { model: gpt-4o }\n');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatch(/^line 3: /);
  });

  it('a duplicate key loads as PyYAML loads it: the last one wins, with a warning naming both lines', () => {
    const config = load('model_list:\n  - model_name: a\n    litellm_params:\n      model: gpt-4o\n      model: gpt-4o-mini\n');
    expect(config.deployments[0]?.model).toBe('gpt-4o-mini');
    expect(config.warnings).toEqual([expect.stringMatching(/^line 5: duplicate key model \(also at line 4\): the last one is used/)]);
  });

  it('a duplicate top-level key replaces the whole section, as in LiteLLM', () => {
    const config = load('general_settings: { health_check_interval: 60 }\nmodel_list: []\ngeneral_settings: { health_check_details: false }\n');
    expect(config.settings).toMatchObject({ intervalS: 300, details: false });
    expect(config.warnings).toEqual([expect.stringMatching(/^line 3: duplicate key general_settings \(also at line 1\)/)]);
  });

  it('the duplicate-key warning never quotes a value (it may be a key)', () => {
    const config = load('model_list:\n  - model_name: a\n    litellm_params: { model: gpt-4o, api_key: sk-FIRST-SECRET-1234, api_key: sk-SECOND-SECRET-5678 }\n');
    expect(config.deployments[0]?.credentials.apiKey).toBe('sk-SECOND-SECRET-5678');
    expect(config.warnings.join('\n')).not.toMatch(/SECRET/);
  });

  it('refuses a YAML alias bomb ("billion laughs") quickly', () => {
    let bomb = 'l0: &l0 "lol"\n';
    for (let i = 1; i <= 9; i++) bomb += `l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]\n`;
    bomb += 'model_list: []\n';
    const started = performance.now();
    expect(() => load(bomb)).toThrow(ConfigError);
    // A loose guard, not a benchmark: expanding it would take minutes and gigabytes.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(issuesOf(bomb)).toEqual([expect.stringMatching(/^\(root\): .*alias/i)]);
  });

  it('a few ordinary aliases still load', () => {
    const config = load(`
x-params: &params { model: azure/gpt-4o, api_base: os.environ/AZURE_API_BASE, api_key: os.environ/AZURE_API_KEY }
model_list:
  - { model_name: a, litellm_params: *params }
  - { model_name: b, litellm_params: *params }
`);
    expect(config.deployments.map((d) => d.modelName)).toEqual(['a', 'b']);
  });

  it('an empty file loads with zero deployments and the defaults', () => {
    for (const text of ['', '\n', '# only a comment\n']) {
      const config = load(text);
      expect(config.deployments).toEqual([]);
      expect(config.settings.intervalS).toBe(300);
    }
  });

  it('a top-level list is a clear error, not a crash', () => {
    expect(issuesOf('- model_name: a\n  litellm_params: { model: gpt-4o }\n')).toEqual(['(root): expected a mapping with model_list']);
  });

  it('a top-level scalar is the same clear error', () => {
    expect(issuesOf('just some text\n')).toEqual(['(root): expected a mapping with model_list']);
  });

  it('the error message does not quote the offending line (it may hold a key)', () => {
    try {
      load('model_list:\n  - model_name: a\n    litellm_params: { model: gpt-4o, api_key: sk-SECRETSECRET123, [\n');
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).not.toContain('sk-SECRETSECRET123');
    }
  });
});

describe('Python-style values are accepted as LiteLLM accepts them', () => {
  it.each([
    ['True', 'False', true, false],
    ['False', 'True', false, true],
    ['"true"', '"false"', true, false],
    ['"False"', '"TRUE"', false, true],
    ['true', 'false', true, false],
  ])('background_health_checks: %s, health_check_details: %s', (bg, details, wantBg, wantDetails) => {
    const { settings } = single('', `background_health_checks: ${bg}\nhealth_check_details: ${details}`);
    expect(settings.backgroundHealthChecks).toBe(wantBg);
    expect(settings.details).toBe(wantDetails);
  });

  it('a numeric string health_check_interval is a number', () => {
    expect(single('', 'health_check_interval: "120"').settings.intervalS).toBe(120);
    expect(single('', "health_check_interval: ' 45 '").settings.intervalS).toBe(45);
  });

  it('a boolean-looking word that is not a boolean is still an error', () => {
    expect(issuesOf('general_settings: { background_health_checks: maybe }\n')).toEqual([
      expect.stringMatching(/^general_settings\.background_health_checks: /),
    ]);
  });
});

describe('YAML 1.1 scalars mean what they mean to PyYAML (LiteLLM reads its config with PyYAML)', () => {
  it.each([
    ['yes', true], ['No', false], ['on', true], ['OFF', false], ['y', 'y'], ['n', 'n'],
    ['3_00', 300], ['0755', 493], ['0x1F', 31], ['0b101', 5], ['1:30', 90], ['1:30.5', 90.5],
    ['09', '09'], ['1e3', '1e3'], ['1.0e5', '1.0e5'], ['1.5e+3', 1500], ['0o755', '0o755'],
    ['2024-02-01', '2024-02-01'], ['~', null], ['"yes"', 'yes'],
  ])('%s is %j', (written, expected) => {
    const config = load(`model_list:\n  - model_name: m\n    litellm_params: { model: gpt-4o, extra_value: ${written} }\n`);
    expect(config.raw.model_list[0]?.litellm_params.extra_value).toEqual(expected);
  });

  it('yes/no/on/off work for the booleans and 3_00 for the numbers the exporter reads', () => {
    const { settings, deployments } = single('health_check_timeout: 1_5\ndisable_background_health_check: yes', 'background_health_checks: on\nhealth_check_details: no\nhealth_check_interval: 3_00');
    expect(settings).toMatchObject({ backgroundHealthChecks: true, details: false, intervalS: 300 });
    expect(deployments[0]).toMatchObject({ timeoutMs: 15_000, backgroundDisabled: true });
  });

  it('model_name: off is a boolean to PyYAML too: the error says so and how to write it', () => {
    expect(issuesOf('model_list:\n  - model_name: off\n    litellm_params: { model: gpt-4o }\n')).toEqual([
      'model_list[0].model_name: expected a string, received a boolean (YAML 1.1, as LiteLLM reads it, takes yes/no/on/off for booleans: quote it)',
    ]);
    expect(load('model_list:\n  - model_name: "off"\n    litellm_params: { model: gpt-4o }\n').deployments[0]?.modelName).toBe('off');
  });

  it('an unquoted date api_version stays the text written (PyYAML\'s date prints the same)', () => {
    const config = load('model_list:\n  - model_name: m\n    litellm_params: { model: azure/gpt-4o, api_base: "https://x.openai.azure.com", api_key: k, api_version: 2024-02-01 }\n');
    expect(config.deployments[0]?.apiVersion).toBe('2024-02-01');
  });
});

describe('defaults and per-deployment overrides', () => {
  it('defaults: interval 300 s, details on, concurrency 16, timeout 60 s, max_tokens 16', () => {
    const config = single();
    expect(config.settings.intervalS).toBe(300);
    expect(config.settings.details).toBe(true);
    expect(config.settings.concurrency).toBe(16);
    expect(config.settings.backgroundHealthChecks).toBe(false);
    const [d] = config.deployments;
    expect(d?.timeoutMs).toBe(60_000);
    expect(d?.maxTokens).toBe(16);
    expect(d?.mode).toBe('chat');
    expect(d?.probeModel).toBe('openai/gpt-4o-mini');
    expect(d?.providerModel).toBe('gpt-4o-mini');
    expect(d?.checkParams).toEqual({});
  });

  it('general_settings override interval, details and concurrency', () => {
    const { settings } = single('', 'health_check_interval: 30\nhealth_check_details: false\nhealth_check_concurrency: 4');
    expect(settings).toMatchObject({ intervalS: 30, details: false, concurrency: 4 });
  });

  it('health_check_max_tokens overrides max_tokens', () => {
    expect(single('health_check_max_tokens: 1').deployments[0]?.maxTokens).toBe(1);
  });

  it('health_check_timeout overrides the timeout, in seconds (fractions too)', () => {
    expect(single('health_check_timeout: 5').deployments[0]?.timeoutMs).toBe(5000);
    expect(single('health_check_timeout: 2.5').deployments[0]?.timeoutMs).toBe(2500);
  });

  it('health_check_model changes the probed model; probeModel and providerModel follow it', () => {
    const [d] = single('health_check_model: openai/gpt-4.1-nano').deployments;
    expect(d?.model).toBe('openai/gpt-4o-mini');
    expect(d?.probeModel).toBe('openai/gpt-4.1-nano');
    expect(d?.providerModel).toBe('gpt-4.1-nano');
    expect(d?.provider).toBe('openai');
  });

  it('health_check_params are carried to the probe', () => {
    const [d] = single('health_check_params:\n  temperature: 0\n  user: health-check').deployments;
    expect(d?.checkParams).toEqual({ temperature: 0, user: 'health-check' });
  });
});

describe('llm-health-exporter --check-config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-health-config-validation-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function sink(): PassThrough & { text(): string } {
    const s = new PassThrough() as PassThrough & { text(): string };
    const chunks: string[] = [];
    s.on('data', (c: Buffer | string) => chunks.push(String(c)));
    s.text = () => chunks.join('');
    return s;
  }

  async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out = sink();
    const err = sink();
    const code = await main(argv, out, err);
    return { code, out: out.text(), err: err.text() };
  }

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('exits 0 on a valid file and prints the deployment count', async () => {
    const path = file('valid.yaml', `
model_list:
  - model_name: a
    litellm_params: { model: openai/gpt-4o, api_key: sk-test-check-config-0001 }
  - model_name: b
    litellm_params: { model: openai/gpt-4o-mini, api_key: sk-test-check-config-0001 }
  - model_name: c
    litellm_params: { model: anthropic/claude-3-5-haiku, api_key: sk-ant-check-config-0001 }
router_settings: { routing_strategy: simple-shuffle }
`);
    const { code, out, err } = await run(['--check-config', path]);
    expect(code).toBe(0);
    expect(out).toContain('3 deployment(s)');
    expect(err).toBe('');
  });

  it('exits 2 on an invalid file, naming the key, without a stack trace', async () => {
    const path = file('invalid.yaml', 'model_list:\n  - model_name: a\n    litellm_params: { api_base: "http://localhost:1" }\n');
    const { code, out, err } = await run(['--check-config', path]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('model_list[0].litellm_params.model: Required');
    expect(err).toContain(path);
    expect(err).not.toMatch(/^\s{4}at /m);
  });

  it('exits 2 with a clear message when the file does not exist', async () => {
    const path = join(dir, 'does-not-exist.yaml');
    const { code, err } = await run(['--check-config', path]);
    expect(code).toBe(2);
    expect(err).toContain(path);
    expect(err).toMatch(/cannot read: ENOENT/);
    expect(err).not.toMatch(/^\s{4}at /m);
  });
});
