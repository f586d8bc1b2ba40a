import type { Logger } from 'pino';
import type { Snapshot } from './config/snapshot.js';
import type { Deployment } from './core/deployment.js';
import type { Scheduler } from './scheduler/scheduler.js';
import type { MemoryStore } from './store/memory.js';
import { healthAnswer, selectHealthTargets } from './views/health.js';
import type { HealthQuery } from './views/index.js';

/** Probing because someone asked (a /health call, --once), then answering with a view. */
export class OnDemand {
  readonly #scheduler: Scheduler;
  readonly #store: MemoryStore;
  readonly #logger: Logger;

  constructor(scheduler: Scheduler, store: MemoryStore, logger: Logger) {
    this.#scheduler = scheduler;
    this.#store = store;
    this.#logger = logger;
  }

  /**
   * One round, with a start and a finish line at debug. A strategy router is never probed: the
   * deployments it routes to are, in its place.
   */
  async round(s: Snapshot, asked: readonly Deployment[], minIntervalMs: number) {
    const targets = s.probed(asked);
    this.#logger.debug({ deployments: targets.length }, 'on-demand round started');
    const results = await this.#scheduler.probeAll(targets, minIntervalMs);
    this.#logger.debug({ deployments: targets.length, unhealthy: results.filter((r) => !r.result.healthy).length }, 'on-demand round finished');
    return results;
  }

  /**
   * /health: probes first when the query asks for it (never a deployment more often than
   * health_check_min_interval: inside it, the stored result is served, marked `cached`).
   */
  async health(s: Snapshot, q: HealthQuery) {
    const sel = selectHealthTargets(s, q);
    if ('notFound' in sel) return sel.notFound;
    const cached = new Set<string>();
    if (sel.probeNow) {
      for (const r of await this.round(s, sel.targets, s.settings.minIntervalS * 1000)) {
        if (r.cached) cached.add(r.result.deploymentId);
      }
    }
    return healthAnswer(s, this.#store, Date.now(), sel, cached);
  }
}
