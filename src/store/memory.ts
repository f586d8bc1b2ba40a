import type { HealthStore, ProbeResult } from './types.js';

export class MemoryStore implements HealthStore {
  readonly #latest = new Map<string, ProbeResult>();
  get(id: string) { return this.#latest.get(id); }
  set(result: ProbeResult) { this.#latest.set(result.deploymentId, result); }
  delete(id: string) { this.#latest.delete(id); }
  retain(ids: ReadonlySet<string>) {
    for (const id of this.#latest.keys()) if (!ids.has(id)) this.#latest.delete(id);
  }
  values() { return this.#latest.values(); }
}
