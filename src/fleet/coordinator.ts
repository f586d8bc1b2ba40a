import type { ProbeResult } from '../core/result.js';

/**
 * Who probes a deployment now:
 * - `fresh`: some replica started a probe of it less than `freshMs` ago (its start time is
 *   returned): nobody probes;
 * - `won`: this replica probes;
 * - `busy`: another replica is probing it right now;
 * - `offline`: the fleet cannot be asked (Redis down): probe locally.
 */
export type Claim = { kind: 'won' | 'busy' | 'offline' } | { kind: 'fresh'; lastStartedAt: number };

export interface CoordinatorStatus {
  /** Whether results are shared with other replicas at all. */
  shared: boolean;
  /** The shared store's address, user info removed (null when not shared). */
  address: string | null;
  reachable: boolean;
  /** Leases this replica holds now (probes it is running for the fleet). */
  leasesHeld: number;
  lastWriter?: string;
  /** Epoch ms of the last successful read of the fleet's results. */
  lastSyncAt?: number;
}

/**
 * The scheduler's one view of the fleet: claim a slot, publish a result, pull the fleet's view.
 * A single replica uses LocalCoordinator (always wins, shares nothing); fleet mode uses Redis.
 */
export interface Coordinator {
  readonly replicaId: string;
  /** Where a background grid starts: the epoch in a fleet (so replicas agree), else `start`. */
  gridOrigin(start: number): number;
  /** A small random delay added to each next due time, so a fleet's timers do not all fire together. */
  jitterMs(intervalMs: number): number;
  claim(id: string, now: number, freshMs: number, leaseMs: number): Promise<Claim>;
  /** Shares one of this replica's results (and releases its claim). Never throws. */
  publish(result: ProbeResult): Promise<void>;
  /** The fleet's latest result per id (missing ids left out); undefined when it cannot be read. */
  latest(ids: readonly string[]): Promise<Map<string, ProbeResult> | undefined>;
  /** A deployment's fleet history, oldest first. */
  history(id: string): Promise<ProbeResult[]>;
  status(): CoordinatorStatus;
  close(): Promise<void>;
}

const DONE = Promise.resolve();

/** One replica alone: every claim is won, nothing is shared. */
export class LocalCoordinator implements Coordinator {
  constructor(readonly replicaId: string) {}
  gridOrigin(start: number): number { return start; }
  jitterMs(): number { return 0; }
  async claim(): Promise<Claim> { return { kind: 'won' }; }
  publish(): Promise<void> { return DONE; } // every probe calls it: no promise made per call
  async latest(): Promise<undefined> { return undefined; }
  async history(): Promise<ProbeResult[]> { return []; }
  status(): CoordinatorStatus { return { shared: false, address: null, reachable: false, leasesHeld: 0 }; }
  async close(): Promise<void> {}
}
