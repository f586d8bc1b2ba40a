import { describe, expect, it } from 'vitest';
import { parseConfig, type LoadedConfig } from '../src/config/load.js';

const ENV = { AZURE_API_KEY: 'azure-key-one-1111', AZURE_API_BASE: 'https://east.example.openai.azure.com/' };

function load(yaml: string, env: NodeJS.ProcessEnv = ENV): LoadedConfig {
  return parseConfig(yaml, 'config.yaml', env);
}

/** The id of the only deployment in `yaml`. */
function idOf(yaml: string, env: NodeJS.ProcessEnv = ENV): string {
  const { deployments } = load(yaml, env);
  expect(deployments).toHaveLength(1);
  return deployments[0]!.id;
}

const BASE = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o
      api_base: https://east.example.openai.azure.com/
      api_key: os.environ/AZURE_API_KEY
      api_version: "2024-08-01-preview"
      extra_headers: { X-Team: core, X-Env: prod }
`;

describe('model_info.id', () => {
  it('is the id when given', () => {
    expect(idOf(`${BASE}    model_info: { id: my-deployment-east }\n`)).toBe('my-deployment-east');
  });

  it('a numeric id becomes a string', () => {
    const id = idOf(`${BASE}    model_info: { id: 42 }\n`);
    expect(id).toBe('42');
    expect(typeof id).toBe('string');
  });

  it('is kept across different litellm_params', () => {
    const a = idOf(`${BASE}    model_info: { id: fixed }\n`);
    const b = idOf(`${BASE.replace('gpt-4o\n', 'gpt-4o-mini\n')}    model_info: { id: fixed }\n`);
    expect(a).toBe('fixed');
    expect(b).toBe('fixed');
  });
});

describe('the derived id (no model_info.id)', () => {
  it('is a 64-hex SHA-256', () => {
    expect(idOf(BASE)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same across two parses of the same config', () => {
    expect(idOf(BASE)).toBe(idOf(BASE));
  });

  it('does not depend on the order of keys in litellm_params (or nested maps)', () => {
    const reordered = `
model_list:
  - litellm_params:
      extra_headers: { X-Env: prod, X-Team: core }
      api_version: "2024-08-01-preview"
      api_key: os.environ/AZURE_API_KEY
      model: azure/gpt-4o
      api_base: https://east.example.openai.azure.com/
    model_name: gpt-4o
`;
    expect(idOf(reordered)).toBe(idOf(BASE));
  });

  it('does not depend on YAML style (flow vs block, quoting)', () => {
    const flow = `model_list: [{ model_name: "gpt-4o", litellm_params: { model: "azure/gpt-4o", api_base: "https://east.example.openai.azure.com/", api_key: "os.environ/AZURE_API_KEY", api_version: "2024-08-01-preview", extra_headers: { X-Team: core, X-Env: prod } } }]\n`;
    expect(idOf(flow)).toBe(idOf(BASE));
  });

  it('changes with api_base', () => {
    expect(idOf(BASE.replace('https://east.', 'https://west.'))).not.toBe(idOf(BASE));
  });

  it('changes with model', () => {
    expect(idOf(BASE.replace('model: azure/gpt-4o', 'model: azure/gpt-4o-mini'))).not.toBe(idOf(BASE));
  });

  it('changes with model_name', () => {
    expect(idOf(BASE.replace('model_name: gpt-4o', 'model_name: gpt-4o-prod'))).not.toBe(idOf(BASE));
  });

  it('changes with any other litellm_params value (api_version, extra headers)', () => {
    expect(idOf(BASE.replace('2024-08-01-preview', '2024-10-21'))).not.toBe(idOf(BASE));
    expect(idOf(BASE.replace('X-Env: prod', 'X-Env: staging'))).not.toBe(idOf(BASE));
  });

  it('does not change with model_info (it hashes model_name and litellm_params only)', () => {
    expect(idOf(`${BASE}    model_info: { mode: chat, description: east, health_check_timeout: 5 }\n`)).toBe(idOf(BASE));
  });

  it('hashes the os.environ/ reference, not the secret: a rotated key keeps the id', () => {
    const before = idOf(BASE, { AZURE_API_KEY: 'old-key-aaaa1111' });
    const after = idOf(BASE, { AZURE_API_KEY: 'new-key-bbbb2222' });
    const unset = idOf(BASE, {});
    expect(after).toBe(before);
    expect(unset).toBe(before);
  });

  it('changes when a different variable is referenced', () => {
    expect(idOf(BASE.replace('os.environ/AZURE_API_KEY', 'os.environ/AZURE_API_KEY_2'), { AZURE_API_KEY_2: ENV.AZURE_API_KEY })).not.toBe(idOf(BASE));
  });

  it('a literal key equal to the env value gives a different id than the reference', () => {
    const literal = BASE.replace('os.environ/AZURE_API_KEY', ENV.AZURE_API_KEY);
    expect(idOf(literal)).not.toBe(idOf(BASE));
  });
});

describe('duplicate ids', () => {
  const yaml = `
model_list:
  - model_name: primary
    litellm_params: { model: openai/gpt-4o, api_key: sk-first-0000000001 }
    model_info: { id: shared-id }
  - model_name: unrelated
    litellm_params: { model: openai/gpt-4o-mini, api_key: sk-other-0000000002 }
  - model_name: secondary
    litellm_params: { model: anthropic/claude-3-5-haiku, api_key: sk-ant-second-00003 }
    model_info: { id: shared-id }
`;

  it('keep one deployment, the first', () => {
    const { deployments } = load(yaml);
    expect(deployments.map((d) => d.modelName)).toEqual(['primary', 'unrelated']);
    const shared = deployments.filter((d) => d.id === 'shared-id');
    expect(shared).toHaveLength(1);
    expect(shared[0]?.model).toBe('openai/gpt-4o');
  });

  it('warn once, naming both entries', () => {
    const { warnings } = load(yaml);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('secondary');
    expect(warnings[0]).toContain('primary');
    expect(warnings[0]).toContain('model_list[2]');
  });

  it('two identical entries without ids derive the same id and are probed once', () => {
    const entry = '  - model_name: same\n    litellm_params: { model: openai/gpt-4o, api_key: os.environ/OPENAI_API_KEY }\n';
    const config = load(`model_list:\n${entry}${entry}`, { OPENAI_API_KEY: 'sk-test-00000001' });
    expect(config.deployments).toHaveLength(1);
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]).toContain('model_list[1]');
  });

  it('distinct ids are all kept, in file order, without warnings', () => {
    const config = load(yaml.replace(/shared-id \}\n$/, 'other-id }\n'));
    expect(config.deployments.map((d) => d.id)).toEqual(['shared-id', expect.stringMatching(/^[0-9a-f]{64}$/), 'other-id']);
    expect(config.warnings).toEqual([]);
  });
});

/**
 * Issue 16, item 9: the id was a SHA-256 over the literal key and is published on open /metrics;
 * `api_key: summer2024` was recovered from the labels in 192 guesses. No secret feeds it now.
 */
describe('no secret feeds the derived id', () => {
  const literal = (key: string) => `model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o, api_base: "https://gw.example/v1", api_key: ${key} }\n`;

  it('ids of entries without a literal secret are what they were (no renaming on upgrade)', () => {
    // The value the previous release derived for BASE (env reference, plain headers).
    expect(idOf(BASE)).toBe('73dbe4fef57eb4261a1d9b97db0fe0067fd2f42da73f4b6d64fa6291693f7020');
  });

  it('a literal api_key does not change the id, whatever its value', () => {
    expect(idOf(literal('summer2024'))).toBe(idOf(literal('winter2025')));
    expect(idOf(literal('summer2024'))).toBe(idOf(literal('sk-completely-different-0001')));
  });

  it('nor do literal credentials in other fields, credential headers or the api_base user info and query', () => {
    const entry = (secret: string) => `model_list:\n  - model_name: m\n    litellm_params:\n      model: azure/gpt-4o\n      api_base: "https://u:${secret}@gw.example/v1?key=${secret}"\n      azure_ad_token: ${secret}\n      aws_secret_access_key: ${secret}\n      extra_headers: { Authorization: "Bearer ${secret}", X-Api-Key: ${secret}, X-Team: core }\n`;
    expect(idOf(entry('summer2024'))).toBe(idOf(entry('autumn2023')));
    // Plain headers are config, as before: they still tell deployments apart.
    expect(idOf(entry('summer2024').replace('X-Team: core', 'X-Team: edge'))).not.toBe(idOf(entry('summer2024')));
  });

  it('two entries that differ only in their literal keys stay two deployments, with distinct ids', () => {
    const two = `model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o, api_key: sk-team-a-0001 }\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o, api_key: sk-team-b-0002 }\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o, api_key: sk-team-a-0001 }\n`;
    const { deployments, warnings } = load(two);
    expect(deployments).toHaveLength(2);
    const [a, b] = deployments;
    expect(b!.id).toBe(`${a!.id}-2`);
    expect(deployments.map((d) => d.credentials.apiKey)).toEqual(['sk-team-a-0001', 'sk-team-b-0002']);
    // The third repeats the first exactly: the same deployment, probed once.
    expect(warnings).toEqual([expect.stringContaining('model_list[2]')]);
  });
});
