import { MemoryStore } from './memory.js';
import type { RedisCoordinator } from './redis-coordinator.js';
import type { ProbeResult } from '../core/result.js';

/**
 * Fleet mode's store: this replica's view is an in-memory mirror (so every read stays cheap and
 * keeps answering while Redis is down), fed by its own probes and by the fleet's results synced
 * from Redis. Own results are published for the other replicas.
 */
export class SharedStore extends MemoryStore {
  readonly coordinator: RedisCoordinator;

  constructor(historySize: number, coordinator: RedisCoordinator) {
    super(historySize);
    this.coordinator = coordinator;
  }

  override set(result: ProbeResult): void {
    super.set(result);
    if (result.checkedBy === this.coordinator.replicaId) void this.coordinator.publish(result);
  }

  /** Pulls the fleet's newer results for `ids` into this replica's view. */
  async sync(ids: readonly string[]): Promise<void> {
    const fleet = await this.coordinator.latest(ids);
    if (!fleet) return;
    for (const [id, r] of fleet) {
      const mine = this.get(id);
      if (!mine) {
        // First sight: take the fleet's recent history too, so /health/history is the fleet's.
        for (const h of await this.coordinator.history(id)) super.set(h);
        if (!this.get(id)) super.set(r);
      } else if (r.checkedAt > mine.checkedAt) {
        super.set(r);
      }
    }
  }
}
