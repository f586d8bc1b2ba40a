import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS_DIR, loadPlugins } from '../src/plugins/loader.js';
import { BUILTIN_MODES } from './support/builtin-modes.js';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

const PLUGINS: Record<string, string> = {
  'throws.mjs': `export default { mode: 'throws', probe() { throw new Error('boom in plugin'); } };`,
  'rejects.mjs': `export default { mode: 'rejects', async probe() { throw new TypeError('async boom'); } };`,
  'never.mjs': `export default { mode: 'never', probe() { return new Promise(() => {}); } };`,
  'garbage.mjs': `export default { mode: 'garbage', async probe() { return 42; } };`,
  'typed.mjs': `export default { mode: 'typed', async probe() { throw { errorType: 'auth', message: 'token expired' }; } };`,
  'named.mjs': `export const mode = 'named'; export async function probe(d) { return { healthy: true, details: { probed: d.modelName, dropped: { nested: 1 } } }; }`,
  'syntax.mjs': `export default { mode: 'syntax', probe( { `,
  'nomode.mjs': `export default { probe: async () => ({ healthy: true }) };`,
  'noprobe.mjs': `export default { mode: 'noprobe' };`,
  'notes.txt': `not a plugin`,
};

let dir: string;
let up: FakeUpstream;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lhe-plugins-'));
  for (const [f, src] of Object.entries(PLUGINS)) await writeFile(join(dir, f), src);
  up = await startFakeUpstream();
});
afterAll(async () => { await up.close(); });

describe('the plugin loader', () => {
  it('indexes good plugins by mode and reports each broken file with its reason', async () => {
    const { byMode, errors } = await loadPlugins([BUILTIN_PLUGINS_DIR, dir]);
    expect([...byMode.keys()].sort()).toEqual([...BUILTIN_MODES, 'garbage', 'named', 'never', 'rejects', 'throws', 'typed'].sort());
    const reasons = Object.fromEntries(errors.map((e) => [e.file.split('/').pop(), e.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['nomode.mjs', 'noprobe.mjs', 'syntax.mjs']);
    expect(reasons['syntax.mjs']).toMatch(/^failed to import: /);
    expect(reasons['nomode.mjs']).toMatch(/exports no mode/);
    expect(reasons['noprobe.mjs']).toMatch(/no probe function/);
  });

  it('lets a user plugin replace a built-in of the same mode', async () => {
    const over = await mkdtemp(join(tmpdir(), 'lhe-override-'));
    await writeFile(join(over, 'my-chat.mjs'), `export default { mode: 'chat', async probe() { return { healthy: true, details: { by: 'user' } }; } };`);
    const { byMode } = await loadPlugins([BUILTIN_PLUGINS_DIR, over]);
    expect(byMode.get('chat')!.file).toBe(join(over, 'my-chat.mjs'));
  });

  it('reports a plugin folder that does not exist', async () => {
    const { errors } = await loadPlugins(['/nonexistent/plugins']);
    expect(errors[0]!.reason).toMatch(/cannot read plugin folder: ENOENT/);
  });
});

describe('a misbehaving plugin harms only its own deployment', () => {
  let ex: TestExporter;
  let report: any;
  beforeAll(async () => {
    const modes = ['throws', 'rejects', 'never', 'garbage', 'typed', 'named', 'no_such_mode'];
    const entries = modes.map((m) => `  - model_name: ${m}\n    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase} }\n    model_info: { id: ${m}, mode: ${m}, health_check_timeout: 0.3 }\n`);
    ex = await startExporter(`model_list:\n${entries.join('')}  - model_name: chat\n    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase} }\n    model_info: { id: chat }\n`, { pluginDirs: [dir] });
    report = await (await fetch(`${ex.url}/health`)).json();
  });
  afterAll(async () => { await ex.close(); });
  const entry = (id: string) => [...report.unhealthy_endpoints, ...report.healthy_endpoints].find((e: { model_id: string }) => e.model_id === id);

  it('a synchronous throw and a rejection become plugin_error with the message', () => {
    expect(entry('throws')).toMatchObject({ error_type: 'plugin_error', error: 'plugin threw: boom in plugin' });
    expect(entry('rejects')).toMatchObject({ error_type: 'plugin_error', error: 'plugin threw: async boom' });
  });

  it('a probe that never settles ends at the timeout', () => {
    expect(entry('never')).toMatchObject({ error_type: 'timeout', error: 'Timeout exceeded', exception_status: 408 });
  });

  it('a return value that is not a result is a plugin_error', () => {
    expect(entry('garbage')).toMatchObject({ error_type: 'plugin_error', error: 'plugin for mode "garbage" returned no result ({healthy: boolean})' });
  });

  it('a thrown object with a known errorType keeps its type', () => {
    expect(entry('typed')).toMatchObject({ error_type: 'auth', error: 'token expired' });
  });

  it('named exports work, and only scalar details are kept', () => {
    expect(entry('named')).toMatchObject({ details: { probed: 'named' } });
    expect(entry('named').details.dropped).toBeUndefined();
  });

  it('a mode without a plugin is unhealthy with no_plugin, and logged at start-up', () => {
    expect(entry('no_such_mode')).toMatchObject({ error_type: 'no_plugin', error: 'no probe plugin for mode "no_such_mode"' });
    expect(ex.logs()).toContain('no probe plugin for mode \\"no_such_mode\\"');
  });

  it('the ordinary chat deployment beside them is healthy', () => {
    expect(report.healthy_endpoints.map((e: { model_id: string }) => e.model_id).sort()).toEqual(['chat', 'named']);
  });

  it('readiness lists the modes loaded and the plugin files that failed', async () => {
    const r: any = await (await fetch(`${ex.url}/health/readiness`)).json();
    expect(r.plugins).toEqual([...BUILTIN_MODES, 'garbage', 'named', 'never', 'rejects', 'throws', 'typed'].sort());
    expect(r.plugin_errors.map((e: { file: string }) => e.file.split('/').pop()).sort()).toEqual(['nomode.mjs', 'noprobe.mjs', 'syntax.mjs']);
  });
});
