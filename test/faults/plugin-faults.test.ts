import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS_DIR, loadPlugins } from '../../src/registry/plugins.js';
import { startExporter, type TestExporter } from '../support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';

/** Plugins that misbehave at probe time: each must harm only its own deployment. */
const FAULTY: Record<string, string> = {
  'throws-sync.mjs': `export default { mode: 'throws_sync', probe() { throw new Error('sync kaboom'); } };`,
  'rejects.mjs': `export default { mode: 'rejects', async probe() { await null; throw new RangeError('async kaboom'); } };`,
  'never.mjs': `export default { mode: 'never', probe() { return new Promise(() => {}); } };`,
  'returns-42.mjs': `export default { mode: 'returns_42', async probe() { return 42; } };`,
  'returns-empty.mjs': `export default { mode: 'returns_empty', async probe() { return {}; } };`,
  'duck-auth.mjs': `export default { mode: 'duck_auth', async probe() { throw { errorType: 'auth', message: 'nope' }; } };`,
  'duck-status.mjs': `export default { mode: 'duck_status', async probe() { throw { errorType: 'rate_limited', message: 'slow down', status: 429 }; } };`,
  'duck-unknown.mjs': `export default { mode: 'duck_unknown', async probe() { throw { errorType: 'gremlins', message: 'odd failure' }; } };`,
};
/** Files that cannot be loaded as plugins. */
const BROKEN: Record<string, string> = {
  'syntax-error.mjs': `export default { mode: 'syntax', probe( { `,
  'no-mode.mjs': `export default { async probe() { return { healthy: true }; } };`,
  'no-probe.mjs': `export default { mode: 'no_probe', description: 'forgot the probe' };`,
};
const FAULTY_MODES = Object.values(FAULTY).map((src) => /mode: '([^']+)'/.exec(src)![1]!);

let up: FakeUpstream;
const dirs: string[] = [];
let faultyDir: string;
let overrideDir: string;
/** Modes of the built-in plugins (the set grows; the tests only add to it). */
let builtinModes: string[];

async function pluginDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lhe-plugin-faults-'));
  dirs.push(dir);
  for (const [name, src] of Object.entries(files)) await writeFile(join(dir, name), src);
  return dir;
}

beforeAll(async () => {
  up = await startFakeUpstream();
  const builtins = await loadPlugins([BUILTIN_PLUGINS_DIR]);
  expect(builtins.errors).toEqual([]);
  builtinModes = [...builtins.byMode.keys()];
  expect(builtinModes).toContain('chat');
  faultyDir = await pluginDir({ ...FAULTY, ...BROKEN, 'README.txt': 'not a plugin' });
  overrideDir = await pluginDir({
    'my-chat.mjs': `export default { mode: 'chat', async probe(d, ctx) { return { healthy: true, details: { by: 'user-chat', max_tokens: ctx.maxTokens } }; } };`,
  });
});
afterAll(async () => {
  await up.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

type Entry = Record<string, any>;
const deployment = (id: string, mode?: string) => `  - model_name: ${id}
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${up.openaiBase} }
    model_info: { id: ${id}, health_check_timeout: 0.3${mode ? `, mode: ${mode}` : ''} }
`;

describe('a misbehaving plugin makes only its own deployment unhealthy', () => {
  let ex: TestExporter;
  let report: any;
  let elapsedMs: number;
  const entry = (id: string): Entry => [...report.healthy_endpoints, ...report.unhealthy_endpoints].find((e: Entry) => e.model_id === id);

  beforeAll(async () => {
    const list = FAULTY_MODES.map((m) => deployment(m, m)).join('') + deployment('mystery_mode', 'mystery_mode') + deployment('plain_chat');
    ex = await startExporter(`model_list:\n${list}`, { pluginDirs: [faultyDir] });
    up.reset();
    const t0 = Date.now();
    const res = await fetch(`${ex.url}/health`);
    elapsedMs = Date.now() - t0;
    expect(res.status).toBe(200);
    report = await res.json();
  });
  afterAll(async () => { await ex.close(); });

  it('a synchronous throw becomes plugin_error with the thrown message', () => {
    expect(entry('throws_sync')).toMatchObject({ error_type: 'plugin_error', error: 'plugin threw: sync kaboom', exception_status: 500 });
  });

  it('a rejected promise becomes plugin_error with the rejection message', () => {
    expect(entry('rejects')).toMatchObject({ error_type: 'plugin_error', error: 'plugin threw: async kaboom', exception_status: 500 });
  });

  it('a probe that never settles ends as a timeout at health_check_timeout', () => {
    expect(entry('never')).toMatchObject({ error_type: 'timeout', error: 'Timeout exceeded', exception_status: 408 });
    expect(elapsedMs).toBeLessThan(2300);
  });

  it('a return value that is not {healthy: boolean} (42, {}) is a plugin_error naming the mode', () => {
    expect(entry('returns_42')).toMatchObject({ error_type: 'plugin_error', error: 'plugin for mode "returns_42" returned no result ({healthy: boolean})' });
    expect(entry('returns_empty')).toMatchObject({ error_type: 'plugin_error', error: 'plugin for mode "returns_empty" returned no result ({healthy: boolean})' });
  });

  it('a thrown plain object with a known errorType is honoured (duck typing), with its message and status', () => {
    expect(entry('duck_auth')).toMatchObject({ error_type: 'auth', error: 'nope', exception_status: 500 });
    expect(entry('duck_status')).toMatchObject({ error_type: 'rate_limited', error: 'slow down', exception_status: 429 });
  });

  it('a thrown object with an unknown errorType is a plugin_error that still carries its message', () => {
    expect(entry('duck_unknown').error_type).toBe('plugin_error');
    expect(entry('duck_unknown').error).toContain('odd failure');
  });

  it('a mode without a plugin is unhealthy with no_plugin and was warned about at start-up', () => {
    expect(entry('mystery_mode')).toMatchObject({ error_type: 'no_plugin', error: 'no probe plugin for mode "mystery_mode"' });
    const warning = ex.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => String(l.msg).includes('no probe plugin for mode "mystery_mode"'));
    expect(warning).toBeDefined();
    expect(warning.level).toBe(40); // pino's warn
  });

  it('the ordinary chat deployment beside them is healthy and the only one that reached the upstream', () => {
    expect(report.healthy_endpoints.map((e: Entry) => e.model_id)).toEqual(['plain_chat']);
    expect(report.unhealthy_count).toBe(FAULTY_MODES.length + 1);
    expect(up.requests).toHaveLength(1);
  });

  it('the exporter keeps serving after the faults, and probes them again on demand', async () => {
    expect((await fetch(`${ex.url}/health/liveliness`)).status).toBe(200);
    const res = await fetch(`${ex.url}/health?model_id=throws_sync`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).unhealthy_endpoints[0].error).toBe('plugin threw: sync kaboom');
  });

  it('/health/readiness lists the loaded modes and the plugin files that failed, with reasons', async () => {
    const res = await fetch(`${ex.url}/health/readiness`);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.plugins).toEqual([...new Set([...builtinModes, ...FAULTY_MODES])].sort());
    const errors = body.plugin_errors as Array<{ file: string; reason: string }>;
    expect(errors.map((e) => basename(e.file)).sort()).toEqual(Object.keys(BROKEN).sort());
    for (const e of errors) expect(e.reason.length).toBeGreaterThan(0);
  });

  it('logs each plugin file that was not loaded at start-up', () => {
    const logs = ex.logs();
    for (const f of Object.keys(BROKEN)) expect(logs).toContain(f);
    expect(logs).toContain('plugin not loaded');
  });
});

describe('the plugin loader', () => {
  it('reports each broken file with its name and reason while the good plugins load', async () => {
    const { byMode, errors } = await loadPlugins([BUILTIN_PLUGINS_DIR, faultyDir]);
    expect([...byMode.keys()].sort()).toEqual([...new Set([...builtinModes, ...FAULTY_MODES])].sort());
    const reasons = Object.fromEntries(errors.map((e) => [basename(e.file), e.reason]));
    expect(Object.keys(reasons).sort()).toEqual(Object.keys(BROKEN).sort());
    expect(reasons['syntax-error.mjs']).toMatch(/^failed to import: /);
    expect(reasons['no-mode.mjs']).toMatch(/exports no mode/);
    expect(reasons['no-probe.mjs']).toMatch(/exports a mode but no probe function/);
    for (const e of errors) expect(e.file.startsWith(faultyDir)).toBe(true);
    expect(byMode.get('rejects')!.file).toBe(join(faultyDir, 'rejects.mjs'));
  });

  it('accepts named exports (mode, probe) and keeps only scalar details', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lhe-named-'));
    await writeFile(join(dir, 'named.mjs'), `export const mode = 'named'; export async function probe(d) { return { healthy: true, details: { probed: d.modelName, dropped: { nested: 1 } } }; }`);
    const ex = await startExporter(`model_list:\n  - model_name: n\n    litellm_params: { model: openai/gpt-4o, api_base: "${up.openaiBase}" }\n    model_info: { mode: named }\n`, { pluginDirs: [dir] });
    try {
      const report: any = await (await fetch(`${ex.url}/health`)).json();
      expect(report.healthy_endpoints[0].details).toEqual({ probed: 'n' });
    } finally {
      await ex.close();
    }
  });

  it('reports a plugin folder that does not exist', async () => {
    const { errors } = await loadPlugins(['/nonexistent/plugins']);
    expect(errors).toEqual([{ file: '/nonexistent/plugins', reason: 'cannot read plugin folder: ENOENT' }]);
  });

  it('lets a user plugin with mode chat replace the built-in one', async () => {
    const { byMode, errors } = await loadPlugins([BUILTIN_PLUGINS_DIR, overrideDir]);
    expect(errors).toEqual([]);
    expect(byMode.get('chat')!.file).toBe(join(overrideDir, 'my-chat.mjs'));
  });

  it('probes chat deployments with the user plugin in place of the built-in', async () => {
    up.reset();
    const ex = await startExporter(`model_list:\n${deployment('replaced_chat')}`, { pluginDirs: [overrideDir] });
    try {
      const report: any = await (await fetch(`${ex.url}/health`)).json();
      expect(report.healthy_endpoints).toHaveLength(1);
      expect(report.healthy_endpoints[0]).toMatchObject({ model_id: 'replaced_chat', details: { by: 'user-chat', max_tokens: 16 } });
      // The built-in chat plugin would have sent a completion; the user's sent nothing.
      expect(up.requests).toHaveLength(0);
    } finally {
      await ex.close();
    }
  });
});
