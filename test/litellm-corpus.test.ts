import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { checkConfigCommand } from '../src/cli/check-config.js';
import { createLogger } from '../src/cli/logger.js';
import { loadConfigFile, type LoadedConfig } from '../src/config/load.js';
import type { HealthReport } from '../src/views/health-report.js';
import { capture } from './support/capture.js';
import { startFakeAnthropic } from './support/fake-anthropic.js';
import type { FakeServer } from './support/fake-server.js';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from './support/fake-upstream.js';

/**
 * A corpus of LiteLLM-style configs (test/fixtures/litellm-corpus/: include files, empty keys,
 * a duplicate key, YAML 1.1 scalars, strategy routers, LiteLLM settings the exporter ignores)
 * loads, and one `--once` round sends each deployment to the endpoint LiteLLM would call, with
 * the credentials LiteLLM would use: the ones written, or the provider's variables for an empty
 * key. Routers send nothing; they are graded from what they route to.
 */
const CORPUS = fileURLToPath(new URL('./fixtures/litellm-corpus/proxy_config.yaml', import.meta.url));

let openai: FakeUpstream;
let anthropic: FakeServer;
let env: NodeJS.ProcessEnv;
let config: LoadedConfig;
let report: HealthReport;

beforeAll(async () => {
  openai = await startFakeUpstream();
  anthropic = await startFakeAnthropic({ apiKey: 'sk-ant-corpus' });
  env = {
    OPENAI_API_KEY: 'sk-corpus-openai', OPENAI_API_BASE: openai.openaiBase,
    AZURE_API_BASE: openai.url, AZURE_API_KEY: 'az-corpus-key', AZURE_API_VERSION: '2024-06-01',
    ANTHROPIC_API_KEY: 'sk-ant-corpus', FAKE_ANTHROPIC_BASE: anthropic.url,
    VLLM_API_BASE: openai.openaiBase, LITELLM_MASTER_KEY: 'sk-master-corpus',
  };
  config = await loadConfigFile(CORPUS, env);
  const logger = createLogger('warn', new Writable({ write(_c, _e, cb) { cb(); } }));
  const app = await App.create({ config, logger, env });
  try {
    report = await app.once();
  } finally {
    await app.close();
  }
});
afterAll(async () => {
  await openai?.close();
  await anthropic?.close();
});

const entries = () => [...report.healthy_endpoints, ...report.unhealthy_endpoints, ...report.pending_endpoints] as Array<Record<string, any>>;
const entryOf = (name: string) => entries().find((e) => e.model_name === name);
/** The one request the fake OpenAI/Azure upstream got for a model (OpenAI: body.model; Azure: the deployment). */
function requestFor(model: string): RecordedRequest {
  const found = openai.requests.filter((r) => r.model === model);
  expect({ model, requests: found.length }).toEqual({ model, requests: 1 });
  return found[0]!;
}

describe('a LiteLLM config split over included files', () => {
  it('loads every deployment of every file, the config\'s own first, then each include in order (nested ones inside theirs)', () => {
    expect(config.deployments.map((d) => d.modelName)).toEqual([
      'claude-3-5-sonnet', 'smart-router', 'adaptive-router',
      'gpt-4o-mini', 'text-embedding-3-small', 'gpt-3.5-turbo-instruct', 'llama-3.1-8b', 'omni-moderation',
      'azure-gpt-4o', 'azure-embedding',
    ]);
    expect(config.files.map((f) => f.slice(f.indexOf('litellm-corpus/') + 'litellm-corpus/'.length))).toEqual([
      'proxy_config.yaml', 'models/openai.yaml', 'shared/self-hosted.yaml', 'models/azure.yaml',
    ]);
  });

  it('reads YAML 1.1 as PyYAML does: on/yes are true, 5:00 is 300, 0x20 is 32, 1_5 is 15', () => {
    expect(config.settings).toMatchObject({ backgroundHealthChecks: true, intervalS: 300, details: true, masterKey: 'sk-master-corpus' });
    expect(config.deployments.find((d) => d.modelName === 'claude-3-5-sonnet')).toMatchObject({ maxTokens: 32, timeoutMs: 15_000 });
    expect(config.deployments.find((d) => d.modelName === 'azure-embedding')?.backgroundDisabled).toBe(true);
  });

  it('warns about the duplicate key, naming the file and both lines, and about nothing else', () => {
    expect(config.warnings).toEqual(['models/azure.yaml: line 8: duplicate key api_version (also at line 7): the last one is used, as LiteLLM (PyYAML) does']);
  });

  it('--check-config accepts it: exit 0, the duplicate key its only warning', async () => {
    const out = capture();
    const err = capture();
    expect(await checkConfigCommand(CORPUS, { strict: false, pluginDirs: [], env }, out, err)).toBe(0);
    expect(out.text()).toBe(`config ok: 10 deployment(s) in ${CORPUS}\nwarning: ${config.warnings[0]}\n`);
    expect(err.text()).toBe('');
  });
});

describe('--once sends each deployment where LiteLLM would', () => {
  it('OpenAI chat, with both empty keys filled from OPENAI_API_KEY / OPENAI_API_BASE', () => {
    const r = requestFor('gpt-4o-mini');
    expect({ method: r.method, path: r.path, auth: r.headers.authorization, max_tokens: r.body.max_tokens }).toEqual({ method: 'POST', path: '/v1/chat/completions', auth: 'Bearer sk-corpus-openai', max_tokens: 16 });
  });

  it('OpenAI embeddings, without max_tokens', () => {
    const r = requestFor('text-embedding-3-small');
    expect({ path: r.path, max_tokens: r.body.max_tokens, input: Array.isArray(r.body.input) }).toEqual({ path: '/v1/embeddings', max_tokens: undefined, input: true });
  });

  it('text-completion-openai in completion mode: the legacy /completions endpoint', () => {
    expect(requestFor('gpt-3.5-turbo-instruct').path).toBe('/v1/completions');
  });

  it('a self-hosted vLLM (hosted_vllm/, from the nested include) at its api_base, model without the prefix', () => {
    const r = requestFor('meta-llama/Llama-3.1-8B-Instruct');
    expect(r.path).toBe('/v1/chat/completions');
  });

  it('a moderation model on /moderations', () => {
    expect(requestFor('omni-moderation-latest').path).toBe('/v1/moderations');
  });

  it('Azure chat with the api_version written last (the duplicate key), and its api-key header', () => {
    const r = requestFor('gpt-4o-prod');
    expect({ dialect: r.dialect, path: r.path, version: r.query['api-version'], key: r.headers['api-key'] }).toEqual({ dialect: 'azure', path: '/openai/deployments/gpt-4o-prod/chat/completions', version: '2024-10-21', key: 'az-corpus-key' });
  });

  it('Azure embeddings with the empty api_key and api_version filled from AZURE_API_KEY / AZURE_API_VERSION', () => {
    const r = requestFor('text-embedding-ada-002');
    expect({ path: r.path, version: r.query['api-version'], key: r.headers['api-key'] }).toEqual({ path: '/openai/deployments/text-embedding-ada-002/embeddings', version: '2024-06-01', key: 'az-corpus-key' });
  });

  it('Anthropic Messages with the empty api_key filled from ANTHROPIC_API_KEY, max_tokens 0x20', () => {
    expect(anthropic.requests).toHaveLength(1);
    const r = anthropic.requests[0]!;
    expect({ path: r.path, key: r.headers['x-api-key'], model: r.body.model, max_tokens: r.body.max_tokens }).toEqual({ path: '/v1/messages', key: 'sk-ant-corpus', model: 'claude-3-5-sonnet-20241022', max_tokens: 32 });
  });

  it('the strategy routers send nothing, and are healthy through the groups they route to', () => {
    expect(openai.requests.length + anthropic.requests.length).toBe(8);
    expect([...openai.requests, ...anthropic.requests].some((r) => JSON.stringify(r.body ?? {}).includes('router'))).toBe(false);
    expect(entryOf('smart-router')).toMatchObject({ model: 'auto_router/complexity_router', details: { strategy_router: 'complexity', routes_to: 'gpt-4o-mini, claude-3-5-sonnet', healthy_via: 'gpt-4o-mini, claude-3-5-sonnet' } });
    expect(entryOf('adaptive-router')).toMatchObject({ details: { strategy_router: 'adaptive', routes_to: 'azure-gpt-4o, claude-3-5-sonnet', healthy_via: 'azure-gpt-4o, claude-3-5-sonnet' } });
  });

  it('every deployment is healthy: the round is a clean bill of health', () => {
    expect({ healthy: report.healthy_count, unhealthy: report.unhealthy_endpoints, pending: report.pending_count }).toEqual({ healthy: 10, unhealthy: [], pending: 0 });
  });
});
