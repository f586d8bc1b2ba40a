import type { Snapshot } from '../config/snapshot.js';
import type { StatusPageMode } from '../config/status-settings.js';
import type { HealthStore } from '../store/types.js';
import { statusBadge, uptimeBadge, type BadgeSpec, type BadgeTarget } from './badge.js';
import { statusBody, statusCacheKey, type StatusBody } from './status.js';
import type { UptimeWindow } from './uptime-bars.js';

/** What the status page and badge routes may ask (part of Views). */
export interface StatusViews {
  /** general_settings.status_page now. */
  statusMode(): StatusPageMode;
  statusTitle(): string;
  /** The page's data; public: allow-listed fields only, never error text or api_base. */
  status(mode: 'public' | 'private'): StatusBody;
  /** Equal keys, equal status bodies. */
  statusCacheKey(): string;
  /** A badge, or undefined when no deployment matches. */
  badge(kind: 'status' | 'uptime', target: BadgeTarget, window: UptimeWindow): BadgeSpec | undefined;
}

/** The status views over the snapshot current at the time of asking. */
export function statusViews(snapshot: () => Snapshot, store: HealthStore, now: () => number = Date.now): StatusViews {
  return {
    statusMode: () => snapshot().settings.status.page,
    statusTitle: () => snapshot().settings.status.title,
    status: (mode) => statusBody(snapshot(), store, now(), mode),
    statusCacheKey: () => statusCacheKey(snapshot(), store, now()),
    badge: (kind, target, window) => (kind === 'status' ? statusBadge(snapshot(), store, now(), target) : uptimeBadge(snapshot(), store, now(), target, window)),
  };
}
