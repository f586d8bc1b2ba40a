import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import { LocalCoordinator, type Coordinator } from './coordinator.js';
import { RedisCoordinator } from './redis-coordinator.js';

/** The coordinator a config asks for: Redis with use_shared_health_check, else a replica alone. */
export function coordinatorFor(s: Settings, replicaId: string, logger: Logger, historySize: () => number): Coordinator {
  if (!s.sharedRedisUrl) return new LocalCoordinator(replicaId);
  return new RedisCoordinator({
    url: s.sharedRedisUrl,
    replicaId,
    logger,
    // Results outlive a few intervals (staleness marks them), then expire from Redis.
    ttlS: Math.max(3600, 4 * s.intervalS),
    historySize,
  });
}
