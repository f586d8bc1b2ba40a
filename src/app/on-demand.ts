import type { Logger } from 'pino';
import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import { newTrace } from '../core/trace.js';
import type { OnDemandResult, Scheduler } from '../scheduler/scheduler.js';
import type { HealthStore } from '../store/types.js';
import { healthAnswer, selectHealthTargets, type HealthAnswer, type HealthQuery } from '../views/health.js';
import { probeAnswer, selectProbeTarget, type ProbeAnswer, type ProbeQuery } from '../views/probe.js';

export interface OnDemandDeps {
  snapshot: () => Snapshot;
  store: HealthStore;
  scheduler: Scheduler;
  logger: Logger;
}

/**
 * The part of the composition root that probes because someone asked: /health (targeted, or in
 * on-demand mode), /health/probe and the CLI's --once and --probe. Each asks the scheduler,
 * which keeps the limits (single flight, min interval, concurrency cap); the answers are views.
 */
export class OnDemand {
  readonly #deps: OnDemandDeps;

  constructor(deps: OnDemandDeps) {
    this.#deps = deps;
  }

  /**
   * An on-demand round, with a start and a finish line at debug. A strategy router is never
   * probed: the deployments it routes to are, in its place.
   */
  async round(asked: readonly Deployment[], minIntervalMs: number, onEach?: (r: OnDemandResult) => void): Promise<OnDemandResult[]> {
    const { logger, scheduler } = this.#deps;
    const targets = this.#deps.snapshot().probed(asked);
    logger.debug({ deployments: targets.length }, 'on-demand round started');
    const results = await scheduler.probeAll(targets, minIntervalMs, onEach);
    logger.debug({ deployments: targets.length, unhealthy: results.filter((r) => !r.result.healthy).length }, 'on-demand round finished');
    return results;
  }

  /**
   * /health: probes first when the query asks for it (never a deployment more often than
   * health_check_min_interval: inside it, the stored result is served, marked `cached`). With a
   * timeout (?timeout=, else health_check_targeted_timeout) it answers when that has passed,
   * showing the probes still running as such; they go on, and their results are stored.
   */
  async health(q: HealthQuery): Promise<HealthAnswer> {
    const s = this.#deps.snapshot();
    const sel = selectHealthTargets(s, q);
    if ('notFound' in sel) return sel.notFound;
    const cached = new Set<string>();
    if (!sel.probeNow) return healthAnswer(s, this.#deps.store, Date.now(), sel, cached);
    const settled = new Set<string>();
    const noteResult = (r: OnDemandResult) => {
      settled.add(r.result.deploymentId);
      if (r.cached) cached.add(r.result.deploymentId);
    };
    const round = this.round(sel.targets, s.settings.minIntervalS * 1000, noteResult);
    const timeoutS = q.timeout ?? s.settings.targetedTimeoutS;
    const started = Date.now();
    if (timeoutS === undefined) await round;
    else await finishesWithin(round, timeoutS * 1000);
    const now = Date.now();
    const running = new Set(sel.targets.filter((d) => !settled.has(d.id) && this.#deps.scheduler.probing(d.id)).map((d) => d.id));
    if (running.size) this.#deps.logger.debug({ deployments: running.size, timeout_s: timeoutS }, 'answered before the probes ended (timeout); they go on');
    return healthAnswer(s, this.#deps.store, now, sel, cached, running.size ? { ids: running, waitedMs: now - started } : undefined);
  }

  /**
   * /health/probe and --probe: one probe of one deployment now, traced when asked, within the
   * min interval (a younger last probe is shown, not repeated: 429 with Retry-After).
   */
  async probe(q: ProbeQuery): Promise<ProbeAnswer> {
    const s = this.#deps.snapshot();
    const picked = selectProbeTarget(s, q);
    if ('refused' in picked) return picked.refused;
    const d = picked.target;
    const trace = q.debug ? newTrace() : undefined;
    const run = await this.#deps.scheduler.probeAtMostEvery(d, s.settings.minIntervalS * 1000, undefined, trace);
    return probeAnswer(s, this.#deps.store, Date.now(), d, { ...run, ...(run.cached || run.joined ? {} : { trace }) }, q.debug === true);
  }
}

/** Whether `p` settles within `ms` (it keeps running either way). */
function finishesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.then(() => { clearTimeout(timer); resolve(true); }, () => { clearTimeout(timer); resolve(true); });
  });
}
