import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_PARAM_KEYS } from '../src/config/deployment.js';
import { startExporter } from './support/exporter.js';
import { startFakeAnthropic } from './support/fake-anthropic.js';
import { startFakeBedrock } from './support/fake-bedrock.js';
import type { FakeServer } from './support/fake-server.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

/** A distinct canary in every secret field a deployment can hold. */
const C = {
  api_key: 'sk-CANARY-openai-apikey-01',
  azure_api_key: 'CANARY-azure-apikey-02',
  anthropic_api_key: 'sk-ant-CANARY-apikey-03',
  azure_ad_token: 'CANARY-azure-ad-token-04',
  aws_access_key_id: 'AKIACANARYKEYID00005',
  aws_secret_access_key: 'CANARY/aws-secret-access-key-06',
  aws_session_token: 'CANARY-aws-session-token-07',
  vertex_credentials: 'CANARY-vertex-credentials-08',
  client_secret: 'CANARY-client-secret-09',
  password: 'CANARY-password-10',
  token: 'CANARY-token-11',
  tenant_id: 'CANARY-tenant-id-12',
  client_id: 'CANARY-client-id-13',
  header_authorization: 'CANARY-header-bearer-14',
  header_custom: 'CANARY-header-custom-15',
  url_user: 'CANARYurluser16',
  url_password: 'CANARYurlpass17',
  url_query_key: 'CANARY-url-query-key-18',
  organization: 'org-CANARY-organization-19',
  wrong_key: 'sk-CANARY-wrong-key-echoed-20',
};
const CANARY = /CANARY/i;

/**
 * A user plugin that records everything it is given: its target (JSON and a walk), `this`, every
 * argument, the context walked through own and inherited properties (getters read, nothing
 * called but ctx.call), and what ctx.call answers or throws, walked the same way.
 */
const spyPlugin = (out: string) => `
import { appendFileSync } from 'node:fs';

function walk(value, path, lines, seen, depth) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    lines.push(path + ' = ' + String(value));
    return;
  }
  if (seen.has(value) || depth > 8) return;
  seen.add(value);
  if (typeof value === 'function') {
    const source = Function.prototype.toString.call(value);
    lines.push(path + ' = ' + source);
    if (source.endsWith('{ [native code] }')) return; // the runtime's own functions hold nothing given
  }
  if (value instanceof Uint8Array) {
    lines.push(path + ' = ' + Buffer.from(value).toString('utf8'));
    return;
  }
  // Own and inherited keys, up to the language's shared prototypes (the same in every module).
  for (let o = value; o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Reflect.ownKeys(o)) {
      let v;
      try { v = Reflect.get(o, key, value); } catch (err) { v = 'throws ' + err; }
      walk(v, path + '.' + String(key), lines, seen, depth + 1);
    }
  }
}

export default {
  mode: 'spy',
  async probe(...args) {
    const [target, ctx] = args;
    const lines = ['target json = ' + JSON.stringify(target)];
    walk({ target, ctx, this: this, args }, 'given', lines, new Set(), 0);
    try {
      const res = await ctx.call('chat', { messages: [{ role: 'user', content: ctx.prompt }], max_tokens: 8 });
      lines.push('answer json = ' + JSON.stringify(res.json));
      walk(res, 'answer', lines, new Set(), 0);
    } catch (err) {
      lines.push('error = ' + String(err) + ' ' + JSON.stringify(err));
      walk(err, 'error', lines, new Set(), 0);
    }
    appendFileSync(${JSON.stringify(out)}, JSON.stringify({ model: target.modelName, lines }) + '\\n');
    return { healthy: true };
  },
};
`;

let openaiUp: FakeUpstream;
let azureUp: FakeUpstream;
let anthropicUp: FakeServer;
let bedrockUp: FakeServer;
let dir: string;
/** What the plugin saw, per model_name: one line per value it reached. */
let seen: Map<string, string[]>;

function config(): string {
  const hostPort = openaiUp.url.replace('http://', '');
  return `
model_list:
  - model_name: openai-everything
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: "http://${C.url_user}:${C.url_password}@${hostPort}/v1?key=${C.url_query_key}"
      api_key: ${C.api_key}
      organization: ${C.organization}
      extra_headers: { Authorization: "Bearer ${C.header_authorization}", X-Custom-Secret: ${C.header_custom} }
      password: ${C.password}
      token: ${C.token}
    model_info: { mode: spy }
  - model_name: azure-entra
    litellm_params:
      model: azure/gpt-4o
      api_base: ${azureUp.url}
      api_version: "2024-10-21"
      api_key: ${C.azure_api_key}
      azure_ad_token: ${C.azure_ad_token}
      tenant_id: ${C.tenant_id}
      client_id: ${C.client_id}
      client_secret: ${C.client_secret}
    model_info: { mode: spy }
  - model_name: anthropic-claude
    litellm_params: { model: anthropic/claude-3-5-haiku-20241022, api_base: "${anthropicUp.url}", api_key: ${C.anthropic_api_key} }
    model_info: { mode: spy }
  - model_name: bedrock-claude
    litellm_params:
      model: bedrock/anthropic.claude-3-5-haiku-20241022-v1:0
      api_base: "${bedrockUp.url}"
      aws_access_key_id: ${C.aws_access_key_id}
      aws_secret_access_key: "${C.aws_secret_access_key}"
      aws_session_token: ${C.aws_session_token}
      aws_region_name: us-east-1
    model_info: { mode: spy }
  - model_name: vertex-no-dialect
    litellm_params: { model: vertex_ai/gemini-1.5-flash, vertex_project: p, vertex_credentials: ${C.vertex_credentials} }
    model_info: { mode: spy }
  - model_name: key-echoed-in-401
    litellm_params: { model: openai/gpt-4o-mini, api_base: "${azureUp.openaiBase}", api_key: ${C.wrong_key} }
    model_info: { mode: spy }
`;
}

beforeAll(async () => {
  openaiUp = await startFakeUpstream({ apiKey: C.header_authorization });
  azureUp = await startFakeUpstream({ apiKey: C.azure_api_key });
  anthropicUp = await startFakeAnthropic({ apiKey: C.anthropic_api_key });
  bedrockUp = await startFakeBedrock({
    credentials: { accessKeyId: C.aws_access_key_id, secretAccessKey: C.aws_secret_access_key, sessionToken: C.aws_session_token },
    region: 'us-east-1',
  });
  dir = await mkdtemp(join(tmpdir(), 'lhe-spy-plugin-'));
  const out = join(dir, 'seen.jsonl');
  await writeFile(join(dir, 'spy.mjs'), spyPlugin(out));
  const ex = await startExporter(config(), { pluginDirs: [dir], listen: false });
  try {
    const report = await ex.app.once();
    expect(report.unhealthy_endpoints).toEqual([]);
  } finally {
    await ex.close();
  }
  seen = new Map();
  for (const line of (await readFile(out, 'utf8')).trim().split('\n')) {
    const { model, lines } = JSON.parse(line) as { model: string; lines: string[] };
    seen.set(model, lines);
  }
});
afterAll(async () => {
  await Promise.all([openaiUp.close(), azureUp.close(), anthropicUp.close(), bedrockUp.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('a user plugin that serialises everything it is given', () => {
  it('covers every secret parameter key the config knows', () => {
    for (const key of SECRET_PARAM_KEYS) expect(Object.keys(C)).toContain(key);
  });

  it('ran for every deployment, with live secrets: the upstreams received them', () => {
    expect([...seen.keys()].sort()).toEqual(['anthropic-claude', 'azure-entra', 'bedrock-claude', 'key-echoed-in-401', 'openai-everything', 'vertex-no-dialect']);
    const sent = JSON.stringify([openaiUp, azureUp, anthropicUp, bedrockUp].map((u) => u.requests.map((r) => [r.headers, r.query])));
    for (const c of [C.header_authorization, C.header_custom, C.organization, C.url_query_key, C.azure_api_key, C.azure_ad_token, C.anthropic_api_key, C.aws_access_key_id, C.aws_session_token, C.wrong_key]) {
      expect(sent).toContain(c);
    }
  });

  it('saw the non-secret facts: target fields, the prompt, the context, the answers and the errors', () => {
    for (const [model, lines] of seen) {
      const text = lines.join('\n');
      expect(text).toContain(`"modelName":"${model}"`);
      expect(text).toContain('"mode":"spy"');
      expect(text).toContain('given.ctx.prompt = ping');
      expect(text).toContain('given.ctx.signal.aborted = false');
      expect(text).toMatch(/given\.ctx\.call = async call\(/);
    }
    const all = (model: string) => seen.get(model)!.join('\n');
    expect(all('openai-everything')).toContain('"provider":"openai"');
    expect(all('openai-everything')).toContain('answer.json.choices.0.message.content = pong');
    expect(all('azure-entra')).toContain('answer.headers.x-ms-region = East US');
    expect(all('anthropic-claude')).toContain('"model":"anthropic/claude-3-5-haiku-20241022"');
    expect(all('anthropic-claude')).toMatch(/answer\.json\.choices\.0\.message\.content = \S/);
    expect(all('bedrock-claude')).toContain('"provider":"bedrock"');
    expect(all('bedrock-claude')).toMatch(/answer\.status = 200/);
    expect(all('vertex-no-dialect')).toContain('error.errorType = config');
    expect(all('key-echoed-in-401')).toContain('error.errorType = auth');
    expect(all('key-echoed-in-401')).toContain('error.message = 401: Incorrect API key provided: [REDACTED]');
  });

  it('found no canary in any of it', () => {
    for (const [model, lines] of seen) {
      const leaks = lines.filter((l) => CANARY.test(l));
      expect({ model, leaks }).toEqual({ model, leaks: [] });
    }
  });
});
