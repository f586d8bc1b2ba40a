import type { Context } from '@opentelemetry/api';
import type { Deployment } from '../config/deployment.js';
import type { ProbePlugin } from '../plugins/contract.js';
import type { HealthStore, ProbeResult } from '../store/types.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { DueQueue } from './due-queue.js';
import { Limiter } from './limiter.js';
import { runProbe } from './runner.js';

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
  #background: (BackgroundPlan & { byId: Map<string, Deployment> }) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  /** End of the first complete round (epoch ms), then of each later on-demand round. */
  lastRoundAt: number | undefined;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.#limiter = new Limiter(opts.concurrency);
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
        if (accept?.(d.id) ?? true) {
          store.set(r);
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
   * Background checks: a first round over every deployment at start-up (readiness waits for
   * it), then each deployment's next probe one interval after, shifted by its slot: deployment
   * i of N is due at interval × (1 + i/N) after the start. Every later probe is due one interval
   * after the previous one was due, and never sooner than one interval after it really started.
   */
  async startBackground(plan: BackgroundPlan): Promise<void> {
    this.#background = { ...plan, byId: new Map(plan.deployments.map((d) => [d.id, d])) };
    const start = this.now;
    const first = await this.probeAll(plan.deployments);
    if (this.#shutdown.signal.aborted || !this.#background) return;
    const n = this.#background.deployments.length;
    this.#background.deployments.forEach((d, i) => {
      const intervalMs = this.#background!.intervalS(d) * 1000;
      const startedAt = first.find((f) => f.result.deploymentId === d.id)?.result.startedAt ?? start;
      this.#queue.set(d.id, Math.max(start + intervalMs * (1 + i / n), startedAt + intervalMs));
    });
    this.#arm();
  }

  /**
   * Swaps the background set (config reload). Kept deployments keep their slot; removed ones
   * leave the queue; added ones are spread over the next interval, the first of them now.
   */
  updateBackground(plan: BackgroundPlan): void {
    const old = this.#background;
    this.#background = { ...plan, byId: new Map(plan.deployments.map((d) => [d.id, d])) };
    if (!old) return; // the first round is still running; it schedules what is current when done
    for (const id of old.byId.keys()) if (!this.#background.byId.has(id)) this.#queue.delete(id);
    const added = plan.deployments.filter((d) => !old.byId.has(d.id));
    const now = this.now;
    added.forEach((d, k) => {
      const spacing = (plan.intervalS(d) * 1000) / Math.max(1, plan.deployments.length);
      if (!this.#inFlight.has(d.id)) this.#queue.set(d.id, now + k * spacing);
    });
    this.#arm();
  }

  #arm(): void {
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
    for (const { id, due } of this.#queue.popDue(this.now)) {
      const d = bg.byId.get(id);
      if (!d) continue;
      // Next due counts from when this one was due, so timer latency never drifts the slot.
      void this.probe(d).then((r) => {
        const current = this.#background?.byId.get(id);
        if (!current || this.#shutdown.signal.aborted) return;
        const intervalMs = this.#background!.intervalS(current) * 1000;
        this.#queue.set(id, Math.max(due + intervalMs, r.startedAt + intervalMs));
        this.#arm();
      });
    }
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
