import { describe, expect, it } from 'vitest';
import { HealthBody, type BodyParts } from '../../src/views/health-body.js';
import { healthAnswer, selectHealthTargets, storedHealthBody } from '../../src/views/health.js';
import type { HealthReport } from '../../src/views/health-report.js';
import { BACKGROUND, TWO, result, viewsOf } from './support.js';

const T = Date.parse('2026-11-30T12:00:00Z');

describe('/health as a pure view', () => {
  it('selects by model_id or by model group, model or probed model, and answers 404 naming the parameter', () => {
    const { s } = viewsOf(TWO);
    const byId = selectHealthTargets(s, { model_id: 'claude-1' });
    expect('targets' in byId && byId.targets.map((d) => d.id)).toEqual(['claude-1']);
    const byModel = selectHealthTargets(s, { model: 'openai/gpt-4o' });
    expect('targets' in byModel && byModel.targets.map((d) => d.id)).toEqual(['gpt-1']);
    const missing = selectHealthTargets(s, { model_id: 'nope' });
    expect('notFound' in missing && missing.notFound).toMatchObject({ statusCode: 404, body: { error: { param: 'model_id', type: 'not_found' } } });
  });

  it('probes now in on-demand mode or for a targeted query, and answers from the store in background mode', () => {
    expect(selectHealthTargets(viewsOf(TWO).s, {})).toMatchObject({ probeNow: true, targeted: false });
    expect(selectHealthTargets(viewsOf(BACKGROUND).s, {})).toMatchObject({ probeNow: false, targeted: false });
    expect(selectHealthTargets(viewsOf(BACKGROUND).s, { model: 'gpt' })).toMatchObject({ probeNow: true, targeted: true });
  });

  it('splits healthy and unhealthy entries, with the error and its type, and 503 when a targeted query finds none healthy', () => {
    const { s, store } = viewsOf(TWO);
    store.set(result('gpt-1', T, true));
    store.set(result('claude-1', T, false));
    const all = healthAnswer(s, store, T, { targets: s.deployments, targeted: false });
    const body = all.body as HealthReport;
    expect(all.statusCode).toBe(200);
    expect(body.healthy_endpoints.map((e) => e.model_id)).toEqual(['gpt-1']);
    expect(body.unhealthy_endpoints[0]).toMatchObject({ model_id: 'claude-1', error_type: 'server_error', exception_status: 503, error: '503: upstream overloaded' });
    const claude = s.deployments.filter((d) => d.id === 'claude-1');
    expect(healthAnswer(s, store, T, { targets: claude, targeted: true }).statusCode).toBe(503);
  });

  it('shows a result older than the staleness threshold as unhealthy "stale", in background mode only', () => {
    const bg = viewsOf(BACKGROUND);
    bg.store.set(result('gpt-1', T, true));
    const late = T + 181_000; // threshold: 2 × 60 s interval + 60 s timeout
    const body = healthAnswer(bg.s, bg.store, late, { targets: bg.s.deployments, targeted: false }).body as HealthReport;
    expect(body.unhealthy_endpoints[0]).toMatchObject({ model_id: 'gpt-1', error_type: 'stale' });
    const od = viewsOf(TWO);
    od.store.set(result('gpt-1', T, true));
    expect((healthAnswer(od.s, od.store, late, { targets: od.s.deployments, targeted: false }).body as HealthReport).healthy_count).toBe(1);
  });

  it('with health_check_details: false, hides URLs, errors and params but keeps the status', () => {
    const { s, store } = viewsOf(`${TWO}\ngeneral_settings: { health_check_details: false }\n`);
    store.set(result('gpt-1', T, false));
    const text = JSON.stringify(healthAnswer(s, store, T, { targets: s.deployments, targeted: false }).body);
    expect(text).toContain('"exception_status":503');
    for (const hidden of ['api_base', 'llm.example', 'upstream overloaded', 'error_type', 'custom_llm_provider']) expect(text).not.toContain(hidden);
  });

  it('never shows a secret from the config', () => {
    const { s, store } = viewsOf(TWO);
    store.set(result('gpt-1', T, true));
    const text = JSON.stringify(healthAnswer(s, store, T, { targets: s.deployments, targeted: false }).body);
    expect(text).toContain('llm.example');
    for (const secret of ['sk-canary-views', 'pa55word', 'querysecret', 'sk-ant-canary']) expect(text).not.toContain(secret);
  });
});

describe('the /health body from the store', () => {
  const body = () => new HealthBody((e) => JSON.stringify(e));

  it('is the same bytes while nothing changes, and changes with the store or the config generation', () => {
    const a = viewsOf(BACKGROUND, {}, 1);
    const cache = body();
    a.store.set(result('gpt-1', T, true));
    const b1 = storedHealthBody(cache, a.s, a.store, T + 1000, {});
    expect(b1).toBeDefined();
    expect(storedHealthBody(cache, a.s, a.store, T + 2000, {})).toBe(b1);
    a.store.set(result('claude-1', T + 2000, true));
    const b2 = storedHealthBody(cache, a.s, a.store, T + 3000, {});
    const text = (b: BodyParts | undefined) => (b ? Buffer.concat(b.parts).toString() : '');
    expect(text(b2)).not.toBe(text(b1));
    const reloaded = viewsOf(BACKGROUND.replace('model_name: claude', 'model_name: claude-renamed'), {}, 2);
    expect(text(storedHealthBody(cache, reloaded.s, a.store, T + 3000, {}))).toContain('claude-renamed');
  });

  it('is undefined for queries and in on-demand mode (those answers probe)', () => {
    const a = viewsOf(BACKGROUND);
    expect(storedHealthBody(body(), a.s, a.store, T, { model: 'gpt' })).toBeUndefined();
    expect(storedHealthBody(body(), a.s, a.store, T, { model_id: 'gpt-1' })).toBeUndefined();
    const od = viewsOf(TWO);
    expect(storedHealthBody(body(), od.s, od.store, T, {})).toBeUndefined();
  });
});
