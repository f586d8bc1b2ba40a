import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigError } from '../src/config/errors.js';
import { parseConfig } from '../src/config/load.js';
import { startExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { deploymentOf } from './providers/probe-once.js';

/**
 * LiteLLM's health-check environment variables mean what they mean to LiteLLM, and the keys of
 * the file win over them: DEFAULT_HEALTH_CHECK_PROMPT, BACKGROUND_HEALTH_CHECK_MAX_TOKENS,
 * BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING, HEALTH_CHECK_TIMEOUT_SECONDS. Checked on what
 * arrives at the upstream.
 */
const KEY = 'sk-env-knobs-0001';
let up: FakeUpstream;
beforeAll(async () => { up = await startFakeUpstream({ apiKey: KEY }); });
afterAll(async () => { await up.close(); });
beforeEach(() => up.reset());

/** Probes the entries once; returns the chat-style bodies that arrived, by model, and the entries. */
async function probe(entries: Array<[model: string, modelInfo?: string]>, env: NodeJS.ProcessEnv, general = '') {
  const yaml = `model_list:\n${entries.map(([model, info], i) => `  - model_name: m${i}
    litellm_params: { model: "openai/${model}", api_base: "${up.openaiBase}", api_key: ${KEY} }
    model_info: ${info ?? '{}'}`).join('\n')}\n${general}`;
  const ex = await startExporter(yaml, { listen: false, env });
  try {
    const report = await ex.app.once();
    const bodies = Object.fromEntries(up.requests.map((r) => [r.model!, r.body]));
    return { bodies, entries: [...report.healthy_endpoints, ...report.unhealthy_endpoints] };
  } finally {
    await ex.close();
  }
}

describe('DEFAULT_HEALTH_CHECK_PROMPT', () => {
  it('is the probe prompt; general_settings.health_check_prompt wins over it', async () => {
    const env = { DEFAULT_HEALTH_CHECK_PROMPT: 'test from litellm' };
    expect((await probe([['gpt-4o']], env)).bodies['gpt-4o'].messages).toEqual([{ role: 'user', content: 'test from litellm' }]);
    up.reset();
    expect((await probe([['gpt-4o']], env, 'general_settings: { health_check_prompt: "say ok" }')).bodies['gpt-4o'].messages[0].content).toBe('say ok');
    up.reset();
    expect((await probe([['gpt-4o']], {})).bodies['gpt-4o'].messages[0].content).toBe('ping');
  });
});

describe('BACKGROUND_HEALTH_CHECK_MAX_TOKENS and _REASONING', () => {
  // gpt-4o is not a reasoning model, o1 is (the model table): OpenAI wants max_completion_tokens of o1.
  const tokens = (bodies: Record<string, any>) => ({ 'gpt-4o': bodies['gpt-4o'].max_tokens, o1: bodies.o1.max_completion_tokens });

  it('the global value applies to every model; the reasoning value, when set, to reasoning models', async () => {
    expect(tokens((await probe([['gpt-4o'], ['o1']], { BACKGROUND_HEALTH_CHECK_MAX_TOKENS: '10' })).bodies)).toEqual({ 'gpt-4o': 10, o1: 10 });
    up.reset();
    expect(tokens((await probe([['gpt-4o'], ['o1']], { BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING: '50' })).bodies)).toEqual({ 'gpt-4o': 16, o1: 50 });
    up.reset();
    expect(tokens((await probe([['gpt-4o'], ['o1']], { BACKGROUND_HEALTH_CHECK_MAX_TOKENS: '10', BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING: '20' })).bodies)).toEqual({ 'gpt-4o': 10, o1: 20 });
  });

  it('model_info keys win over both', async () => {
    const env = { BACKGROUND_HEALTH_CHECK_MAX_TOKENS: '10', BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING: '20' };
    const { bodies } = await probe([
      ['gpt-4o', '{ health_check_max_tokens: 5 }'],
      ['o1', '{ health_check_max_tokens_reasoning: 64, health_check_max_tokens_non_reasoning: 2 }'],
    ], env);
    expect(tokens(bodies)).toEqual({ 'gpt-4o': 5, o1: 64 });
  });

  it('modes that take no max_tokens still get none', async () => {
    const { bodies } = await probe([['text-embedding-3-small']], { BACKGROUND_HEALTH_CHECK_MAX_TOKENS: '10' });
    expect(bodies['text-embedding-3-small']).toEqual({ model: 'text-embedding-3-small', input: ['ping'] });
  });

  it('a wildcard route gets the global value only (as in LiteLLM), and none without it', () => {
    const wildcard = (env: NodeJS.ProcessEnv) => deploymentOf('{ model: "openai/*" }', '{ health_check_probe: generate }', env).maxTokens;
    expect(wildcard({ BACKGROUND_HEALTH_CHECK_MAX_TOKENS: '15' })).toBe(15);
    expect(wildcard({ BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING: '50' })).toBeUndefined();
    expect(wildcard({})).toBeUndefined();
  });
});

describe('HEALTH_CHECK_TIMEOUT_SECONDS', () => {
  it('is every deployment\'s timeout unless model_info.health_check_timeout says otherwise', () => {
    const env = { HEALTH_CHECK_TIMEOUT_SECONDS: '7' };
    expect(deploymentOf('{ model: gpt-4o }', '{}', env).timeoutMs).toBe(7000);
    expect(deploymentOf('{ model: gpt-4o }', '{ health_check_timeout: 3 }', env).timeoutMs).toBe(3000);
    expect(deploymentOf('{ model: gpt-4o }', '{}', {}).timeoutMs).toBe(60_000);
  });

  it('ends a probe that hangs with LiteLLM\'s "Timeout exceeded"', async () => {
    const { entries } = await probe([['hang']], { HEALTH_CHECK_TIMEOUT_SECONDS: '1' });
    expect(entries[0]).toMatchObject({ error: 'Timeout exceeded', error_type: 'timeout', exception_status: 408 });
  });
});

describe('values that cannot be used', () => {
  const issues = (env: NodeJS.ProcessEnv) => {
    try {
      parseConfig('model_list: [{ model_name: a, litellm_params: { model: gpt-4o } }]\n', 'config.yaml', env);
    } catch (err) {
      return (err as ConfigError).issues;
    }
    return [];
  };

  it('are config errors naming the variable (without quoting its value)', () => {
    expect(issues({
      BACKGROUND_HEALTH_CHECK_MAX_TOKENS: 'lots',
      BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING: '0',
      HEALTH_CHECK_TIMEOUT_SECONDS: '-5',
      DEFAULT_HEALTH_CHECK_PROMPT: 'x'.repeat(2001),
    })).toEqual([
      'BACKGROUND_HEALTH_CHECK_MAX_TOKENS: expected a whole number of tokens from 1 to 1000000',
      'BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING: expected a whole number of tokens from 1 to 1000000',
      'HEALTH_CHECK_TIMEOUT_SECONDS: expected seconds, more than 0 and at most 604800',
      'DEFAULT_HEALTH_CHECK_PROMPT: at most 2000 characters',
    ]);
  });

  it('empty or blank means unset, as LiteLLM reads them', () => {
    expect(issues({ BACKGROUND_HEALTH_CHECK_MAX_TOKENS: ' ', HEALTH_CHECK_TIMEOUT_SECONDS: '', DEFAULT_HEALTH_CHECK_PROMPT: '' })).toEqual([]);
    expect(deploymentOf('{ model: gpt-4o }', '{}', { BACKGROUND_HEALTH_CHECK_MAX_TOKENS: ' ' }).maxTokens).toBe(16);
  });
});
