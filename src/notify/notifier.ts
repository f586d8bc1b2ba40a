import type { Logger } from 'pino';
import type { Snapshot } from '../config/snapshot.js';
import type { NotificationTarget } from '../config/status-settings.js';
import type { Deployment } from '../core/deployment.js';
import { verdictOf, type ProbeResult, type Verdict } from '../core/result.js';
import type { HealthStore } from '../store/types.js';
import { DEFAULT_RETRY, deliver, httpPost, type Post, type RetryPolicy } from './deliver.js';
import { messagesOf, type Message, type NotifiedState } from './message.js';
import { payloadOf, titleOf } from './payloads.js';

/** Per target: messages delivered, messages given up on, failed attempts. */
export interface TargetStats { delivered: number; failed: number; attemptFailures: number }

export interface NotifierOptions {
  snapshot: () => Snapshot;
  store: Pick<HealthStore, 'get'>;
  logger: Logger;
  post?: Post;
  retry?: RetryPolicy;
  now?: () => number;
}

/** Deployments by model group, once per snapshot (a mass outage asks about every group). */
const groups = new WeakMap<Snapshot, Map<string, Deployment[]>>();
function groupsOf(s: Snapshot): Map<string, Deployment[]> {
  let g = groups.get(s);
  if (!g) {
    g = new Map();
    for (const d of s.deployments) {
      const list = g.get(d.modelName);
      if (list) list.push(d);
      else g.set(d.modelName, [d]);
    }
    groups.set(s, g);
  }
  return g;
}

const stateOf = (v: Verdict | undefined): NotifiedState => (v === 'healthy' ? 'up' : v === 'unhealthy' ? 'down' : 'unknown');

/**
 * Webhook notifications on confirmed state changes (general_settings.notifications). A change of
 * verdict (after the failure/success thresholds) opens a batch; everything that changes within
 * notification_group_wait joins it, so 20 deployments going down together are one message. The
 * batch sends at most one "down" and one "resolved" message to each target, each delivered in
 * order with retries. Deployments in a maintenance window are muted.
 */
export class Notifier {
  readonly #o: NotifierOptions;
  readonly #post: Post;
  /** Deployment id → its verdict before its first change in the open batch. */
  readonly #before = new Map<string, Verdict>();
  /** Model group → its state before the first change of one of its deployments in the batch. */
  readonly #groupsBefore = new Map<string, NotifiedState>();
  #timer: NodeJS.Timeout | undefined;
  /** Per target, the tail of its delivery chain (messages go out in order). */
  readonly #chains = new Map<string, Promise<void>>();
  readonly #stats = new Map<string, TargetStats>();
  #busy = 0;
  #idle: Array<() => void> = [];
  #stopped = false;
  readonly #sleeps = new Set<{ timer: NodeJS.Timeout; done: () => void }>();

  constructor(opts: NotifierOptions) {
    this.#o = opts;
    this.#post = opts.post ?? httpPost(() => opts.snapshot().settings.denyNetworks);
  }

  get #now(): number { return (this.#o.now ?? Date.now)(); }

  /** After each stored probe result: a change of verdict joins the batch (or opens one). */
  observe(d: Deployment, r: ProbeResult, prev: ProbeResult | undefined): void {
    const s = this.#o.snapshot();
    const before: Verdict = prev ? verdictOf(prev) : 'pending';
    if (!s.settings.status.notifications.length || this.#stopped || before === verdictOf(r)) return;
    if (s.settings.status.maintenance.covering(d, this.#now)) return;
    if (!this.#before.has(d.id)) this.#before.set(d.id, before);
    if (!this.#groupsBefore.has(d.modelName)) this.#groupsBefore.set(d.modelName, this.#group(s, d.modelName, d.id, before).state);
    if (!this.#timer) {
      this.#busy++;
      this.#timer = setTimeout(() => { this.#timer = undefined; this.#flush(); this.#done(); }, s.settings.status.groupWaitMs);
    }
  }

  /** A model group's state: down when every deployment with a verdict (outside maintenance) is unhealthy. */
  #group(s: Snapshot, modelName: string, overrideId?: string, override?: Verdict): { state: NotifiedState; deployments: number; unhealthy: number } {
    let healthy = 0;
    let unhealthy = 0;
    let deployments = 0;
    const now = this.#now;
    for (const d of groupsOf(s).get(modelName) ?? []) {
      if (s.settings.status.maintenance.covering(d, now)) continue;
      deployments++;
      const r = this.#o.store.get(d.id);
      const v = d.id === overrideId ? override : r && verdictOf(r);
      if (v === 'healthy') healthy++;
      else if (v === 'unhealthy') unhealthy++;
    }
    return { state: healthy ? 'up' : unhealthy ? 'down' : 'unknown', deployments, unhealthy };
  }

  #flush(): void {
    const s = this.#o.snapshot();
    const now = this.#now;
    const deployments = [...this.#before].flatMap(([id, before]) => {
      const d = s.byId.get(id);
      if (!d || s.settings.status.maintenance.covering(d, now)) return [];
      const r = this.#o.store.get(id);
      return [{ d, before: stateOf(before), after: stateOf(r && verdictOf(r)), result: r }];
    });
    const groups = [...this.#groupsBefore].map(([modelName, before]) => ({ modelName, before, ...this.#group(s, modelName) }))
      .map((g) => ({ ...g, after: g.state }));
    this.#before.clear();
    this.#groupsBefore.clear();
    for (const m of messagesOf(now, deployments, groups)) {
      for (const t of s.settings.status.notifications) if (m.status === 'down' || t.sendResolved) this.#send(t, m, s.settings.details);
    }
  }

  #send(t: NotificationTarget, m: Message, details: boolean): void {
    const body = JSON.stringify(payloadOf(t.type, m, details));
    const stats = this.#statsOf(t.name);
    const log = { target: t.name, type: t.type, status: m.status, deployments: m.deployments.length, model_groups: m.groups.length };
    this.#busy++;
    const chain = (this.#chains.get(t.name) ?? Promise.resolve()).then(async () => {
      const ok = await deliver(t, body, this.#post, {
        attemptFailed: (attempt, why, retryInMs) => {
          stats.attemptFailures++;
          this.#o.logger.warn({ ...log, attempt, error: why, ...(retryInMs !== undefined ? { retry_in_ms: retryInMs } : {}) }, retryInMs !== undefined ? 'notification attempt failed; retrying' : 'notification attempt failed');
        },
        sleep: (ms) => this.#sleep(ms),
        stopped: () => this.#stopped,
      }, this.#o.retry ?? DEFAULT_RETRY);
      if (ok) {
        stats.delivered++;
        this.#o.logger.info({ ...log, title: titleOf(m) }, 'notification sent');
      } else {
        stats.failed++;
        this.#o.logger.error(log, 'notification not delivered');
      }
    }).finally(() => this.#done());
    this.#chains.set(t.name, chain);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => { this.#sleeps.delete(entry); resolve(); }, ms), done: resolve };
      this.#sleeps.add(entry);
    });
  }

  #statsOf(name: string): TargetStats {
    let st = this.#stats.get(name);
    if (!st) this.#stats.set(name, (st = { delivered: 0, failed: 0, attemptFailures: 0 }));
    return st;
  }

  /** Counters of every configured target (zero until something is sent), for the metrics. */
  stats(): Array<[string, TargetStats]> {
    return this.#o.snapshot().settings.status.notifications.map((t) => [t.name, this.#statsOf(t.name)]);
  }

  #done(): void {
    if (--this.#busy === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Resolves when no batch is open and no delivery is running (tests, shutdown). */
  settled(): Promise<void> {
    return this.#busy === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Shutdown: sends the open batch now, one attempt each, and waits for it. */
  async close(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#flush();
      this.#done();
    }
    this.#stopped = true;
    for (const s of this.#sleeps) { clearTimeout(s.timer); s.done(); }
    this.#sleeps.clear();
    await this.settled();
  }
}
