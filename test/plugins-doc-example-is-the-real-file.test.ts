import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { loadPlugins } from '../src/registry/plugins.js';
import { startExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

/** Code blocks of docs/plugins.md marked `<!-- example: PATH -->`, with the file they claim to be. */
async function markedExamples(): Promise<Array<{ path: string; block: string }>> {
  const doc = await readFile(join(PACKAGE_ROOT, 'docs', 'plugins.md'), 'utf8');
  return [...doc.matchAll(/<!-- example: (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => ({ path: m[1]!, block: m[2]! }));
}

describe('docs/plugins.md shows the real example file', () => {
  it('its marked code block equals examples/plugins/chat_json.mjs byte for byte', async () => {
    const examples = await markedExamples();
    expect(examples.map((e) => e.path)).toEqual(['examples/plugins/chat_json.mjs']);
    for (const { path, block } of examples) expect(block).toBe(await readFile(join(PACKAGE_ROOT, path), 'utf8'));
  });
});

describe('the example plugin, loaded as a user plugin', () => {
  const dir = join(PACKAGE_ROOT, 'examples', 'plugins');
  let up: FakeUpstream;
  beforeAll(async () => { up = await startFakeUpstream({ apiKey: 'sk-example' }); });
  afterAll(async () => { await up.close(); });

  it('loads without errors and adds mode chat_json', async () => {
    const loaded = await loadPlugins([dir]);
    expect(loaded.errors).toEqual([]);
    expect(loaded.byMode.get('chat_json')).toMatchObject({ mode: 'chat_json', file: join(dir, 'chat_json.mjs') });
  });

  it('is healthy on a JSON answer, unhealthy on a non-JSON answer, a missing message or a wrong key', async () => {
    const entry = (name: string, model: string, key = 'sk-example') => `
  - model_name: ${name}
    litellm_params: { model: openai/${model}, api_base: "${up.openaiBase}", api_key: ${key} }
    model_info: { mode: chat_json, id: ${name} }`;
    const ex = await startExporter(`model_list:${[
      entry('json-ok', 'gpt-4o'),
      entry('not-json', 'length'),
      entry('no-message', 'no_choices'),
      entry('wrong-key', 'gpt-4o', 'sk-wrong-key-0001'),
    ].join('')}\n`, { pluginDirs: [dir], listen: false });
    try {
      const report = await ex.app.once();
      expect(report.healthy_endpoints).toEqual([expect.objectContaining({ model_id: 'json-ok', mode: 'chat_json', details: { json_mode: true } })]);
      const unhealthy = Object.fromEntries(report.unhealthy_endpoints.map((e) => [e.model_id, [e.error_type, e.error, e.exception_status]]));
      expect(unhealthy).toEqual({
        'not-json': ['bad_response', 'not-json: JSON mode answer is not JSON', 200],
        'no-message': ['bad_response', '200 without a message in the chat completion', 200],
        'wrong-key': ['auth', expect.stringMatching(/^401: Incorrect API key provided: \[REDACTED\]/), 401],
      });
      const sent = up.requests.find((r) => r.body?.model === 'gpt-4o')!;
      expect(sent.body).toEqual({
        model: 'gpt-4o',
        messages: [{ role: 'system', content: 'Answer with a JSON object.' }, { role: 'user', content: 'ping' }],
        response_format: { type: 'json_object' },
      });
    } finally {
      await ex.close();
    }
  });
});
