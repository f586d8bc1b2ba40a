import type { NetworkList } from '../core/networks.js';
import { setMaxListeners } from 'node:events';
import type { Context } from '@opentelemetry/api';
import type { Deployment } from '../core/deployment.js';
import type { ProbePlugin } from '../core/plugin.js';
import type { ProbeTrace } from '../core/trace.js';
import type { HealthStore } from '../store/types.js';
import { judge, type ProbeResult, type Thresholds } from '../core/result.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { BackgroundLoop, START_BATCH, type BackgroundPlan } from './background.js';
import { Limiter } from './limiter.js';
import { runProbe } from './runner.js';
import { LocalCoordinator, type Coordinator } from '../fleet/coordinator.js';

export interface SchedulerOptions {
  store: HealthStore;
  plugins: ReadonlyMap<string, ProbePlugin>;
  /** Probes in flight at once, across background and on-demand probes together. */
  concurrency: number;
  prompt?: string;
  /** After a result is stored; `prev` is the result it replaced. */
  onResult?: (d: Deployment, r: ProbeResult, prev: ProbeResult | undefined) => void;
  /** False for a deployment no longer configured: its late result is dropped, not stored. */
  accept?: (id: string) => boolean;
  now?: () => number;
  telemetry?: Pick<Telemetry, 'startProbeSpan' | 'startRoundSpan'>;
  rateLimitedAsHealthy?: () => boolean;
  /** Where probes may not connect (the current config's). */
  denyNetworks?: () => NetworkList;
  /** A deployment's thresholds and retry interval (default 1/1: every probe is a verdict). */
  policy?: (d: Deployment) => Thresholds & { retryMs: number; staleAfterMs?: number };
  /**
   * When the maintenance window covering a deployment at `now` ends; undefined when none does.
   * A covered deployment is not probed, in the background or on demand (no spend).
   */
  maintenanceUntil?: (d: Deployment, now: number) => number | undefined;
  /**
   * Who probes what, and where results are shared; it names this replica in results
   * (checked_by). Default: a replica alone (LocalCoordinator).
   */
  coordinator?: Coordinator;
}

export type { BackgroundPlan } from './background.js';

/** An on-demand probe's answer: run now, served from the last probe (cached), or shared (joined). */
export interface OnDemandResult { result: ProbeResult; cached: boolean; joined?: boolean }

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
  /** Deployments an on-demand round will start when a slot frees (id → rounds waiting to). */
  readonly #queued = new Map<string, number>();
  /** On-demand rounds running (stop() waits for them). */
  readonly #rounds = new Set<Promise<unknown>>();
  readonly #shutdown = new AbortController();
  readonly #coordinator: Coordinator;
  readonly #background: BackgroundLoop;
  /** End of the first complete round (epoch ms), then of each later on-demand round. */
  lastRoundAt: number | undefined;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.#limiter = new Limiter(opts.concurrency);
    this.#coordinator = opts.coordinator ?? new LocalCoordinator('local');
    this.#background = new BackgroundLoop({
      probe: (d) => this.probe(d),
      isInFlight: (id) => this.#inFlight.has(id),
      slots: () => this.#limiter.limit,
      now: () => this.now,
      store: opts.store,
      coordinator: this.#coordinator,
      policy: (d) => this.#policy(d),
      stopped: () => this.#shutdown.signal.aborted,
      firstRoundDone: (at) => { this.lastRoundAt = at; },
      pausedUntil: (d) => opts.maintenanceUntil?.(d, this.now),
    });
    // Every running probe listens for shutdown (up to the concurrency cap, by design).
    setMaxListeners(0, this.#shutdown.signal);
  }

  /** Deployments with a probe started: running, or waiting for a limiter slot (at most the cap, plus joined callers). */
  get inFlight() { return this.#inFlight.size; }
  /** Deployments on-demand rounds have yet to start (waiting in the round, not as a probe). */
  get queued() { return this.#queued.size; }
  /** Probes running now, and the most that ever ran at once (never above the cap). */
  get running() { return this.#limiter.active; }
  get peakRunning() { return this.#limiter.peak; }
  get now() { return (this.#opts.now ?? Date.now)(); }

  set concurrency(n: number) { this.#limiter.limit = n; }

  /** Whether a probe of the deployment is pending now (running, waiting for a slot, or queued in a round). */
  probing(id: string): boolean { return this.#inFlight.has(id) || this.#queued.has(id); }

  /** Probes one deployment now, or joins the probe of it already in flight (untraced, then). */
  probe(d: Deployment, parent?: Context, trace?: ProbeTrace): Promise<ProbeResult> {
    const running = this.#inFlight.get(d.id);
    if (running) return running;
    const p = this.#probeOnce(d, parent, trace);
    this.#inFlight.set(d.id, p);
    return p;
  }

  /** One probe under the cap, its result stored: one async frame, no chain of promises per probe. */
  async #probeOnce(d: Deployment, parent: Context | undefined, trace: ProbeTrace | undefined): Promise<ProbeResult> {
    const { plugins, prompt, now, telemetry, store, accept, onResult } = this.#opts;
    try {
      // First an await: probe() puts this promise in #inFlight after this call returns, so a
      // synchronous throw below (a span processor's onStart, a settings callback) must reject it
      // later, for the finally to take it out again, not before it is put in for good.
      await undefined;
      const rateLimitedAsHealthy = this.#opts.rateLimitedAsHealthy?.() ?? false;
      const denyNetworks = this.#opts.denyNetworks?.();
      if (!this.#limiter.tryAcquire()) await this.#limiter.acquire();
      let r: ProbeResult;
      try {
        r = await runProbe(d, { plugins, prompt, now, telemetry, parent, rateLimitedAsHealthy, denyNetworks, trace, signal: this.#shutdown.signal });
      } finally {
        this.#limiter.release();
      }
      r.checkedBy = this.#coordinator.replicaId;
      if (accept?.(d.id) ?? true) {
        const prev = store.get(d.id);
        Object.assign(r, judge(prev, r.healthy, this.#policy(d)));
        store.set(r);
        void this.#coordinator.publish(r);
        this.#background.confirmSoon(d, r);
        onResult?.(d, r, prev);
      }
      return r;
    } finally {
      this.#inFlight.delete(d.id);
    }
  }

  /**
   * An on-demand probe that never probes a deployment more often than `minIntervalMs`: inside
   * that window since the last probe started, the stored result is returned, marked cached.
   * `joined`: a probe was already in flight and its result is returned (without `trace`).
   */
  async probeAtMostEvery(d: Deployment, minIntervalMs: number, parent?: Context, trace?: ProbeTrace): Promise<OnDemandResult> {
    const running = this.#inFlight.get(d.id);
    if (running) return { result: await running, cached: false, joined: true };
    const last = this.#opts.store.get(d.id);
    if (last && this.now - last.startedAt < minIntervalMs) return { result: last, cached: true };
    return { result: await this.probe(d, parent, trace), cached: false };
  }

  /**
   * Probes every deployment given (each at most once at a time), bounded by the global cap. Those
   * in a maintenance window are left out: they have no result in the answer.
   * `onEach` hears each deployment's result as it comes (a caller may stop waiting for the rest).
   */
  async probeAll(asked: readonly Deployment[], minIntervalMs = 0, onEach?: (r: OnDemandResult) => void): Promise<OnDemandResult[]> {
    const paused = this.#opts.maintenanceUntil;
    const ds = paused ? asked.filter((d) => paused(d, this.now) === undefined) : asked;
    const round = this.#opts.telemetry?.startRoundSpan(ds.length);
    for (const d of ds) this.#queued.set(d.id, (this.#queued.get(d.id) ?? 0) + 1);
    const results = new Array<OnDemandResult>(ds.length);
    // What each deployment showed when the round began: a different result later is a probe
    // that ended since (compared by identity; times in ms could not tell a probe of the previous
    // round, in the same millisecond, from one of this round).
    const before = ds.map((d) => this.#opts.store.get(d.id));
    let next = 0;
    // As many workers as slots, each starting the next deployment when its probe ends: a round
    // over 10,000 deployments holds `limit` probe chains, not 10,000 (356 MB of RSS at 10,000).
    const worker = async () => {
      while (next < ds.length) {
        const i = next++;
        const d = ds[i]!;
        this.#unqueue(d.id);
        // Probed by another caller since the round began (and done): that probe is the round's,
        // as if it had joined the round's own; a deployment is never probed twice for one round.
        const latest = this.#inFlight.has(d.id) ? undefined : this.#opts.store.get(d.id);
        const r = latest && latest !== before[i]
          ? { result: latest, cached: false, joined: true }
          : await this.probeAtMostEvery(d, minIntervalMs, round?.context);
        results[i] = r;
        onEach?.(r);
      }
    };
    // Workers start a batch per event-loop turn, as background probes do: requests are served in between.
    const run = (async () => {
      const workers: Promise<void>[] = [];
      for (let w = 0; w < Math.min(ds.length, this.#limiter.limit); w++) {
        if (w > 0 && w % START_BATCH === 0) await new Promise((r) => setImmediate(r));
        const p = worker();
        p.catch(() => {}); // awaited below; not "unhandled" while the next batch waits its turn
        workers.push(p);
      }
      await Promise.all(workers);
    })();
    this.#rounds.add(run);
    try {
      await run;
      this.lastRoundAt = this.now;
      round?.span.setAttribute('llm.unhealthy', results.filter((r) => !r.result.healthy).length);
      return results;
    } finally {
      this.#rounds.delete(run);
      // A failed round (onEach threw) starts nothing more.
      for (; next < ds.length; next++) this.#unqueue(ds[next]!.id);
      round?.span.end();
    }
  }

  #unqueue(id: string): void {
    const n = this.#queued.get(id) ?? 0;
    if (n > 1) this.#queued.set(id, n - 1);
    else this.#queued.delete(id);
  }

  /**
   * Background checks (background.ts): every deployment at start-up, resolving when each has a
   * result (readiness waits for that first round), then on its own slot of the grid.
   */
  async startBackground(plan: BackgroundPlan): Promise<void> {
    await this.#background.start(plan);
  }

  /** Swaps the background set (config reload): kept ones keep their slot, added ones are due now. */
  updateBackground(plan: BackgroundPlan): void { this.#background.update(plan); }

  /** Re-checks whether the first round is complete (fleet mode: after the fleet's results sync in). */
  refreshFirstRound(): void { this.#background.refreshFirstRound(); }

  #policy(d: Deployment) {
    return this.#opts.policy?.(d) ?? { failureThreshold: 1, successThreshold: 1, retryMs: Infinity };
  }

  /** Stops scheduling and aborts every probe in flight; resolves when they have ended. */
  async stop(): Promise<void> {
    this.#background.stop();
    this.#shutdown.abort();
    // Rounds go on starting their queued deployments, each aborted at once: wait for them too.
    while (this.#inFlight.size || this.#rounds.size) await Promise.allSettled([...this.#inFlight.values(), ...this.#rounds]);
  }
}
