import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { publicUrl } from '../core/redact.js';
import type { ProbeResult } from '../core/result.js';
import type { Claim, Coordinator, CoordinatorStatus } from './coordinator.js';
import { parseFleetRecord } from './record.js';

const PREFIX = 'llm-health-exporter:';
const key = {
  latest: (id: string) => `${PREFIX}latest:${id}`,
  last: (id: string) => `${PREFIX}last:${id}`,
  lease: (id: string) => `${PREFIX}lease:${id}`,
  history: (id: string) => `${PREFIX}history:${id}`,
  writer: `${PREFIX}last-writer`,
};

/** One round trip decides who probes (see Claim); the lease is a short SET NX PX, so a replica that dies mid-probe loses it when it expires. */
const CLAIM = `
local last = redis.call('GET', KEYS[1])
if last and (tonumber(ARGV[1]) - tonumber(last)) < tonumber(ARGV[2]) then return {'fresh', last} end
if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[4]) then return {'won', last or ''} end
return {'busy', last or ''}
`;

/**
 * Fleet coordination through Redis: per-deployment leases, and the fleet's latest results and
 * history with expiry. Every command fails fast while Redis is down (no offline queue), so the
 * caller can fall back to probing locally; the client reconnects by itself.
 */
export class RedisCoordinator implements Coordinator {
  readonly replicaId: string;
  readonly redisUrl: string;
  readonly #redis: Redis;
  readonly #logger: Logger;
  readonly #ttlS: number;
  readonly #historySize: () => number;
  readonly #held = new Set<string>();
  readonly #malformed = new Set<string>();
  #reachable = false;
  #lastWriter: string | undefined;
  #lastSyncAt: number | undefined;
  /**
   * Until the first connection attempt has an outcome (ready, or an error: refused, or no answer
   * within connectTimeout): claims wait for it. Without this, the start-up round's claims all
   * failed fast (no offline queue) and every replica probed every deployment at each start: the
   * fleet paid N times for its first round. Not a wall-clock race: a replica stalled at start-up
   * on a loaded machine ran a 2.5 s timer before reading its connection's events, and probed
   * what another replica had claimed (a double probe once in a full test run under load).
   */
  #firstConnect: Promise<void> | undefined;

  constructor(opts: { url: string; replicaId: string; logger: Logger; ttlS: number; historySize: () => number }) {
    this.replicaId = opts.replicaId;
    this.redisUrl = publicUrl(opts.url);
    this.#logger = opts.logger;
    this.#ttlS = Math.max(60, Math.ceil(opts.ttlS));
    this.#historySize = opts.historySize;
    this.#redis = new Redis(opts.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      // A Redis that accepts connections but never answers must not hold background slots:
      // a command that times out counts as Redis being down (probe locally).
      commandTimeout: 2000,
      retryStrategy: (times) => Math.min(200 * times, 2000),
    });
    this.#redis.defineCommand('llmheClaim', { numberOfKeys: 2, lua: CLAIM });
    this.#firstConnect = new Promise<void>((resolve) => {
      const outcome = ['ready', 'error', 'end'] as const;
      const done = () => {
        clearTimeout(timer);
        for (const event of outcome) this.#redis.off(event, done);
        resolve();
      };
      // Only for a client that never reports (each attempt ends within connectTimeout).
      const timer = setTimeout(done, 10_000);
      timer.unref();
      for (const event of outcome) this.#redis.on(event, done);
    }).then(() => { this.#firstConnect = undefined; });
    this.#redis.on('ready', () => this.#mark(true));
    this.#redis.on('error', () => this.#mark(false)); // logged once per transition, never thrown
    this.#redis.on('end', () => this.#mark(false));
  }

  status(): CoordinatorStatus {
    return { shared: true, address: this.redisUrl, reachable: this.#reachable, leasesHeld: this.#held.size, lastWriter: this.#lastWriter, lastSyncAt: this.#lastSyncAt };
  }

  /** Epoch-aligned, so every replica computes the same grid. */
  gridOrigin(): number { return 0; }

  /** Replicas whose timers fire first win the claims: a little jitter spreads the fleet's work. */
  jitterMs(intervalMs: number): number { return Math.random() * Math.min(250, intervalMs / 20); }

  #mark(up: boolean): void {
    if (up === this.#reachable) return;
    this.#reachable = up;
    if (up) this.#logger.info({ redis: this.redisUrl }, 'redis reachable: sharing health checks with the fleet');
    else this.#logger.warn({ redis: this.redisUrl }, 'redis unreachable: probing locally until it returns');
  }

  async claim(id: string, now: number, freshMs: number, leaseMs: number): Promise<Claim> {
    if (this.#firstConnect) await this.#firstConnect;
    try {
      const [kind, last] = (await (this.#redis as unknown as { llmheClaim(...a: unknown[]): Promise<[string, string]> })
        .llmheClaim(key.last(id), key.lease(id), now, Math.max(0, Math.floor(freshMs)), this.replicaId, Math.ceil(leaseMs)));
      this.#mark(true);
      if (kind === 'fresh') return { kind, lastStartedAt: Number(last) };
      if (kind === 'won') this.#held.add(id);
      return { kind: kind as 'won' | 'busy' };
    } catch {
      this.#mark(false);
      return { kind: 'offline' };
    }
  }

  /** Writes a result for the fleet (latest, start time, bounded history) and releases the lease. */
  async publish(r: ProbeResult): Promise<void> {
    const id = r.deploymentId;
    const json = JSON.stringify(r);
    const held = this.#held.delete(id);
    try {
      const m = this.#redis.multi()
        .set(key.latest(id), json, 'EX', this.#ttlS)
        .set(key.last(id), String(r.startedAt), 'EX', this.#ttlS)
        .lpush(key.history(id), json)
        .ltrim(key.history(id), 0, this.#historySize() - 1)
        .expire(key.history(id), this.#ttlS)
        .set(key.writer, this.replicaId, 'EX', this.#ttlS);
      if (held) m.del(key.lease(id));
      await m.exec();
      this.#lastWriter = this.replicaId;
    } catch {
      this.#mark(false);
    }
  }

  /** The fleet's latest result per id (missing ids are left out); undefined when Redis is down. */
  async latest(ids: readonly string[]): Promise<Map<string, ProbeResult> | undefined> {
    const out = new Map<string, ProbeResult>();
    try {
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const values = chunk.length ? await this.#redis.mget(chunk.map(key.latest)) : [];
        values.forEach((v, j) => {
          const r = v ? this.#record(v, chunk[j]!) : undefined;
          if (r) out.set(chunk[j]!, r);
        });
      }
      this.#lastWriter = (await this.#redis.get(key.writer)) ?? this.#lastWriter;
      this.#lastSyncAt = Date.now();
      this.#mark(true);
      return out;
    } catch {
      this.#mark(false);
      return undefined;
    }
  }

  /** A deployment's fleet history, oldest first. */
  async history(id: string): Promise<ProbeResult[]> {
    try {
      const rows = await this.#redis.lrange(key.history(id), 0, this.#historySize() - 1);
      return rows.map((r) => this.#record(r, id)).filter((r) => r !== undefined).reverse();
    } catch {
      this.#mark(false);
      return [];
    }
  }

  /**
   * A record read from Redis is validated: another version, a bug or a hand-edit can leave
   * anything there. A bad one is skipped and logged as what it is, once per deployment and
   * reason, never as "redis unreachable".
   */
  #record(text: string, id: string): ProbeResult | undefined {
    const parsed = parseFleetRecord(text, id);
    if (parsed.ok) return parsed.result;
    const seen = `${id}\0${parsed.reason}`;
    if (!this.#malformed.has(seen)) {
      if (this.#malformed.size > 10_000) this.#malformed.clear();
      this.#malformed.add(seen);
      this.#logger.warn({ model_id: id, redis: this.redisUrl, reason: parsed.reason }, 'malformed fleet record in redis: ignored');
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
