import { setMaxListeners } from 'node:events';
import type { Context } from '@opentelemetry/api';
import type { Deployment } from '../core/deployment.js';
import type { ProbePlugin } from '../core/plugin.js';
import type { HealthStore } from '../store/types.js';
import type { ProbeResult } from '../core/result.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { DueQueue } from './due-queue.js';
import { ProbeGrid, slack } from './grid.js';
import { Limiter } from './limiter.js';
import { runProbe } from './runner.js';
import { LocalCoordinator, type Coordinator } from '../fleet/coordinator.js';

export interface SchedulerOptions {
  store: HealthStore;
  plugins: ReadonlyMap<string, ProbePlugin>;
  /** Probes in flight at once, across background and on-demand probes together. */
  concurrency: number;
  prompt?: string;
  onResult?: (d: Deployment, r: ProbeResult) => void;
  /** False for a deployment no longer configured: its late result is dropped, not stored. */
  accept?: (id: string) => boolean;
  now?: () => number;
  telemetry?: Pick<Telemetry, 'startProbeSpan' | 'startRoundSpan'>;
  rateLimitedAsHealthy?: () => boolean;
  /**
   * Who probes what, and where results are shared; it names this replica in results
   * (checked_by). Default: a replica alone (LocalCoordinator).
   */
  coordinator?: Coordinator;
}

export interface BackgroundPlan {
  /** The deployments probed in the background (already filtered by the caller). */
  deployments: readonly Deployment[];
  /** Seconds between two probes of one deployment. */
  intervalS: (d: Deployment) => number;
}

/**
 * Decides when probes run. Every probe is a paid call, so:
 * - one probe per deployment at a time: callers asking while one is in flight share it;
 * - a global cap on probes in flight;
 * - background probes of a deployment start at least one interval apart, spread evenly over
 *   the interval so the upstreams see a steady trickle, not a burst every interval.
 */
export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #limiter: Limiter;
  readonly #inFlight = new Map<string, Promise<ProbeResult>>();
  readonly #shutdown = new AbortController();
  readonly #queue = new DueQueue();
  readonly #grid = new ProbeGrid();
  readonly #coordinator: Coordinator;
  #background: (BackgroundPlan & { byId: Map<string, Deployment> }) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  /** Background probes started and not yet ended (claims included). */
  #backgroundRunning = 0;
  /** Resolves startBackground once every background deployment has a result. */
  #firstRound: (() => void) | undefined;
  /** End of the first complete round (epoch ms), then of each later on-demand round. */
  lastRoundAt: number | undefined;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.#limiter = new Limiter(opts.concurrency);
    this.#coordinator = opts.coordinator ?? new LocalCoordinator('local');
    // Every running probe listens for shutdown (up to the concurrency cap, by design).
    setMaxListeners(0, this.#shutdown.signal);
  }

  /** Deployments with a probe pending: running, or waiting for a slot under the cap. */
  get inFlight() { return this.#inFlight.size; }
  /** Probes running now, and the most that ever ran at once (never above the cap). */
  get running() { return this.#limiter.active; }
  get peakRunning() { return this.#limiter.peak; }
  get now() { return (this.#opts.now ?? Date.now)(); }

  set concurrency(n: number) { this.#limiter.limit = n; }

  /** Probes one deployment now, or joins the probe of it already in flight. */
  probe(d: Deployment, parent?: Context): Promise<ProbeResult> {
    const running = this.#inFlight.get(d.id);
    if (running) return running;
    const { plugins, prompt, now, telemetry, store, accept, onResult } = this.#opts;
    const rateLimitedAsHealthy = this.#opts.rateLimitedAsHealthy?.() ?? false;
    const p = this.#limiter
      .run(() => runProbe(d, { plugins, prompt, now, telemetry, parent, rateLimitedAsHealthy, signal: this.#shutdown.signal }))
      .then((r) => {
        r.checkedBy = this.#coordinator.replicaId;
        if (accept?.(d.id) ?? true) {
          store.set(r);
          void this.#coordinator.publish(r);
          onResult?.(d, r);
        }
        return r;
      })
      .finally(() => this.#inFlight.delete(d.id));
    this.#inFlight.set(d.id, p);
    return p;
  }

  /**
   * An on-demand probe that never probes a deployment more often than `minIntervalMs`: inside
   * that window since the last probe started, the stored result is returned, marked cached.
   */
  async probeAtMostEvery(d: Deployment, minIntervalMs: number, parent?: Context): Promise<{ result: ProbeResult; cached: boolean }> {
    const running = this.#inFlight.get(d.id);
    if (running) return { result: await running, cached: false };
    const last = this.#opts.store.get(d.id);
    if (last && this.now - last.startedAt < minIntervalMs) return { result: last, cached: true };
    return { result: await this.probe(d, parent), cached: false };
  }

  /** Probes every deployment given (each at most once at a time), bounded by the global cap. */
  async probeAll(ds: readonly Deployment[], minIntervalMs = 0): Promise<Array<{ result: ProbeResult; cached: boolean }>> {
    const round = this.#opts.telemetry?.startRoundSpan(ds.length);
    try {
      const results = await Promise.all(ds.map((d) => this.probeAtMostEvery(d, minIntervalMs, round?.context)));
      this.lastRoundAt = this.now;
      round?.span.setAttribute('llm.unhealthy', results.filter((r) => !r.result.healthy).length);
      return results;
    } finally {
      round?.span.end();
    }
  }

  /**
   * Background checks. Every deployment is probed at start-up (readiness waits for that first
   * round), then on its own slot of the grid (grid.ts). A probe is never started sooner than one
   * interval after the previous one started, and never while one runs. Each due probe is claimed
   * through the coordinator (in a fleet: one replica probes, the others take its result).
   */
  async startBackground(plan: BackgroundPlan): Promise<void> {
    this.#background = { ...plan, byId: new Map(plan.deployments.map((d) => [d.id, d])) };
    const start = this.now;
    this.#grid.origin = this.#coordinator.gridOrigin(start);
    this.#assignPhases(plan);
    for (const d of plan.deployments) this.#queue.set(d.id, start);
    this.#arm();
    // Resolves when every deployment has a result (its own probe, or the fleet's).
    await new Promise<void>((resolve) => { this.#firstRound = resolve; this.#checkFirstRound(); });
  }

  /**
   * Swaps the background set (config reload). Kept deployments keep their phase; removed ones
   * leave the queue; added ones are due now.
   */
  updateBackground(plan: BackgroundPlan): void {
    const old = this.#background;
    this.#background = { ...plan, byId: new Map(plan.deployments.map((d) => [d.id, d])) };
    this.#assignPhases(plan);
    if (!old) return;
    for (const id of old.byId.keys()) if (!this.#background.byId.has(id)) { this.#queue.delete(id); this.#grid.forget(id); }
    const now = this.now;
    for (const d of plan.deployments) if (!old.byId.has(d.id) && !this.#inFlight.has(d.id)) this.#queue.set(d.id, now);
    this.#arm();
    this.#checkFirstRound();
  }

  #assignPhases(plan: BackgroundPlan): void { this.#grid.assign(plan.deployments, (i) => plan.intervalS(plan.deployments[i]!) * 1000); }
  #nextDue(d: Deployment, startedAt: number): number { return this.#grid.nextDue(d.id, this.#background!.intervalS(d) * 1000, startedAt); }

  /** Re-checks whether the first round is complete (fleet mode: after the fleet's results sync in). */
  refreshFirstRound(): void { this.#checkFirstRound(); }

  #checkFirstRound(): void {
    const bg = this.#background;
    if (!this.#firstRound || !bg) return;
    if (bg.deployments.every((d) => this.#opts.store.get(d.id))) {
      this.lastRoundAt = this.now;
      const done = this.#firstRound;
      this.#firstRound = undefined;
      done();
    }
  }

  #arm(): void {
    // Every slot busy: the next background probe to end re-arms (see #runDue).
    if (this.#backgroundRunning >= this.#limiter.limit) return;
    const next = this.#queue.peek();
    if (next === undefined || this.#shutdown.signal.aborted) return;
    if (this.#timer && next >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(() => this.#tick(), Math.min(Math.max(0, next - this.now), 2 ** 31 - 1));
  }

  #tick(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const bg = this.#background;
    if (!bg || this.#shutdown.signal.aborted) return;
    // Only as many as there are free slots: due probes wait here, not as 10,000 pending promise
    // chains in the limiter (that burst is what grew the heap at start-up; npm run bench).
    for (const { id } of this.#queue.popDue(this.now, this.#limiter.limit - this.#backgroundRunning)) {
      const d = bg.byId.get(id);
      if (d) void this.#runDue(d);
    }
    this.#arm();
  }

  /** One due background probe, claimed through the coordinator first. */
  async #runDue(d: Deployment): Promise<void> {
    this.#backgroundRunning++;
    try {
      await this.#runDueNow(d);
    } finally {
      this.#backgroundRunning--;
      this.#arm();
    }
  }

  async #runDueNow(d: Deployment): Promise<void> {
    const intervalMs = this.#background!.intervalS(d) * 1000;
    let startedAt: number;
    // "Fresh" allows the same slack, so timer jitter across replicas never causes a double probe.
    const claim = await this.#coordinator.claim(d.id, this.now, intervalMs - slack(intervalMs), d.timeoutMs + 2000);
    if (claim.kind === 'fresh') {
      startedAt = claim.lastStartedAt;
    } else if (claim.kind === 'busy') {
      // Another replica is probing it now: its result covers this slot; try the next one. A
      // replica that died mid-probe keeps the lease until it expires, then another takes over.
      this.#requeue(d.id, this.#nextDue(d, this.now));
      return;
    } else {
      startedAt = (await this.probe(d)).startedAt;
    }
    this.#checkFirstRound();
    this.#requeue(d.id, this.#nextDue(d, startedAt) + this.#coordinator.jitterMs(intervalMs));
  }

  #requeue(id: string, due: number): void {
    if (!this.#background?.byId.has(id) || this.#shutdown.signal.aborted) return;
    this.#queue.set(id, due);
    this.#arm();
  }

  /** Stops scheduling and aborts every probe in flight; resolves when they have ended. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#queue.clear();
    this.#shutdown.abort();
    await Promise.allSettled([...this.#inFlight.values()]);
  }
}
