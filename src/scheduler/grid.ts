/**
 * When background probes are due. Deployment i of N has the phase i/N of its interval and is
 * due at origin + phase + k × interval, so probes trickle evenly instead of bursting. A
 * deployment keeps its phase across reloads.
 */
export class ProbeGrid {
  /** Epoch ms the grid starts at (the coordinator's choice: the epoch in a fleet). */
  origin = 0;
  readonly #phase = new Map<string, number>();

  /** Gives each deployment without a phase one, spread over its interval by its position. */
  assign(deployments: readonly { id: string }[], intervalMs: (i: number) => number): void {
    const n = Math.max(1, deployments.length);
    deployments.forEach((d, i) => {
      if (!this.#phase.has(d.id)) this.#phase.set(d.id, (intervalMs(i) * i) / n);
    });
  }

  forget(id: string): void {
    this.#phase.delete(id);
  }

  /**
   * The first grid slot one interval after `startedAt`. A slot up to a tenth of an interval
   * (at most 1 s) early still counts, so a probe started a few ms late by the concurrency queue
   * or timer jitter keeps its slot instead of skipping a whole interval.
   */
  nextDue(id: string, intervalMs: number, startedAt: number): number {
    const phase = this.origin + (this.#phase.get(id) ?? 0);
    return phase + Math.ceil((startedAt + intervalMs - slack(intervalMs) - phase) / intervalMs) * intervalMs;
  }
}

/** How early a grid slot may be relative to "one interval after the last start". */
export function slack(intervalMs: number): number {
  return Math.min(1000, intervalMs / 10);
}
