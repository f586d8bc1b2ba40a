import { describe, expect, it } from 'vitest';
import { closeWhenTestEnds, exporterForTest } from './support/exporter.js';
import { startFakeUpstream } from './support/fake-upstream.js';

/**
 * The shared teardown (test/support/exporter.ts) that replaced each file's afterEach: what a test
 * starts is closed when that test ends, newest first, so the next test finds it gone. The tests
 * run in order: each later one looks at what an earlier one left.
 */
describe('closeWhenTestEnds and exporterForTest', () => {
  let exporterUrl = '';
  let upstreamUrl = '';
  const closed: string[] = [];

  it('start an exporter and its upstream for one test', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:\n  - model_name: m\n    litellm_params: { model: openai/ok, api_base: "${up.openaiBase}" }\n`);
    [exporterUrl, upstreamUrl] = [ex.url, up.url];
    expect((await fetch(`${ex.url}/health/liveliness`)).status).toBe(200);
  });

  it('the next test finds both closed', async () => {
    await expect(fetch(`${exporterUrl}/health/liveliness`)).rejects.toThrow();
    await expect(fetch(`${upstreamUrl}/v1/models`)).rejects.toThrow();
  });

  it('register closings in start order', () => {
    closeWhenTestEnds({ close: async () => { closed.push('upstream'); } });
    closeWhenTestEnds({ close: async () => { closed.push('exporter'); } });
    expect(closed).toEqual([]);
  });

  it('which run after that test, the last started first', () => {
    expect(closed).toEqual(['exporter', 'upstream']);
  });
});
