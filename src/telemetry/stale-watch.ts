import type { Logger } from 'pino';
import type { Snapshot } from '../config/snapshot.js';
import type { HealthStore } from '../store/types.js';
import { shownResult } from '../views/staleness.js';
import { logStale } from './log-lines.js';

/**
 * Going stale is a state change nobody probes for: a deployment whose schedule is overdue (a
 * stuck scheduler, a fleet that lost its replicas) gets one warn line when it goes stale, and
 * another only after it was fresh again.
 */
export class StaleWatch {
  readonly #stale = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: { snapshot: () => Snapshot; store: HealthStore; logger: Logger; everyMs?: number; now?: () => number }) {}

  start(): void {
    this.#timer = setInterval(() => this.check(), this.opts.everyMs ?? 5000);
    this.#timer.unref();
  }

  /** One pass over the background deployments (also called directly by tests). */
  check(): void {
    const s = this.opts.snapshot();
    const now = (this.opts.now ?? Date.now)();
    for (const d of s.background) {
      const shown = shownResult(s, this.opts.store, d.id, now);
      const stale = shown?.errorType === 'stale';
      if (stale && !this.#stale.has(d.id)) {
        this.#stale.add(d.id);
        logStale(this.opts.logger, d, shown);
      } else if (!stale) {
        this.#stale.delete(d.id);
      }
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
