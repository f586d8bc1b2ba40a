import { describe, expect, it } from 'vitest';
import { LocalCoordinator } from '../../src/fleet/coordinator.js';
import { historyPage, latest } from '../../src/views/history.js';
import { modelInfo } from '../../src/views/model-info.js';
import { readiness, sharedStatus } from '../../src/views/readiness.js';
import { BACKGROUND, TWO, result, viewsOf } from './support.js';

const T = Date.parse('2026-11-30T12:00:00Z');

describe('/health/history and /health/latest as pure views', () => {
  it('pages rows of every deployment newest first, filters by status, and counts every kept row', () => {
    const { s, store } = viewsOf(TWO);
    for (let i = 0; i < 4; i++) store.set(result('gpt-1', T + i * 10, i % 2 === 0, { checkedBy: 'r1' }));
    store.set(result('claude-1', T + 15, false));
    const page = historyPage(s, store, { limit: 3, offset: 0 });
    expect(page.total_records).toBe(5);
    expect(page.health_checks.map((r) => [r.model_id, r.checked_at])).toEqual([
      ['gpt-1', new Date(T + 30).toISOString()], ['gpt-1', new Date(T + 20).toISOString()], ['claude-1', new Date(T + 15).toISOString()],
    ]);
    const unhealthy = historyPage(s, store, { status_filter: 'unhealthy', limit: 10, offset: 0 });
    expect(unhealthy.health_checks.every((r) => r.status === 'unhealthy' && r.error_type === 'server_error')).toBe(true);
    expect(unhealthy.total_records).toBe(3);
    expect(historyPage(s, store, { model: 'claude', limit: 10, offset: 0 }).total_records).toBe(1);
  });

  it('hides error messages with health_check_details: false', () => {
    const { s, store } = viewsOf(`${TWO}\ngeneral_settings: { health_check_details: false }\n`);
    store.set(result('claude-1', T, false));
    const row = historyPage(s, store, { limit: 10, offset: 0 }).health_checks[0]!;
    expect(row).toMatchObject({ status: 'unhealthy', error_message: null, error_type: 'server_error' });
  });

  it('latest shows each probed deployment once, stale ones as stale in background mode', () => {
    const { s, store } = viewsOf(BACKGROUND);
    store.set(result('gpt-1', T, true));
    expect(latest(s, store, T + 1000)).toMatchObject({ total_models: 1, latest_health_checks: { 'gpt-1': { status: 'healthy' } } });
    expect(latest(s, store, T + 200_000).latest_health_checks['gpt-1']).toMatchObject({ status: 'unhealthy', error_type: 'stale' });
  });
});

describe('/model/info as a pure view', () => {
  it('lists each deployment with its id and mode through allow-lists, never a credential or unlisted key', () => {
    const { s } = viewsOf(TWO);
    const info = modelInfo(s);
    expect(info.map((m) => m.model_info.id)).toEqual(['gpt-1', 'claude-1']);
    expect(info[1]!.model_info).toMatchObject({ mode: 'chat', description: 'fast' });
    const text = JSON.stringify(info);
    for (const hidden of ['sk-canary-views', 'pa55word', 'querysecret', 'sk-ant-canary', 'secret_note', 'api_key']) expect(text).not.toContain(hidden);
  });
});

describe('readiness and shared-status as pure views', () => {
  const base = { version: '1.2.3', shuttingDown: false, configError: undefined, pluginModes: ['chat'], pluginErrors: [], callbacks: ['prometheus'], fleet: new LocalCoordinator('r1').status() };

  it('is starting until the first background round ends, then ready with last_updated', () => {
    const { s } = viewsOf(BACKGROUND);
    expect(readiness({ ...base, snapshot: s, lastRoundAt: undefined })).toMatchObject({ ready: false, body: { status: 'starting' } });
    const ready = readiness({ ...base, snapshot: s, lastRoundAt: T });
    expect(ready).toMatchObject({ ready: true, body: { status: 'healthy', cache: null, deployments: 2, last_updated: new Date(T).toISOString() } });
  });

  it('is ready at once in on-demand mode, and names a refused reload and broken plugins', () => {
    const { s } = viewsOf(TWO);
    const r = readiness({ ...base, snapshot: s, lastRoundAt: undefined, configError: 'model_list[0].model_name: Required', pluginErrors: [{ file: 'x.ts', reason: 'exports no mode' }] });
    expect(r).toMatchObject({ ready: true, body: { config_error: 'model_list[0].model_name: Required', plugin_errors: [{ file: 'x.ts' }] } });
  });

  it('is 503 shutting_down while closing', () => {
    const { s } = viewsOf(TWO);
    expect(readiness({ ...base, snapshot: s, lastRoundAt: T, shuttingDown: true })).toMatchObject({ ready: false, body: { status: 'shutting_down' } });
  });

  it('shared-status tells a lone replica from a fleet member, with the age of its last pull', () => {
    expect(sharedStatus('r1', new LocalCoordinator('r1').status(), T)).toEqual({
      replica_id: 'r1', shared: false, redis: null, redis_reachable: false, leases_held: 0, last_writer: null, cache_age_s: null,
    });
    const fleet = { shared: true, address: 'redis://redis:6379', reachable: true, leasesHeld: 2, lastWriter: 'r2', lastSyncAt: T - 1500 };
    expect(sharedStatus('r1', fleet, T)).toMatchObject({ shared: true, redis_reachable: true, leases_held: 2, last_writer: 'r2', cache_age_s: 1.5 });
  });
});
