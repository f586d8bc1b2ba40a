import type { HealthStore, ProbeResult, ProbeStats } from './types.js';

interface Entry {
  latest: ProbeResult;
  /** The last results, oldest first; at most historySize (shift on a ≤ 1000-item array is cheap). */
  history: ProbeResult[];
  stats: ProbeStats & { outcomes: Map<string, number> };
}

/** The in-memory store: latest result, bounded history and counters per deployment. */
export class MemoryStore implements HealthStore {
  readonly #entries = new Map<string, Entry>();
  /** Results kept per deployment: memory is bounded by deployments × historySize. */
  historySize: number;

  constructor(historySize = 100) {
    this.historySize = historySize;
  }

  get(id: string) { return this.#entries.get(id)?.latest; }
  stats(id: string) { return this.#entries.get(id)?.stats; }
  history(id: string): readonly ProbeResult[] { return this.#entries.get(id)?.history ?? []; }

  set(result: ProbeResult) {
    let e = this.#entries.get(result.deploymentId);
    if (!e) {
      e = { latest: result, history: [], stats: { since: result.startedAt, outcomes: new Map() } };
      this.#entries.set(result.deploymentId, e);
    }
    e.latest = result;
    e.history.push(result);
    while (e.history.length > this.historySize) e.history.shift();
    const key = result.healthy ? 'healthy' : (result.errorType ?? 'plugin_error');
    e.stats.outcomes.set(key, (e.stats.outcomes.get(key) ?? 0) + 1);
    if (result.healthy) e.stats.lastSuccessAt = result.checkedAt;
  }

  delete(id: string) { this.#entries.delete(id); }

  retain(ids: ReadonlySet<string>) {
    for (const id of this.#entries.keys()) if (!ids.has(id)) this.#entries.delete(id);
  }

  *values() {
    for (const e of this.#entries.values()) yield e.latest;
  }
}
