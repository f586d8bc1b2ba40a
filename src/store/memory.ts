import { EMPTY_HISTORY, HistoryRing, StringTable } from './history-ring.js';
import type { HealthStore, History, ProbeStats } from './types.js';
import type { ProbeResult } from '../core/result.js';
import { Uptime } from './uptime.js';

interface Entry {
  latest: ProbeResult;
  /** The last results, compact (see HistoryRing). */
  history: HistoryRing;
  stats: ProbeStats & { outcomes: Map<string, number> };
  /** Verdicts per hour and per day, for uptime bars and badges. */
  uptime: Uptime;
}

/** The in-memory store: latest result, bounded history and counters per deployment. */
export class MemoryStore implements HealthStore {
  readonly #entries = new Map<string, Entry>();
  readonly #strings = new StringTable();
  #version = 0;
  #historySize: number;

  constructor(historySize = 100) {
    this.#historySize = historySize;
  }

  /** Results kept per deployment: memory is bounded by deployments × historySize. */
  get historySize() { return this.#historySize; }
  set historySize(n: number) {
    if (n === this.#historySize) return;
    this.#historySize = n;
    for (const e of this.#entries.values()) e.history = e.history.resized(n);
    this.#version++;
  }

  get version() { return this.#version; }
  get(id: string) { return this.#entries.get(id)?.latest; }
  stats(id: string) { return this.#entries.get(id)?.stats; }
  history(id: string): History { return this.#entries.get(id)?.history ?? EMPTY_HISTORY; }
  uptime(id: string): Uptime | undefined { return this.#entries.get(id)?.uptime; }

  set(result: ProbeResult) {
    this.#version++;
    let e = this.#entries.get(result.deploymentId);
    if (!e) {
      const history = new HistoryRing(result.deploymentId, this.#historySize, this.#strings);
      e = { latest: result, history, stats: { since: result.startedAt, outcomes: new Map() }, uptime: new Uptime() };
      this.#entries.set(result.deploymentId, e);
    }
    e.latest = result;
    e.history.push(result);
    e.uptime.record(result);
    const key = result.healthy ? 'healthy' : (result.errorType ?? 'plugin_error');
    e.stats.outcomes.set(key, (e.stats.outcomes.get(key) ?? 0) + 1);
    if (result.healthy) e.stats.lastSuccessAt = result.checkedAt;
  }

  delete(id: string) {
    if (this.#entries.delete(id)) this.#version++;
  }

  retain(ids: ReadonlySet<string>) {
    for (const id of this.#entries.keys()) if (!ids.has(id)) this.delete(id);
  }

  *values() {
    for (const e of this.#entries.values()) yield e.latest;
  }
}
