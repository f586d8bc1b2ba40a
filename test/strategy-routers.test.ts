import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { closeWhenTestEnds, exporterForTest } from './support/exporter.js';
import { startFakeUpstream } from './support/fake-upstream.js';
import { parsePromText } from './support/prom-text.js';
import { waitFor } from './support/tools.js';

/**
 * LiteLLM's strategy routers (`model: auto_router/…`) name no provider model: they are never
 * probed themselves, and are graded from the deployments of the model groups they route to
 * (litellm/proxy/health_check.py). Here: healthy when one routed-to group has a healthy
 * deployment, and the entry says which.
 */

/** A deployment of model group `name` on the fake upstream, answering as `behaviour` (fake-upstream.ts). */
const group = (base: string, name: string, behaviour = 'ok') =>
  `  - model_name: ${name}\n    litellm_params: { model: openai/${behaviour}, api_base: "${base}", api_key: sk-test }\n    model_info: { id: ${name}-${behaviour} }\n`;

const adaptive = (routes: string[]) => `  - model_name: smart
    litellm_params:
      model: auto_router/adaptive_router
      adaptive_router_config:
        available_models: [${routes.join(', ')}]
        weights: { quality: 0.7, cost: 0.3 }
    model_info: { id: smart-router }
`;

function entry(report: Record<string, any>, id: string): Record<string, any> | undefined {
  return [...report.healthy_endpoints, ...report.unhealthy_endpoints, ...report.pending_endpoints].find((e) => e.model_id === id);
}

describe('which model groups a router routes to, read as LiteLLM reads them', () => {
  const config = parseConfig(`
model_list:
  - model_name: adaptive
    litellm_params: { model: auto_router/adaptive_router, adaptive_router_config: { available_models: [fast, capable] } }
  - model_name: complexity
    litellm_params:
      model: auto_router/complexity_router
      complexity_router_config:
        tiers: { SIMPLE: fast, MEDIUM: [fast, mid], COMPLEX: capable, REASONING: capable }
        classifier_type: llm
        classifier_llm_config: { model: judge }
      complexity_router_default_model: mid
  - model_name: semantic
    litellm_params:
      model: auto_router/my-router
      auto_router_config: '{"routes": [{"name": "coder", "utterances": ["write code"]}]}'
      auto_router_default_model: fast
      auto_router_embedding_model: embedder
  - model_name: quality
    litellm_params: { model: auto_router/quality_router, quality_router_config: { available_models: [fast], default_model: capable } }
  - model_name: heuristic
    litellm_params: { model: auto_router/complexity_router, complexity_router_config: { tiers: { SIMPLE: fast }, classifier_type: heuristic, classifier_llm_config: { model: judge } } }
  - model_name: empty
    litellm_params: { model: auto_router/adaptive_router, adaptive_router_config: {} }
`, 'c.yaml', {});
  const router = (name: string) => config.deployments.find((d) => d.modelName === name)!;

  it.each([
    ['adaptive', 'adaptive', ['fast', 'capable'], []],
    ['complexity', 'complexity', ['fast', 'mid', 'capable'], ['judge']],
    ['semantic', 'semantic', ['coder', 'fast'], ['embedder']],
    ['quality', 'quality', ['fast', 'capable'], []],
    ['heuristic', 'complexity', ['fast'], []],
  ])('%s: a %s router routing to %j, calling %j to choose', (name, kind, routes, required) => {
    expect(router(name).router).toEqual({ kind, routes, required });
    expect(router(name).configError).toBeUndefined();
  });

  it('a router that names no model group to route to is a config error naming what to set', () => {
    expect(router('empty').configError).toBe('model_list[5].litellm_params.model: strategy router (adaptive) routes to no model group: set adaptive_router_config.available_models');
  });

  it('a provider model is no router', () => {
    expect(parseConfig('model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o }\n', 'c.yaml', {}).deployments[0]?.router).toBeUndefined();
  });
});

describe('a strategy router is graded from the deployments it routes to', () => {
  it('--once probes what it routes to, never the router, and reports it healthy through the healthy group', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:\n${group(up.openaiBase, 'fast', 'server_error')}${group(up.openaiBase, 'capable')}${group(up.openaiBase, 'unrelated')}${adaptive(['fast', 'capable'])}`, { listen: false });
    const report = await ex.app.once();
    expect(up.requests.map((r) => r.model).sort()).toEqual(['ok', 'ok', 'server_error']);
    expect(up.requests.every((r) => !String(r.model).includes('router'))).toBe(true);
    expect(entry(report, 'smart-router')).toMatchObject({
      model: 'auto_router/adaptive_router', model_name: 'smart', custom_llm_provider: 'auto_router',
      details: { strategy_router: 'adaptive', routes_to: 'fast, capable', healthy_via: 'capable' },
    });
    expect(report.healthy_endpoints.map((e) => e.model_id)).toContain('smart-router');
  });

  it('is unhealthy when no group it routes to has a healthy deployment, naming each group and why', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:\n${group(up.openaiBase, 'fast', 'server_error')}${group(up.openaiBase, 'capable', 'unauthorized')}${adaptive(['fast', 'capable', 'gone'])}`, { listen: false });
    const report = await ex.app.once();
    expect(entry(report, 'smart-router')).toMatchObject({
      error_type: 'no_healthy_route',
      exception_status: 503,
      error: 'no model group it routes to has a healthy deployment: fast (unhealthy); capable (unhealthy); gone (no deployment has this model_name)',
      details: { healthy_via: '' },
    });
    expect(report.unhealthy_endpoints.map((e) => e.model_id)).toContain('smart-router');
  });

  it('one healthy deployment in a group is enough (a group load-balances over its deployments)', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:\n${group(up.openaiBase, 'fast', 'server_error')}${group(up.openaiBase, 'fast', 'ok')}${adaptive(['fast'])}`, { listen: false });
    expect(entry(await ex.app.once(), 'smart-router')).toMatchObject({ details: { healthy_via: 'fast' } });
  });

  it('a router it must call to choose (the classifier) being down makes it unhealthy even with a healthy route', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:
${group(up.openaiBase, 'fast')}${group(up.openaiBase, 'judge', 'server_error')}
  - model_name: auto
    litellm_params:
      model: auto_router/complexity_router
      complexity_router_config: { tiers: { SIMPLE: fast, COMPLEX: fast }, classifier_type: llm, classifier_llm_config: { model: judge } }
    model_info: { id: auto-router }
`, { listen: false });
    expect(entry(await ex.app.once(), 'auto-router')).toMatchObject({ error_type: 'no_healthy_route', error: 'cannot choose a route: judge (unhealthy)' });
  });

  it('routers routing to routers are followed; a cycle between routers is cut, not followed forever', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:
${group(up.openaiBase, 'fast')}
  - model_name: outer
    litellm_params: { model: auto_router/adaptive_router, adaptive_router_config: { available_models: [inner] } }
    model_info: { id: outer }
  - model_name: inner
    litellm_params: { model: auto_router/adaptive_router, adaptive_router_config: { available_models: [outer, fast] } }
    model_info: { id: inner }
`, { listen: false });
    const report = await ex.app.once();
    expect(up.requests).toHaveLength(1);
    expect(entry(report, 'outer')).toMatchObject({ details: { healthy_via: 'inner' } });
    expect(entry(report, 'inner')).toMatchObject({ details: { healthy_via: 'fast' } });
  });

  it('/health?model=<router> probes only what it routes to, answers only for the router: 200 when healthy, 503 when not', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:\n${group(up.openaiBase, 'fast')}${group(up.openaiBase, 'other')}${adaptive(['fast'])}general_settings: { health_check_min_interval: 0 }\n`);
    let res = await fetch(`${ex.url}/health?model=smart`);
    let body = await res.json() as Record<string, any>;
    expect(res.status).toBe(200);
    expect(body.healthy_endpoints.map((e: any) => e.model_id)).toEqual(['smart-router']);
    expect(up.requests.map((r) => r.model)).toEqual(['ok']);
    up.behaviourOf.set('ok', 'server_error');
    res = await fetch(`${ex.url}/health?model_id=smart-router`);
    body = await res.json() as Record<string, any>;
    expect(res.status).toBe(503);
    expect(body.unhealthy_endpoints.map((e: any) => e.model_id)).toEqual(['smart-router']);
  });

  it('in background mode it is listed pending, never scheduled, then follows its routes; /metrics has its verdict and no probe series', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:\n${group(up.openaiBase, 'fast')}${adaptive(['fast'])}general_settings: { background_health_checks: true, health_check_interval: 300 }\n`);
    const report = await waitFor(async () => {
      const body = await (await fetch(`${ex.url}/health`)).json() as Record<string, any>;
      return body.healthy_count === 2 ? body : undefined;
    }, 10_000, 'both healthy');
    expect(entry(report, 'smart-router')).toMatchObject({ details: { healthy_via: 'fast' } });
    expect(up.requests).toHaveLength(1);
    const samples = parsePromText(await (await fetch(`${ex.url}/metrics`)).text());
    const of = (name: string) => samples.filter((s) => s.name === name && s.labels.model_id === 'smart-router');
    expect(of('llm_deployment_healthy').map((s) => s.value)).toEqual([1]);
    expect(of('llm_deployment_probes_total')).toEqual([]);
    expect(samples.find((s) => s.name === 'llm_health_healthy_count')?.value).toBe(2);
  });

  // Found in review: /health/probe probed the router itself (a false red and a failed-probe series),
  // and a router made paid probes of deployments left out of on-demand checks.
  it('/health/probe on a router is refused (400), probing nothing and adding no probe series', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:\n${group(up.openaiBase, 'fast')}${adaptive(['fast'])}`);
    const res = await fetch(`${ex.url}/health/probe?model_id=smart-router`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('strategy router');
    expect(up.requests).toHaveLength(0);
    expect(await (await fetch(`${ex.url}/metrics`)).text()).not.toMatch(/llm_deployment_probes_total\{[^}]*model_id="smart-router"/);
  });

  it('never probes, in a router\'s place, a deployment left out of on-demand checks', async () => {
    const up = closeWhenTestEnds(await startFakeUpstream());
    const disabled = group(up.openaiBase, 'fast').replace('model_info: { id: fast-ok }', 'model_info: { id: fast-ok, disable_background_health_check: true }');
    const ex = await exporterForTest(`model_list:\n${disabled}${group(up.openaiBase, 'capable')}${adaptive(['fast', 'capable'])}general_settings:\n  health_check_skip_disabled_background_models: true\n`);
    await fetch(`${ex.url}/health`);
    expect(up.requests.map((r) => r.model)).toEqual(['ok']);
    expect(up.requests).toHaveLength(1);
  });
});
