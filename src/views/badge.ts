import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import type { HealthStore } from '../store/types.js';
import { deploymentState, groupState, type DeploymentState, type GroupState } from './status.js';
import { barsOf, ratioOf, type UptimeWindow } from './uptime-bars.js';

/** What a shields-style badge shows: a grey label, a coloured message. */
export interface BadgeSpec { label: string; message: string; color: string }

/** A model group (`/badge/<model_name>/…`) or one deployment (`/badge/id/<model_id>/…`). */
export type BadgeTarget = { modelName: string } | { modelId: string };

/** Shields' named colours. */
export const BADGE_COLORS = {
  brightgreen: '#4c1', green: '#97ca00', yellowgreen: '#a4a61d', yellow: '#dfb317',
  orange: '#fe7d37', red: '#e05d44', blue: '#007ec6', grey: '#9f9f9f', lightgrey: '#9f9f9f',
} as const;

const STATE_COLOR: Record<DeploymentState | GroupState, string> = {
  healthy: BADGE_COLORS.brightgreen, degraded: BADGE_COLORS.yellow, unhealthy: BADGE_COLORS.red, down: BADGE_COLORS.red,
  stale: BADGE_COLORS.orange, pending: BADGE_COLORS.grey, maintenance: BADGE_COLORS.blue,
};

function targetDeployments(s: Snapshot, t: BadgeTarget): { label: string; ds: readonly Deployment[] } | undefined {
  if ('modelId' in t) {
    const d = s.byId.get(t.modelId);
    return d && { label: d.modelName, ds: [d] };
  }
  const ds = s.deployments.filter((d) => d.modelName === t.modelName);
  return ds.length ? { label: t.modelName, ds } : undefined;
}

/** The state badge: a group's state (healthy/degraded/down/…), or one deployment's; undefined: unknown target. */
export function statusBadge(s: Snapshot, store: HealthStore, now: number, t: BadgeTarget): BadgeSpec | undefined {
  const found = targetDeployments(s, t);
  if (!found) return undefined;
  const states = found.ds.map((d) => deploymentState(s, store, d, now).state);
  const state = 'modelId' in t ? states[0]! : groupState(states);
  return { label: found.label, message: state, color: STATE_COLOR[state] };
}

/** Shields' thresholds for uptime percentages. */
function uptimeColor(ratio: number): string {
  const pct = ratio * 100;
  if (pct >= 99.9) return BADGE_COLORS.brightgreen;
  if (pct >= 99) return BADGE_COLORS.green;
  if (pct >= 97) return BADGE_COLORS.yellowgreen;
  if (pct >= 95) return BADGE_COLORS.yellow;
  if (pct >= 90) return BADGE_COLORS.orange;
  return BADGE_COLORS.red;
}

/** "99.95%": two decimals below 100, never rounded up to a 100 % that was not. */
export function formatPercent(ratio: number): string {
  if (ratio >= 1) return '100%';
  const pct = Math.floor(ratio * 10_000) / 100;
  return `${pct.toFixed(pct >= 10 ? 2 : 1).replace(/\.?0+$/, '')}%`;
}

/** The uptime badge over a window: healthy verdicts over all verdicts of the target's deployments. */
export function uptimeBadge(s: Snapshot, store: HealthStore, now: number, t: BadgeTarget, window: UptimeWindow): BadgeSpec | undefined {
  const found = targetDeployments(s, t);
  if (!found) return undefined;
  const ratio = ratioOf(found.ds.flatMap((d) => barsOf(store.uptime(d.id), d, window, now)));
  const label = `${found.label} uptime ${window}`;
  return ratio === null ? { label, message: 'no data', color: BADGE_COLORS.grey } : { label, message: formatPercent(ratio), color: uptimeColor(ratio) };
}
