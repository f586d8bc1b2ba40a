import type { Deployment } from '../config/deployment.js';
import type { ProbePlugin } from '../plugins/contract.js';
import type { HealthStore, ProbeResult } from '../store/types.js';
import { Limiter } from './limiter.js';
import { runProbe } from './runner.js';
import type { Context } from '@opentelemetry/api';
import type { Telemetry } from '../telemetry/telemetry.js';

export interface SchedulerOptions {
  store: HealthStore;
  plugins: ReadonlyMap<string, ProbePlugin>;
  /** Probes in flight at once, across background rounds and on-demand calls together. */
  concurrency: number;
  prompt?: string;
  onResult?: (d: Deployment, r: ProbeResult) => void;
  now?: () => number;
  telemetry?: Pick<Telemetry, 'startProbeSpan' | 'startRoundSpan'>;
}

/**
 * Decides when probes run. Every probe is a paid call, so: one probe per deployment at a time
 * (callers asking while one is in flight share it), and a global cap on probes in flight.
 */
export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #limiter: Limiter;
  readonly #inFlight = new Map<string, Promise<ProbeResult>>();
  readonly #shutdown = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<ProbeResult[]> | undefined;
  /** End of the last completed round (epoch ms). */
  lastRoundAt: number | undefined;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.#limiter = new Limiter(opts.concurrency);
  }

  get inFlight() { return this.#inFlight.size; }

  /** Probes one deployment now, or joins the probe of it already in flight. */
  probe(d: Deployment, parent?: Context): Promise<ProbeResult> {
    const running = this.#inFlight.get(d.id);
    if (running) return running;
    const { plugins, prompt, now, telemetry } = this.#opts;
    const p = this.#limiter
      .run(() => runProbe(d, { plugins, prompt, now, telemetry, parent, signal: this.#shutdown.signal }))
      .then((r) => {
        this.#opts.store.set(r);
        this.#opts.onResult?.(d, r);
        return r;
      })
      .finally(() => this.#inFlight.delete(d.id));
    this.#inFlight.set(d.id, p);
    return p;
  }

  /** Probes every deployment given, bounded by the global cap; resolves when all have a result. */
  async probeAll(ds: readonly Deployment[]): Promise<ProbeResult[]> {
    const round = this.#opts.telemetry?.startRoundSpan(ds.length);
    try {
      const results = await Promise.all(ds.map((d) => this.probe(d, round?.context)));
      this.lastRoundAt = (this.#opts.now ?? Date.now)();
      round?.span.setAttribute('llm.unhealthy', results.filter((r) => !r.healthy).length);
      return results;
    } finally {
      round?.span.end();
    }
  }

  /** A full round shared by concurrent callers: two /health calls never start two rounds. */
  round(ds: readonly Deployment[]): Promise<ProbeResult[]> {
    this.#round ??= this.probeAll(ds).finally(() => { this.#round = undefined; });
    return this.#round;
  }

  /**
   * Background checks: a round at start-up, then one every `intervalS` seconds measured from
   * the start of the previous round (a slow round delays the next, never overlaps it).
   */
  startBackground(deployments: () => readonly Deployment[], intervalS: number, onRoundError?: (err: unknown) => void): void {
    const tick = async () => {
      const started = Date.now();
      try {
        await this.round(deployments().filter((d) => !d.backgroundDisabled));
      } catch (err) {
        onRoundError?.(err);
      }
      if (this.#shutdown.signal.aborted) return;
      const wait = Math.max(0, started + intervalS * 1000 - Date.now());
      this.#timer = setTimeout(tick, wait);
    };
    void tick();
  }

  /** Stops scheduling and aborts every probe in flight; resolves when they have ended. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#shutdown.abort();
    await Promise.allSettled([...this.#inFlight.values()]);
  }
}
