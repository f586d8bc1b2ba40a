import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { parseConfig } from '../src/config/load.js';

function issuesOf(yaml: string): string[] {
  try {
    parseConfig(yaml, 'c.yaml', {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

const LITELLM_CONFIG = `
model_list:
  - model_name: azure-gpt
    litellm_params:
      model: azure/gpt-35-turbo
      api_base: os.environ/AZURE_API_BASE
      api_key: os.environ/AZURE_API_KEY
      api_version: "2023-07-01-preview"
      rpm: 100
      max_retries: 2
    model_info: { description: prod, base_model: azure/gpt-35-turbo }
  - model_name: azure-embedding-model
    litellm_params:
      model: azure/azure-embedding-model
      api_base: os.environ/AZURE_API_BASE
      api_key: os.environ/AZURE_API_KEY
      api_version: "2023-07-01-preview"
    model_info:
      mode: embedding
  - model_name: dall-e-3
    litellm_params: { model: azure/dall-e-3, api_base: os.environ/AZURE_API_BASE, api_key: os.environ/AZURE_API_KEY }
    model_info: { mode: image_generation }
  - model_name: whisper
    litellm_params: { model: whisper-1, api_key: os.environ/OPENAI_API_KEY }
    model_info: { mode: audio_transcription }
  - model_name: tts
    litellm_params: { model: openai/tts-1, api_key: "os.environ/OPENAI_API_KEY" }
    model_info: { mode: audio_speech }
  - model_name: "batch-gpt-4o-mini"
    litellm_params: { model: "azure/batch-gpt-4o-mini", api_key: os.environ/AZURE_API_KEY, api_base: os.environ/AZURE_API_BASE }
    model_info: { mode: batch }
litellm_settings:
  drop_params: True
  success_callback: ["langfuse"]
router_settings:
  routing_strategy: usage-based-routing-v2
  redis_host: os.environ/REDIS_HOST
environment_variables:
  FOO: bar
general_settings:
  master_key: sk-1234
  database_url: os.environ/DATABASE_URL
  background_health_checks: True
  health_check_interval: 300
  alerting: ["slack"]
`;

const ENV = { AZURE_API_BASE: 'https://res.openai.azure.com/', AZURE_API_KEY: 'az-key-1', OPENAI_API_KEY: 'sk-openai-1' };

describe('a LiteLLM config loads unchanged', () => {
  it('accepts keys it does not use and resolves every seed example', () => {
    const c = parseConfig(LITELLM_CONFIG, 'c.yaml', ENV);
    expect(c.deployments).toHaveLength(6);
    expect(c.settings).toMatchObject({ backgroundHealthChecks: true, intervalS: 300, masterKey: 'sk-1234', details: true, concurrency: 16 });
    const byName = Object.fromEntries(c.deployments.map((d) => [d.modelName, d]));
    expect(byName['azure-gpt']).toMatchObject({ provider: 'azure', providerModel: 'gpt-35-turbo', mode: 'chat', apiVersion: '2023-07-01-preview', apiBase: 'https://res.openai.azure.com/' });
    expect(byName['azure-embedding-model']!.mode).toBe('embedding');
    expect(byName['dall-e-3']!.mode).toBe('image_generation');
    expect(byName.whisper).toMatchObject({ provider: 'openai', providerModel: 'whisper-1', mode: 'audio_transcription' });
    expect(byName.tts).toMatchObject({ provider: 'openai', providerModel: 'tts-1', mode: 'audio_speech' });
    expect(byName['batch-gpt-4o-mini']!.mode).toBe('batch');
    expect(byName.tts!.credentials.apiKey).toBe('sk-openai-1');
  });

  it('applies the defaults: 60 s timeout, max_tokens 16, details on, interval 300, concurrency 16', () => {
    const c = parseConfig('model_list:\n  - model_name: m\n    litellm_params: { model: gpt-4o }\n', 'c.yaml', {});
    expect(c.settings).toMatchObject({ backgroundHealthChecks: false, intervalS: 300, details: true, concurrency: 16 });
    expect(c.deployments[0]).toMatchObject({ timeoutMs: 60_000, maxTokens: 16, mode: 'chat', probeModel: 'gpt-4o', provider: 'openai' });
  });

  it('honours the per-deployment health_check_* overrides', () => {
    const c = parseConfig(`
model_list:
  - model_name: m
    litellm_params: { model: openai/*, api_base: http://x/v1 }
    model_info:
      health_check_timeout: 2.5
      health_check_max_tokens: 1
      health_check_model: openai/gpt-4o-mini
      health_check_params: { temperature: 0 }
`, 'c.yaml', {});
    expect(c.deployments[0]).toMatchObject({ timeoutMs: 2500, maxTokens: 1, model: 'openai/*', probeModel: 'openai/gpt-4o-mini', providerModel: 'gpt-4o-mini', checkParams: { temperature: 0 } });
  });

  it('accepts Python-style booleans and numeric strings', () => {
    const c = parseConfig('general_settings: { background_health_checks: "true", health_check_details: False, health_check_interval: "60" }', 'c.yaml', {});
    expect(c.settings).toMatchObject({ backgroundHealthChecks: true, details: false, intervalS: 60 });
  });

  it('loads an empty file as zero deployments', () => {
    expect(parseConfig('', 'c.yaml', {}).deployments).toEqual([]);
    expect(parseConfig('# nothing\n', 'c.yaml', {}).deployments).toEqual([]);
  });
});

describe('an invalid config fails with messages that name the key', () => {
  it('names a missing model as model_list[2].litellm_params.model: Required', () => {
    const issues = issuesOf(`
model_list:
  - model_name: a
    litellm_params: { model: gpt-4o }
  - model_name: b
    litellm_params: { model: gpt-4o-mini }
  - model_name: c
    litellm_params: { api_base: http://x }
`);
    expect(issues).toEqual(['model_list[2].litellm_params.model: Required']);
  });

  it('names every wrong type at its path', () => {
    const issues = issuesOf(`
model_list:
  - model_name: 42
    litellm_params: { model: gpt-4o }
    model_info: { health_check_timeout: -1 }
general_settings:
  health_check_interval: soon
  health_check_concurrency: 0
`);
    expect(issues.map((i) => i.split(':')[0])).toEqual([
      'model_list[0].model_name',
      'model_list[0].model_info.health_check_timeout',
      'general_settings.health_check_interval',
      'general_settings.health_check_concurrency',
    ]);
  });

  it('rejects a model_list that is not a list, and a document that is not a mapping', () => {
    expect(issuesOf('model_list: {a: 1}')[0]).toMatch(/^model_list: /);
    expect(issuesOf('- a\n- b\n')[0]).toMatch(/^\(root\): expected a mapping/);
  });

  it('names the line of a YAML syntax error and refuses duplicate keys', () => {
    expect(issuesOf('model_list:\n  - model_name: [unclosed\n')[0]).toMatch(/^line \d+: /);
    expect(issuesOf('general_settings:\n  master_key: a\n  master_key: b\n')[0]).toMatch(/^line 3: .*[Uu]nique|duplicate/);
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    const issues = issuesOf(levels.join('\n'));
    expect(issues[0]).toMatch(/alias/i);
  });

  it('refuses to start without the master key the file asks for', () => {
    expect(issuesOf('general_settings: { master_key: os.environ/MISSING_MASTER }')).toEqual([
      'general_settings.master_key: environment variable MISSING_MASTER is not set',
    ]);
  });
});
