import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import { LocalCoordinator, type Coordinator } from './coordinator.js';
import type { RedisCoordinator } from './redis-coordinator.js';

/** The Redis coordinator's class, once loadCoordinator has loaded it. */
let Redis: typeof RedisCoordinator | undefined;

/**
 * Loads what coordinatorFor needs for these settings: the Redis coordinator's module (and
 * ioredis) only when use_shared_health_check asks for it, not in every exporter's memory.
 */
export async function loadCoordinator(s: Settings): Promise<void> {
  if (s.sharedRedisUrl) Redis ??= (await import('./redis-coordinator.js')).RedisCoordinator;
}

/** The coordinator a config asks for: Redis with use_shared_health_check, else a replica alone (after loadCoordinator). */
export function coordinatorFor(s: Settings, replicaId: string, logger: Logger, historySize: () => number): Coordinator {
  if (!s.sharedRedisUrl) return new LocalCoordinator(replicaId);
  if (!Redis) throw new Error('coordinatorFor: loadCoordinator(settings) first');
  return new Redis({
    url: s.sharedRedisUrl,
    replicaId,
    logger,
    // Results outlive a few intervals (staleness marks them), then expire from Redis.
    ttlS: Math.max(3600, 4 * s.intervalS),
    historySize,
  });
}
