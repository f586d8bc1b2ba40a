import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import { verdictOf, type ProbeResult } from '../core/result.js';

/** What a model group can do for a router: one of its deployments is healthy, none known yet, all down, or none exists. */
type GroupState = 'healthy' | 'pending' | 'unhealthy' | 'missing';

interface Group { name: string; state: GroupState; stale: boolean }

const WHY: Record<Exclude<GroupState, 'healthy'>, string> = {
  pending: 'not checked yet',
  unhealthy: 'unhealthy',
  missing: 'no deployment has this model_name',
};

/**
 * A strategy router's result (`model: auto_router/…`), derived from the shown results of the
 * deployments it routes to, as LiteLLM grades routers from their dependencies: it is never
 * probed itself. Healthy when a group it routes to has a healthy deployment and no group it must
 * call to choose (a classifier or embedding model) is down; pending while that is not known;
 * else unhealthy, naming each group and why. `details` says which groups it routes to and
 * through which it is healthy. Routers that route to routers are followed, a cycle is cut.
 */
export function strategyRouterResult(s: Snapshot, d: Deployment, shown: (d: Deployment) => ProbeResult | undefined, now: number): ProbeResult | undefined {
  return grade(s, d, shown, now, new Set());
}

function grade(s: Snapshot, d: Deployment, shown: (d: Deployment) => ProbeResult | undefined, now: number, seen: Set<string>): ProbeResult | undefined {
  const router = d.router!;
  const base = { deploymentId: d.id, startedAt: now, checkedAt: now, latencyMs: 0, headers: {} };
  if (d.configError) return { ...base, healthy: false, verdict: 'unhealthy', errorType: 'config', error: d.configError, status: 500 };
  const inner = new Set(seen).add(d.id);
  let checkedAt = 0;
  const group = (name: string): Group => {
    const members = (s.byModelName.get(name) ?? []).filter((x) => !inner.has(x.id));
    if (!members.length) return { name, state: 'missing', stale: false };
    const results = members.map((x) => (x.router ? grade(s, x, shown, now, inner) : shown(x)));
    for (const r of results) if (r && r.checkedAt > checkedAt) checkedAt = r.checkedAt;
    const verdicts = results.map((r) => (r ? verdictOf(r) : 'pending'));
    const state: GroupState = verdicts.includes('healthy') ? 'healthy' : verdicts.includes('pending') ? 'pending' : 'unhealthy';
    return { name, state, stale: state === 'unhealthy' && results.every((r) => r?.errorType === 'stale') };
  };
  const routes = router.routes.map(group);
  const required = router.required.map(group);
  const details = {
    strategy_router: router.kind,
    routes_to: router.routes.join(', '),
    healthy_via: routes.filter((g) => g.state === 'healthy').map((g) => g.name).join(', '),
  };
  const when = checkedAt || now;
  const fail = (error: string, failing: readonly Group[]): ProbeResult => ({
    ...base, startedAt: when, checkedAt: when, healthy: false, verdict: 'unhealthy', details,
    errorType: failing.every((g) => g.stale) ? 'stale' : 'no_healthy_route', error, status: 503,
  });
  const down = required.filter((g) => g.state === 'unhealthy' || g.state === 'missing');
  if (down.length) return fail(`cannot choose a route: ${down.map(describe).join('; ')}`, down);
  if (routes.some((g) => g.state === 'healthy')) return { ...base, startedAt: when, checkedAt: when, healthy: true, verdict: 'healthy', details };
  if (routes.some((g) => g.state === 'pending')) return undefined;
  return fail(`no model group it routes to has a healthy deployment: ${routes.map(describe).join('; ')}`, routes);
}

function describe(g: Group): string {
  return `${g.name} (${g.state === 'healthy' ? 'healthy' : WHY[g.state]})`;
}
