import type { HealthStore, ProbeResult, ProbeStats } from './types.js';

interface Entry {
  latest: ProbeResult;
  stats: ProbeStats & { outcomes: Map<string, number> };
}

export class MemoryStore implements HealthStore {
  readonly #entries = new Map<string, Entry>();

  get(id: string) { return this.#entries.get(id)?.latest; }
  stats(id: string) { return this.#entries.get(id)?.stats; }

  set(result: ProbeResult) {
    let e = this.#entries.get(result.deploymentId);
    if (!e) {
      e = { latest: result, stats: { since: result.startedAt, outcomes: new Map() } };
      this.#entries.set(result.deploymentId, e);
    }
    e.latest = result;
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
