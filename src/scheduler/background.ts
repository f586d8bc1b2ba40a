import type { Deployment } from '../core/deployment.js';
import { inDoubt, type ProbeResult, type Thresholds } from '../core/result.js';
import type { Coordinator } from '../fleet/coordinator.js';
import type { HealthStore } from '../store/types.js';
import { DueQueue } from './due-queue.js';
import { FirstRoundCursor } from './first-round.js';
import { ProbeGrid, slack } from './grid.js';
import { TurnTimer } from './turn-timer.js';

export interface BackgroundPlan {
  /** The deployments probed in the background (already filtered by the caller). */
  deployments: readonly Deployment[];
  /** Seconds between two probes of one deployment. */
  intervalS: (d: Deployment) => number;
  /** Where the grid starts (start only): a restart resumes its predecessor's grid. Default: the coordinator's choice. */
  origin?: number;
}

/** What the background loop needs from the scheduler that owns it. */
export interface BackgroundHost {
  probe(d: Deployment): Promise<ProbeResult>;
  isInFlight(id: string): boolean;
  /** The global cap on probes in flight. */
  slots(): number;
  now(): number;
  store: HealthStore;
  coordinator: Coordinator;
  /** Thresholds, retry interval, and the age past which a result is stale (undefined: never). */
  policy(d: Deployment): Thresholds & { retryMs: number; staleAfterMs?: number };
  stopped(): boolean;
  /** Every background deployment has a result: the first round is complete. */
  firstRoundDone(at: number): void;
  /** When the maintenance window covering `d` now ends (undefined: not covered). */
  pausedUntil?(d: Deployment): number | undefined;
}

/** Probes started in one go before the event loop gets a turn (a burst of free slots; see #tick). */
export const START_BATCH = 16;

/**
 * Background checks: every deployment is probed at start-up, then on its own slot of the grid
 * (grid.ts). A probe is never started sooner than one interval after the previous one started
 * (the retry interval while its verdict is in doubt), and never while one runs. Each due probe
 * is claimed through the coordinator (in a fleet: one replica probes, the others take its result).
 */
export class BackgroundLoop {
  readonly #host: BackgroundHost;
  readonly #queue = new DueQueue();
  readonly #grid = new ProbeGrid();
  #plan: (BackgroundPlan & { byId: Map<string, Deployment> }) | undefined;
  /** Starts due probes a batch a turn (#tick), from the check phase only. */
  readonly #ticks = new TurnTimer(() => this.#tick());
  /** Background probes started and not yet ended (claims included). */
  #running = 0;
  /** Resolves start() once every background deployment has a result. */
  #firstRound: (() => void) | undefined;
  /** Deployments queued for the end of their maintenance window instead of their slot. */
  readonly #paused = new Set<string>();
  readonly #firstRoundCursor = new FirstRoundCursor();

  constructor(host: BackgroundHost) {
    this.#host = host;
  }

  /**
   * Every deployment due now, except those with a result already in the store (read back from
   * the database after a restart) younger than their interval: they wait for their next slot, so
   * a restart costs no probe. Resolves when each has a fresh result (its own probe, or the fleet's).
   */
  async start(plan: BackgroundPlan): Promise<void> {
    this.#plan = { ...plan, byId: new Map(plan.deployments.map((d) => [d.id, d])) };
    const start = this.#host.now();
    this.#grid.origin = plan.origin ?? this.#host.coordinator.gridOrigin(start);
    this.#assignPhases(plan);
    this.#firstRoundCursor.reset();
    for (const d of plan.deployments) this.#queue.set(d.id, this.#resumeAt(d, start));
    this.#arm();
    await new Promise<void>((resolve) => { this.#firstRound = resolve; this.#checkFirstRound(); });
  }

  /**
   * Swaps the background set (config reload). Kept deployments keep their phase; removed ones
   * leave the queue; added ones are due now.
   */
  update(plan: BackgroundPlan): void {
    const old = this.#plan;
    this.#plan = { ...plan, byId: new Map(plan.deployments.map((d) => [d.id, d])) };
    this.#assignPhases(plan);
    this.#firstRoundCursor.reset();
    if (!old) return;
    for (const id of old.byId.keys()) if (!this.#plan.byId.has(id)) { this.#queue.delete(id); this.#grid.forget(id); }
    const now = this.#host.now();
    for (const d of plan.deployments) if (!old.byId.has(d.id) && !this.#host.isInFlight(d.id)) this.#queue.set(d.id, now);
    // A reload may have shortened or removed the window they wait for.
    for (const id of this.#paused) {
      const d = this.#plan.byId.get(id);
      const due = d && (this.#host.pausedUntil?.(d) ?? now);
      if (due !== undefined && due < (this.#queue.dueOf(id) ?? Infinity)) this.#queue.set(id, due);
    }
    this.#arm();
    this.#checkFirstRound();
  }

  #assignPhases(plan: BackgroundPlan): void { this.#grid.assign(plan.deployments, (i) => plan.intervalS(plan.deployments[i]!) * 1000); }
  #nextDue(d: Deployment, startedAt: number): number { return this.#grid.nextDue(d.id, this.#plan!.intervalS(d) * 1000, startedAt); }

  /** Re-checks whether the first round is complete (fleet mode: after the fleet's results sync in). */
  refreshFirstRound(): void { this.#checkFirstRound(); }

  /** When a deployment is first due: now, or (a stored result younger than its cadence) its next slot. */
  #resumeAt(d: Deployment, now: number): number {
    const r = this.#host.store.get(d.id);
    if (!r || r.startedAt > now) return now;
    const intervalMs = this.#plan!.intervalS(d) * 1000;
    const cadence = this.#cadenceMs(d, intervalMs);
    if (now - r.startedAt >= cadence - slack(cadence)) return now;
    return cadence < intervalMs ? r.startedAt + cadence : this.#nextDue(d, r.startedAt);
  }

  /** A result recent enough to count for readiness: present, and not stale by the deployment's policy. */
  #fresh(d: Deployment, now: number): boolean {
    const r = this.#host.store.get(d.id);
    const staleMs = this.#host.policy(d).staleAfterMs;
    return r !== undefined && (staleMs === undefined || now - r.checkedAt <= staleMs);
  }

  #checkFirstRound(): void {
    const bg = this.#plan;
    if (!this.#firstRound || !bg) return;
    const now = this.#host.now();
    // One in a maintenance window gets no result until the window ends: it does not hold readiness.
    if (!this.#firstRoundCursor.complete(bg.deployments, (d) => this.#fresh(d, now) || this.#host.pausedUntil?.(d) !== undefined)) return;
    this.#host.firstRoundDone(now);
    const resolve = this.#firstRound;
    this.#firstRound = undefined;
    resolve();
  }

  #arm(): void {
    // Every slot busy: the next background probe to end re-arms (see #runDue).
    if (this.#running >= this.#host.slots()) return;
    const next = this.#queue.peek();
    if (next === undefined || this.#host.stopped()) return;
    this.#ticks.at(next, this.#host.now());
  }

  #tick(): void {
    const bg = this.#plan;
    if (!bg || this.#host.stopped()) return;
    // Only as many as there are free slots: due probes wait here, not as 10,000 pending promise
    // chains in the limiter (that burst is what grew the heap at start-up; npm run bench). And a
    // batch a turn, the event loop serving requests in between: 100 free slots started at
    // once held readiness and /metrics for the whole burst (test/faults/load-2000-hanging).
    const free = this.#host.slots() - this.#running;
    const batch = Math.min(free, START_BATCH);
    for (const { id } of this.#queue.popDue(this.#host.now(), batch)) {
      const d = bg.byId.get(id);
      if (d) void this.#runDue(d);
    }
    const next = this.#queue.peek();
    if (free > batch && next !== undefined && next <= this.#host.now()) this.#ticks.next();
    else this.#arm();
  }

  /** One due background probe, claimed through the coordinator first. */
  async #runDue(d: Deployment): Promise<void> {
    this.#running++;
    try {
      await this.#runDueNow(d);
    } finally {
      this.#running--;
      this.#arm();
    }
  }

  /** The wait before the next probe: the retry interval while the verdict is in doubt, else the interval. */
  #cadenceMs(d: Deployment, intervalMs: number): number {
    const r = this.#host.store.get(d.id);
    const policy = this.#host.policy(d);
    return r && inDoubt(r, policy) ? Math.min(policy.retryMs, intervalMs) : intervalMs;
  }

  async #runDueNow(d: Deployment): Promise<void> {
    // In a maintenance window: no probe (no spend); due again when the window ends.
    const until = this.#host.pausedUntil?.(d);
    if (until !== undefined) {
      this.#paused.add(d.id);
      this.#checkFirstRound();
      this.#requeue(d.id, until);
      return;
    }
    this.#paused.delete(d.id);
    const intervalMs = this.#plan!.intervalS(d) * 1000;
    const wantedMs = this.#cadenceMs(d, intervalMs);
    let startedAt: number;
    // "Fresh" allows the same slack, so timer jitter across replicas never causes a double probe.
    const claim = await this.#host.coordinator.claim(d.id, this.#host.now(), wantedMs - slack(wantedMs), d.timeoutMs + 2000);
    if (claim.kind === 'fresh') {
      startedAt = claim.lastStartedAt;
    } else if (claim.kind === 'busy') {
      // Another replica is probing it now: its result covers this slot; try the next one. A
      // replica that died mid-probe keeps the lease until it expires, then another takes over.
      this.#requeue(d.id, this.#nextDue(d, this.#host.now()));
      return;
    } else {
      startedAt = (await this.#host.probe(d)).startedAt;
    }
    this.#checkFirstRound();
    // In doubt: a confirmation probe after the retry interval, off the grid; once the verdict is
    // settled, back to the grid (a dead upstream is probed once an interval, never in a storm).
    const nextMs = this.#cadenceMs(d, intervalMs);
    const due = nextMs < intervalMs ? startedAt + nextMs : this.#nextDue(d, startedAt);
    this.#requeue(d.id, due + this.#host.coordinator.jitterMs(nextMs));
  }

  #requeue(id: string, due: number): void {
    if (!this.#plan?.byId.has(id) || this.#host.stopped()) return;
    this.#queue.set(id, due);
    this.#arm();
  }

  /**
   * A probe made outside the loop (an on-demand /health?model=) left the verdict in doubt:
   * confirm it after the retry interval instead of at the deployment's next slot.
   */
  confirmSoon(d: Deployment, r: ProbeResult): void {
    const queued = this.#queue.dueOf(d.id);
    if (queued === undefined || !this.#plan?.byId.has(d.id)) return; // its own probe requeues it
    const policy = this.#host.policy(d);
    if (!inDoubt(r, policy)) return;
    const due = r.startedAt + Math.min(policy.retryMs, this.#plan.intervalS(d) * 1000);
    if (due < queued) this.#requeue(d.id, due);
  }

  stop(): void {
    this.#ticks.stop();
    this.#queue.clear();
  }
}
