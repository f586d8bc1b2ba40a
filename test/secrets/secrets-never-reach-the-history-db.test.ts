import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from '../support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';

/** A canary in every secret-bearing field; the upstream wants another key and echoes the one it got. */
const C = {
  apiKey: 'sk-CANARYdbapikey0001',
  envKey: 'sk-CANARYdbenvkey0002',
  header: 'CANARYdbheader0003',
  query: 'CANARYdbquery0004',
  user: 'CANARYdbuser0005',
  pass: 'CANARYdbpass0006',
  master: 'sk-CANARYdbmaster0007',
};

describe('the history database holds no secret', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  let dir: string;
  beforeAll(async () => {
    up = await startFakeUpstream({ apiKey: 'sk-the-only-valid-key' });
    dir = await mkdtemp(join(tmpdir(), 'lhe-canary-db-'));
    const hostPort = up.url.replace('http://', '');
    ex = await startExporter(`
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
  - model_name: refused
    litellm_params: { model: openai/gpt-4o, api_base: "http://${C.user}:${C.pass}@127.0.0.1:9/v1?key=${C.query}", api_key: ${C.apiKey} }
general_settings:
  master_key: ${C.master}
  health_check_min_interval: 0
`, { env: { CANARY_ENV_KEY: C.envKey }, dataDir: dir });
  });
  afterAll(async () => { await up.close(); });

  it('after probes that failed with the key echoed back, no file of the database contains a canary', async () => {
    const auth = { authorization: `Bearer ${C.master}` };
    for (let i = 0; i < 3; i++) await fetch(`${ex.url}/health`, { headers: auth });
    const sent = JSON.stringify(up.requests.map((r) => [r.headers, r.query]));
    for (const c of [C.apiKey, C.envKey, C.header, C.query]) expect(sent).toContain(c); // not vacuous
    const history: any = await (await fetch(`${ex.url}/health/history?limit=1000`, { headers: auth })).json();
    expect(history.total_records).toBe(15);
    expect(JSON.stringify(history)).toContain('Incorrect API key provided: [REDACTED]');
    await ex.app.persistence.flush();
    // Read every file while the database is open (the WAL holds the rows), then again after close.
    const files = async () => Promise.all((await readdir(dir)).map(async (f) => [f, (await readFile(join(dir, f))).toString('latin1')] as const));
    const open = await files();
    expect(open.map(([f]) => f).sort()).toEqual(['llm-health-exporter.db', 'llm-health-exporter.db-shm', 'llm-health-exporter.db-wal']);
    expect(open.some(([, text]) => text.includes('Incorrect API key provided: [REDACTED]'))).toBe(true);
    await ex.close();
    for (const [file, text] of [...open, ...(await files())]) {
      for (const c of Object.values(C)) expect({ file, leaked: text.includes(c) ? c : undefined }).toEqual({ file, leaked: undefined });
    }
  });
});
