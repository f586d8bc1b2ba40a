import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { capture } from './support/capture.js';
import { startExporter } from './support/exporter.js';
import { SEED_EXAMPLES } from './support/seed-examples.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

let up: FakeUpstream;
beforeAll(async () => { up = await startFakeUpstream({ apiKey: 'sk-seed' }); });
afterAll(async () => { await up.close(); });
beforeEach(() => up.reset());

describe('the example user plugin (examples/plugins/chat_json.mjs)', () => {
  it('loads from health_check_plugins_dir, adds mode chat_json, and judges JSON mode answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lhe-userplugin-'));
    const file = join(dir, 'config.yaml');
    await writeFile(file, `
model_list:
  - model_name: json-ok
    litellm_params: { model: openai/gpt-4o, api_base: "${up.openaiBase}", api_key: sk-seed }
    model_info: { mode: chat_json, id: json-ok }
  - model_name: json-broken
    litellm_params: { model: openai/length, api_base: "${up.openaiBase}", api_key: sk-seed }
    model_info: { mode: chat_json, id: json-broken }
general_settings:
  health_check_plugins_dir: ${join(PACKAGE_ROOT, 'examples', 'plugins')}
`);
    const out = capture();
    const code = await main(['--once', file, '--json', '--log-level', 'error'], out, capture());
    const report = JSON.parse(out.text());
    expect(code).toBe(1);
    expect(report.healthy_endpoints).toEqual([expect.objectContaining({ model_id: 'json-ok', mode: 'chat_json', details: { json_mode: true } })]);
    expect(report.unhealthy_endpoints).toEqual([expect.objectContaining({ model_id: 'json-broken', error_type: 'bad_response', error: 'json-broken: JSON mode answer is not JSON' })]);
    expect(up.requests[0]!.body.response_format).toEqual({ type: 'json_object' });
  });
});

/** The seed's examples plus its background-check settings. */
const SEED_CONFIG = `${SEED_EXAMPLES}general_settings:
  background_health_checks: True # enable background health checks
  health_check_interval: 300 # frequency of background health checks
`;

describe("the seed page's example configs", () => {
  it('load and probe unchanged: every mode healthy, each on its real endpoint', async () => {
    const ex = await startExporter(SEED_CONFIG, {
      env: { AZURE_API_BASE: up.url, AZURE_API_KEY: 'sk-seed', OPENAI_API_KEY: 'sk-seed', OPENAI_API_BASE: up.openaiBase },
      listen: false,
    });
    try {
      const report = await ex.app.once();
      expect(report.unhealthy_endpoints).toEqual([]);
      expect(report.healthy_endpoints.map((e) => [e.model_name, e.mode])).toEqual([
        ['azure-embedding-model', 'embedding'], ['dall-e-3', 'image_generation'], ['azure-text-completion', 'completion'],
        ['whisper', 'audio_transcription'], ['tts', 'audio_speech'], ['batch-gpt-4o-mini', 'batch'],
      ]);
      expect(up.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
        'GET /openai/batches',
        'POST /openai/deployments/azure-embedding-model/embeddings',
        'POST /openai/deployments/dall-e-3/images/generations',
        'POST /openai/deployments/text-davinci-003/completions',
        'POST /v1/audio/speech',
        'POST /v1/audio/transcriptions',
      ]);
      // whisper/tts name no api_key source but OPENAI_API_KEY, as LiteLLM reads it.
      expect(up.requests.filter((r) => r.path.startsWith('/v1/')).every((r) => r.headers.authorization === 'Bearer sk-seed')).toBe(true);
      const img = up.requests.find((r) => r.path.includes('dall-e-3'))!;
      // The deployment in the path, and as the body's model (as the openai SDK's AzureOpenAI sends it).
      expect(img.body).toEqual({ model: 'dall-e-3', prompt: 'ping', n: 1, size: '1024x1024' });
    } finally {
      await ex.close();
    }
  });
});
