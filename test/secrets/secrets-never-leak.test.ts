import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { capture } from '../support/capture.js';
import { startExporter, type TestExporter } from '../support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';

/**
 * A distinct canary in every secret-bearing field. The fake upstream wants another key, so it
 * answers 401 and echoes the canary key back in its error message: the worst case for leaks.
 */
const C = {
  apiKey: 'sk-CANARYapikey00001',
  envKey: 'sk-CANARYenvkey00002',
  master: 'sk-CANARYmaster00003',
  header: 'CANARYheader00004',
  query: 'CANARYquery00005',
  user: 'CANARYuser00006',
  pass: 'CANARYpass00007',
  aws: 'CANARYawssecret00008',
  adToken: 'CANARYadtoken00009',
  awsKeyId: 'AKIACANARYKEYID0010',
  awsSession: 'CANARYsession00011',
};
const ALL = Object.values(C);
const CANARY = /CANARY/;

function yaml(up: FakeUpstream, details: boolean) {
  const hostPort = up.url.replace('http://', '');
  return `
model_list:
  - model_name: literal-key
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase}, api_key: ${C.apiKey} }
  - model_name: env-key
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase}, api_key: os.environ/CANARY_ENV_KEY }
  - model_name: header-key
    litellm_params:
      model: openai/gpt-4o
      api_base: ${up.openaiBase}
      extra_headers: { Authorization: "Bearer ${C.header}", X-Session-Token: ${C.header} }
  - model_name: query-and-userinfo
    litellm_params:
      model: openai/gpt-4o
      api_base: "http://${C.user}:${C.pass}@${hostPort}/v1?key=${C.query}"
      api_key: ${C.apiKey}
      aws_secret_access_key: ${C.aws}
      aws_access_key_id: ${C.awsKeyId}
      aws_session_token: ${C.awsSession}
  - model_name: azure-ad
    litellm_params: { model: azure/gpt-4o, api_base: ${up.url}, azure_ad_token: ${C.adToken}, api_key: ${C.apiKey} }
  - model_name: refused
    litellm_params: { model: openai/gpt-4o, api_base: "http://${C.user}:${C.pass}@127.0.0.1:9/v1?key=${C.query}", api_key: ${C.apiKey} }
  - model_name: unresolvable
    litellm_params: { model: openai/gpt-4o, api_base: "http://${C.user}:${C.pass}@no-such-host.invalid/v1?key=${C.query}", api_key: ${C.apiKey} }
    model_info: { health_check_timeout: 5 }
  - model_name: reset
    litellm_params: { model: openai/reset, api_base: "http://${hostPort}/v1?key=${C.query}", api_key: ${C.apiKey} }
  - model_name: hanging
    litellm_params: { model: openai/hang, api_base: "http://${hostPort}/v1?key=${C.query}", api_key: ${C.apiKey} }
    model_info: { health_check_timeout: 0.3 }
general_settings:
  master_key: ${C.master}
  health_check_details: ${details}
`;
}

describe.each([true, false])('no secret leaves (health_check_details: %s)', (details) => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream({ apiKey: 'sk-the-only-valid-key' });
    ex = await startExporter(yaml(up, details), { env: { CANARY_ENV_KEY: C.envKey }, logLevel: 'trace' });
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  const auth = { authorization: `Bearer ${C.master}` };

  it('the canaries really reached the upstream (the test is not vacuous)', async () => {
    await fetch(`${ex.url}/health`, { headers: auth });
    const sent = JSON.stringify(up.requests.map((r) => [r.headers, r.query]));
    for (const c of [C.apiKey, C.envKey, C.header, C.query, C.adToken]) expect(sent).toContain(c);
  });

  it('/health, /health?model=, /model/info, /metrics, history and error answers carry none', async () => {
    await fetch(`${ex.url}/health`, { headers: auth });
    const bodies = await Promise.all([
      fetch(`${ex.url}/metrics`).then((r) => r.text()),
      fetch(`${ex.url}/health/history`, { headers: auth }).then((r) => r.text()),
      fetch(`${ex.url}/health/latest`, { headers: auth }).then((r) => r.text()),
      fetch(`${ex.url}/health`, { headers: auth }).then((r) => r.text()),
      fetch(`${ex.url}/health?model=query-and-userinfo`, { headers: auth }).then((r) => r.text()),
      fetch(`${ex.url}/model/info`, { headers: auth }).then((r) => r.text()),
      fetch(`${ex.url}/health?model_id=${C.apiKey}`, { headers: auth }).then((r) => r.text()),
      fetch(`${ex.url}/health`, { headers: { authorization: `Bearer ${C.master}x` } }).then((r) => r.text()),
      fetch(`${ex.url}/health/readiness`).then((r) => r.text()),
    ]);
    const health = JSON.parse(bodies[3]!);
    expect(health.unhealthy_count).toBe(9); // every deployment failed (401s, refused, DNS, reset, timeout)
    expect(bodies[0]).toContain('llm_deployment_healthy');
    expect(JSON.parse(bodies[1]!).total_records).toBeGreaterThanOrEqual(9);
    // bodies[6] is the 404 for a model_id the caller made up: it echoes the caller's own input.
    for (const [i, b] of bodies.entries()) if (i !== 6) expect({ i, leaked: CANARY.test(b) }).toEqual({ i, leaked: false });
    if (details) {
      // The upstream's own 401 message echoed the key: it must arrive redacted, not dropped.
      const e = health.unhealthy_endpoints.find((x: { model_name: string }) => x.model_name === 'literal-key');
      expect(e.error).toContain('Incorrect API key provided: [REDACTED]');
    }
  });

  it('logs at trace level carry none', async () => {
    await fetch(`${ex.url}/health`, { headers: auth });
    const logs = ex.logs();
    expect(logs).toContain('probe failed');
    expect(logs).toContain('first verdict: unhealthy');
    for (const c of ALL) expect(logs).not.toContain(c);
  });
});

describe('CLI output carries no secret', () => {
  let up: FakeUpstream;
  let dir: string;
  beforeAll(async () => {
    up = await startFakeUpstream({ apiKey: 'sk-the-only-valid-key' });
    dir = await mkdtemp(join(tmpdir(), 'lhe-secrets-'));
    process.env.CANARY_ENV_KEY = C.envKey;
  });
  afterAll(async () => { delete process.env.CANARY_ENV_KEY; await up.close(); });

  it('--once (table and JSON) and --check-config print and log no canary', async () => {
    const file = join(dir, 'config.yaml');
    await writeFile(file, yaml(up, true));
    for (const args of [['--once', file], ['--once', file, '--json', '--log-level', 'trace'], ['--check-config', file]]) {
      const out = capture();
      const err = capture();
      const code = await main(args, out, err);
      expect(code).toBe(args[0] === '--once' ? 1 : 0);
      expect(out.text().length).toBeGreaterThan(0);
      expect(out.text() + err.text()).not.toMatch(CANARY);
    }
  });

  it('--health with a wrong key prints no key', async () => {
    const ex = await startExporter(yaml(up, true), { env: { CANARY_ENV_KEY: C.envKey } });
    try {
      const out = capture();
      const err = capture();
      const code = await main(['--health', '--url', ex.url, '--key', `${C.master}-wrong`], out, err);
      expect(code).toBe(2);
      expect(err.text()).toContain('401');
      expect(out.text() + err.text()).not.toMatch(CANARY);
      const ok = capture();
      expect(await main(['--health', '--url', ex.url, '--key', C.master, '--json'], ok, capture())).toBe(1);
      expect(JSON.parse(ok.text()).unhealthy_count).toBe(9);
      expect(ok.text()).not.toMatch(CANARY);
    } finally {
      await ex.close();
    }
  });
});
