import { describe, expect, it } from 'vitest';
import { closeWhenTestEnds, exporterForTest } from './support/exporter.js';
import { startFakeUpstream } from './support/fake-upstream.js';

/**
 * A start over many deployments writes one info line for the first round, not one per healthy
 * deployment; each unhealthy first verdict still gets its own warn line naming the deployment.
 */
describe('first background round logs', () => {

  it('healthy first verdicts at debug, unhealthy ones at warn each, then one info line with the counts', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const healthy = Array.from({ length: 30 }, (_, i) => `  - model_name: fine-${i}\n    litellm_params: { model: openai/ok, api_base: "${up.openaiBase}" }\n`).join('');
    const ex = await exporterForTest(`model_list:\n${healthy}  - model_name: broken\n    litellm_params: { model: openai/server_error, api_base: "${up.openaiBase}" }\ngeneral_settings:\n  background_health_checks: true\n  health_check_interval: 3600\n`, { logLevel: 'info' });
    await expect.poll(() => ex.logs(), { timeout: 30_000 }).toContain('first background round finished');
    const entries = ex.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.filter((e) => e.msg === 'first verdict: healthy')).toEqual([]);
    expect(entries.filter((e) => e.msg === 'first verdict: unhealthy')).toEqual([expect.objectContaining({ level: 40, model_name: 'broken', error_type: 'server_error' })]);
    expect(entries.filter((e) => e.msg === 'first background round finished')).toEqual([
      expect.objectContaining({ level: 30, deployments: 31, healthy: 30, unhealthy: 1, pending: 0 }),
    ]);
  });

  it('at debug, each healthy first verdict is still there, naming its deployment', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:\n  - model_name: fine\n    litellm_params: { model: openai/ok, api_base: "${up.openaiBase}" }\ngeneral_settings:\n  background_health_checks: true\n  health_check_interval: 3600\n`, { logLevel: 'debug' });
    await expect.poll(() => ex.logs(), { timeout: 30_000 }).toContain('first background round finished');
    const first = ex.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.msg === 'first verdict: healthy');
    expect(first).toMatchObject({ level: 20, model_name: 'fine', model: 'openai/ok' });
  });
});
