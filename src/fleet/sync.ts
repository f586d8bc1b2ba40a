import type { HealthStore } from '../store/types.js';
import type { Coordinator } from './coordinator.js';

/**
 * Fleet mode: pulls the fleet's newer results into this replica's store, so every read (/health,
 * /metrics) stays local and keeps answering while Redis is down.
 */
export async function pullFleetResults(coordinator: Coordinator, store: HealthStore, ids: readonly string[]): Promise<void> {
  const fleet = await coordinator.latest(ids);
  if (!fleet) return;
  for (const [id, r] of fleet) {
    const mine = store.get(id);
    if (!mine) {
      // First sight: take the fleet's recent history too, so /health/history is the fleet's.
      for (const h of await coordinator.history(id)) store.set(h);
      if (!store.get(id)) store.set(r);
    } else if (r.checkedAt > mine.checkedAt) {
      store.set(r);
    }
  }
}

/** Pulls a few times per interval (every interval/5, between 200 ms and 5 s) until stopped. */
export class FleetSync {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly opts: {
    coordinator: Coordinator;
    store: HealthStore;
    ids: () => readonly string[];
    intervalS: () => number;
    /** After each pull (the scheduler re-checks whether its first round is complete). */
    afterPull: () => void;
  }) {}

  start(): void {
    const tick = async () => {
      await pullFleetResults(this.opts.coordinator, this.opts.store, this.opts.ids());
      this.opts.afterPull();
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#everyMs());
    };
    this.#timer = setTimeout(tick, this.#everyMs());
  }

  #everyMs(): number {
    return Math.min(5000, Math.max(200, (this.opts.intervalS() * 1000) / 5));
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
