import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { parseConfig } from '../src/config/load.js';
import { builtinModelTable } from '../src/config/model-table.js';
import { deploymentOf } from './providers/probe-once.js';

/**
 * Mode, provider and reasoning support are decided as LiteLLM decides them: model_info.mode,
 * then LiteLLM's model table (a compact copy derived by scripts/update-model-table.mjs), then
 * the name's patterns. Spot checks on well-known models, the generator's determinism, and a
 * newer table named by general_settings.model_table or LLM_HEALTH_MODEL_TABLE.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const COMMITTED = join(ROOT, 'src/config/model-table.json');
const REFERENCE = join(ROOT, '../shared/reference/model-table/litellm-model-prices.json');
const run = promisify(execFile);

const kind = (model: string, modelInfo = '{}') => {
  const d = deploymentOf(`{ model: "${model}" }`, modelInfo);
  return { provider: d.provider, mode: d.mode, reasoning: d.reasoning };
};

describe('mode, provider and reasoning of well-known models', () => {
  it.each([
    // [model, provider, mode, reasoning]: table facts
    ['gpt-4o', 'openai', 'chat', false],
    ['gpt-3.5-turbo-instruct', 'text-completion-openai', 'completion', false],
    ['babbage-002', 'text-completion-openai', 'completion', false],
    ['text-embedding-ada-002', 'openai', 'embedding', false],
    ['whisper-1', 'openai', 'audio_transcription', false],
    ['tts-1', 'openai', 'audio_speech', false],
    ['omni-moderation-latest', 'openai', 'moderation', false],
    ['o1', 'openai', 'chat', true],
    ['gpt-5', 'openai', 'chat', true],
    ['o1-pro', 'openai', 'responses', true],
    ['claude-3-7-sonnet-20250219', 'anthropic', 'chat', true],
    ['claude-3-5-haiku-20241022', 'anthropic', 'chat', false],
    ['amazon.titan-embed-text-v1', 'bedrock', 'embedding', false],
    ['rerank-english-v3.0', 'cohere', 'rerank', false],
    ['voyage-3', 'openai', 'embedding', false], // voyage/voyage-3: the mode, not the provider (LiteLLM routes only table keys as written)
    ['voyage/voyage-3', 'voyage', 'embedding', false],
    ['dall-e-3', 'openai', 'image_generation', false],
    // prefixed: the prefix names the provider, the table the rest
    ['bedrock/amazon.titan-embed-text-v2:0', 'bedrock', 'embedding', false],
    ['azure/gpt-35-turbo-instruct', 'azure', 'completion', false],
    ['gemini/gemini-2.5-flash', 'gemini', 'chat', true],
    ['openai/o3-mini', 'openai', 'chat', true],
    ['xai/grok-3-mini', 'xai', 'chat', true],
    // not in this table: the name's patterns
    ['sora-2', 'openai', 'video_generation', false],
    ['mistral/mistral-ocr-latest', 'mistral', 'ocr', false],
    ['o1-mini', 'openai', 'chat', true],
    ['openai/my-finetune', 'openai', 'chat', false],
  ] as const)('%s: %s, %s, reasoning %s', (model, provider, mode, reasoning) => {
    expect(kind(model)).toEqual({ provider, mode, reasoning });
  });

  it('the table files realtime models under chat; their name keeps them realtime (websocket only)', () => {
    expect(builtinModelTable().lookup(undefined, 'gpt-4o-realtime-preview')?.mode).toBe('chat');
    expect(kind('gpt-4o-realtime-preview').mode).toBe('realtime');
  });

  it('model_info.mode wins over the table, and the table over the name', () => {
    expect(kind('text-embedding-3-small', '{ mode: chat }').mode).toBe('chat');
    // The name's patterns say chat (no pattern matches); the table says completion.
    expect(kind('davinci-002').mode).toBe('completion');
    // The name's patterns say audio_speech ("tts"); the table says chat: the table wins.
    expect(builtinModelTable().lookup(undefined, 'gemini-2.5-pro-preview-tts')?.mode).toBe('chat');
    expect(kind('gemini-2.5-pro-preview-tts').mode).toBe('chat');
  });

  it('model_info.base_model names the model of an Azure deployment with its own name', () => {
    expect(kind('azure/prod-primary')).toEqual({ provider: 'azure', mode: 'chat', reasoning: false });
    expect(kind('azure/prod-primary', '{ base_model: azure/o1 }')).toEqual({ provider: 'azure', mode: 'chat', reasoning: true });
    expect(kind('azure/prod-embedder', '{ base_model: text-embedding-3-large }').mode).toBe('embedding');
    expect(kind('azure/my-o3-mini', '{ base_model: azure/o3-mini }')).toEqual({ provider: 'azure', mode: 'chat', reasoning: true });
  });

  it('base_model is asked first (its table entry, then the name\'s, then the patterns of both)', () => {
    // The table knows azure/gpt-4o (no reasoning); the deployment says it serves an o1.
    expect(kind('azure/gpt-4o', '{ base_model: azure/o1 }').reasoning).toBe(true);
    // A base_model the table does not know: its name's patterns (o1-mini), then the probed name's.
    expect(kind('azure/prod-x', '{ base_model: azure/o1-mini-2099 }').reasoning).toBe(true);
    expect(kind('azure/o3-mini', '{ base_model: my-own-name }').reasoning).toBe(true);
    // …and the table's word against reasoning counts too.
    expect(kind('azure/o3-mini', '{ base_model: azure/gpt-4o }').reasoning).toBe(false);
    // litellm_params.base_model, where model_info says none.
    const d = deploymentOf('{ model: azure/prod-y, base_model: azure/o3-mini }');
    expect(d.reasoning).toBe(true);
  });

  it('custom_llm_provider names the provider of a bare name; a name under two providers names neither', () => {
    expect(deploymentOf('{ model: claude-3-haiku-20240307, custom_llm_provider: openrouter }').provider).toBe('openrouter');
    // mistral/mistral-small and azure_ai/mistral-small: a bare "mistral-small" stays OpenAI's.
    expect(kind('mistral-small').provider).toBe('openai');
  });

  it('a bare name the table files under a provider the exporter does not know reports that provider', () => {
    expect(kind('gemini-1.5-pro').provider).toBe('vertex_ai');
  });

  it('a name found only under a prefix (a gateway\'s aiml/dall-e-3, voyage/voyage-3) gives its mode, never its provider', () => {
    expect(builtinModelTable().lookup(undefined, 'dall-e-3')?.key).toBe('aiml/dall-e-3');
    expect(kind('dall-e-3')).toEqual({ provider: 'openai', mode: 'image_generation', reasoning: false });
  });
});

describe('the model table generator (npm run update-model-table)', () => {
  it('regenerates the committed table from itself byte for byte (deterministic, a fixed point)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'model-table-')), 'table.json');
    await run(process.execPath, [join(ROOT, 'scripts/update-model-table.mjs'), '--input', COMMITTED, '--output', out]);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('derives the compact table from LiteLLM\'s full format, dropping the fields it does not read', async () => {
    // Entries as LiteLLM's model_prices_and_context_window.json writes them (the reference file
    // in ../shared is not part of a clone, so the sample is written here).
    const dir = mkdtempSync(join(tmpdir(), 'model-table-'));
    const full = {
      sample_spec: { max_tokens: 'LEGACY parameter', litellm_provider: 'one of https://docs.litellm.ai/docs/providers', mode: 'one of chat, embedding, …' },
      'gpt-4o': { max_tokens: 16384, max_input_tokens: 128000, max_output_tokens: 16384, input_cost_per_token: 0.0000025, output_cost_per_token: 0.00001, litellm_provider: 'openai', mode: 'chat', supports_function_calling: true, supports_vision: true },
      'o3-mini': { max_tokens: 100000, input_cost_per_token: 0.0000011, output_cost_per_token: 0.0000044, litellm_provider: 'openai', mode: 'chat', supports_reasoning: true },
      'text-embedding-3-small': { max_tokens: 8191, input_cost_per_token: 2e-8, output_cost_per_token: 0, litellm_provider: 'openai', mode: 'embedding', output_vector_size: 1536 },
    };
    writeFileSync(join(dir, 'full.json'), JSON.stringify(full));
    const out = join(dir, 'table.json');
    await run(process.execPath, [join(ROOT, 'scripts/update-model-table.mjs'), '--input', join(dir, 'full.json'), '--output', out]);
    const table = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(table).filter((k) => !k.startsWith('_')).sort()).toEqual(['gpt-4o', 'o3-mini', 'text-embedding-3-small']);
    expect(table['gpt-4o']).toEqual({ mode: 'chat', litellm_provider: 'openai', input_cost_per_token: 0.0000025, output_cost_per_token: 0.00001 });
    expect(table['o3-mini']).toMatchObject({ supports_reasoning: true });
    expect(table['text-embedding-3-small']).toEqual({ mode: 'embedding', litellm_provider: 'openai', input_cost_per_token: 2e-8, output_cost_per_token: 0 });
    // Where the reference file is present (a development checkout), the committed table is its output.
    if (existsSync(REFERENCE)) {
      const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/update-model-table.mjs'), '--input', REFERENCE, '--check']);
      expect(stdout).toMatch(/up to date \(1701 models\)/);
    }
  });

  it('keeps only the fields the exporter reads, and carries the MIT notice', () => {
    const table = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Record<string, unknown>;
    expect(table._notice).toMatch(/MIT License, Copyright \(c\) 2023 Berri AI/);
    expect(readFileSync(join(ROOT, 'src/config/model-table.LICENSE'), 'utf8')).toMatch(/MIT License\n\nCopyright \(c\) 2023 Berri AI/);
    expect(table['gpt-4o']).toEqual({ mode: 'chat', litellm_provider: 'openai', input_cost_per_token: 0.0000025, output_cost_per_token: 0.00001 });
    expect(table['dall-e-3']).toBeUndefined();
    expect(table['standard/1024-x-1024/dall-e-3']).toEqual({ mode: 'image_generation', litellm_provider: 'openai', input_cost_per_pixel: 3.81469e-8, output_cost_per_pixel: 0 });
    expect(builtinModelTable().size).toBe(1701);
  });

  it('fails --check when the committed file differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-table-'));
    writeFileSync(join(dir, 'stale.json'), '{}\n');
    await expect(run(process.execPath, [join(ROOT, 'scripts/update-model-table.mjs'), '--input', COMMITTED, '--output', join(dir, 'stale.json'), '--check']))
      .rejects.toMatchObject({ code: 1 });
  });
});

describe('a newer or private model table laid over the built-in one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-table-'));
  writeFileSync(join(dir, 'newer.json'), JSON.stringify({
    sample_spec: { mode: 'one of: chat, embedding, …', litellm_provider: 'one of https://docs.litellm.ai/docs/providers' },
    'sora-2': { mode: 'video_generation', litellm_provider: 'openai' },
    'acme-v1': { mode: 'embedding', litellm_provider: 'hosted_vllm' },
    'gpt-4o': { mode: 'responses', litellm_provider: 'openai', supports_reasoning: true },
  }));
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ 'acme-v1': { mode: 'rerank', litellm_provider: 'cohere' } }));
  const config = (general: string) => `model_list:
  - { model_name: a, litellm_params: { model: acme-v1, api_base: "http://127.0.0.1:9/v1" } }
  - { model_name: b, litellm_params: { model: gpt-4o } }
  - { model_name: c, litellm_params: { model: babbage-002 } }
${general}`;
  const kinds = (text: string, env: NodeJS.ProcessEnv = {}) =>
    parseConfig(text, join(dir, 'config.yaml'), env).deployments.map((d) => `${d.provider} ${d.mode}${d.reasoning ? ' reasoning' : ''}`);

  it('general_settings.model_table (relative to the config file): its models win, the built-in table fills the rest', () => {
    expect(kinds(config('general_settings: { model_table: newer.json }'))).toEqual(['hosted_vllm embedding', 'openai responses reasoning', 'text-completion-openai completion']);
  });

  it('LLM_HEALTH_MODEL_TABLE does the same; the config key wins over it', () => {
    expect(kinds(config(''), { LLM_HEALTH_MODEL_TABLE: join(dir, 'other.json') })[0]).toBe('cohere rerank');
    expect(kinds(config('general_settings: { model_table: newer.json }'), { LLM_HEALTH_MODEL_TABLE: join(dir, 'other.json') })[0]).toBe('hosted_vllm embedding');
    expect(kinds(config(''))[0]).toBe('openai chat');
    // An empty key (YAML null) is a key not written: the variable applies.
    expect(kinds(config('general_settings: { model_table: }'), { LLM_HEALTH_MODEL_TABLE: join(dir, 'other.json') })[0]).toBe('cohere rerank');
  });

  it('a table that cannot be used is a config error naming the key or the variable', () => {
    writeFileSync(join(dir, 'broken.json'), '{"gpt-4o": ');
    writeFileSync(join(dir, 'list.json'), '[]');
    const issues = (text: string, env: NodeJS.ProcessEnv = {}) => {
      try {
        parseConfig(text, join(dir, 'config.yaml'), env);
      } catch (err) {
        return (err as ConfigError).issues;
      }
      return [];
    };
    expect(issues(config('general_settings: { model_table: missing.json }'))).toEqual([`general_settings.model_table: cannot use ${join(dir, 'missing.json')}: ENOENT`]);
    expect(issues(config('general_settings: { model_table: broken.json }'))).toEqual([`general_settings.model_table: cannot use ${join(dir, 'broken.json')}: not valid JSON`]);
    expect(issues(config(''), { LLM_HEALTH_MODEL_TABLE: join(dir, 'list.json') })[0]).toMatch(/^LLM_HEALTH_MODEL_TABLE: .*list\.json is not a model table/);
    expect(issues(config('general_settings: { model_table: os.environ/NO_SUCH_TABLE }'))).toEqual(['general_settings.model_table: environment variable NO_SUCH_TABLE is not set']);
  });
});
