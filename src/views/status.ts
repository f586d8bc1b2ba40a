import type { Snapshot } from '../config/snapshot.js';
import type { StatusPageMode } from '../config/status-settings.js';
import type { Deployment } from '../core/deployment.js';
import { verdictOf, type ProbeResult } from '../core/result.js';
import type { HealthStore } from '../store/types.js';
import { shownResult } from './staleness.js';
import { MaintenanceBars, barFrame, barsOf, ratioOf } from './uptime-bars.js';

/** What the status page, the badges and the notifications call a deployment's state. */
export type DeploymentState = 'healthy' | 'unhealthy' | 'pending' | 'stale' | 'maintenance';
/** A model group: all healthy, some unhealthy, none healthy, no verdict yet, all in maintenance. */
export type GroupState = 'healthy' | 'degraded' | 'down' | 'pending' | 'maintenance';

export interface ShownState { state: DeploymentState; shown: ProbeResult | undefined; window?: { name: string; until: number } }

/** A deployment's state now: a maintenance window first, then the result as every output shows it. */
export function deploymentState(s: Snapshot, store: Pick<HealthStore, 'get'>, d: Deployment, now: number): ShownState {
  const window = s.settings.status.maintenance.covering(d, now);
  const shown = shownResult(s, store, d.id, now);
  if (window) return { state: 'maintenance', shown, window };
  if (!shown) return { state: 'pending', shown };
  if (shown.errorType === 'stale') return { state: 'stale', shown };
  return { state: verdictOf(shown), shown };
}

/** A model group's state from its deployments' (those in maintenance count only when all are). */
export function groupState(states: readonly DeploymentState[]): GroupState {
  const live = states.filter((x) => x !== 'maintenance');
  if (!live.length) return states.length ? 'maintenance' : 'pending';
  const up = live.filter((x) => x === 'healthy').length;
  const bad = live.filter((x) => x === 'unhealthy' || x === 'stale').length;
  if (up && bad) return 'degraded';
  if (up) return 'healthy';
  return bad ? 'down' : 'pending';
}

/** Deployments by model_name, in config order. */
export function modelGroups(deployments: readonly Deployment[]): Map<string, Deployment[]> {
  const groups = new Map<string, Deployment[]>();
  for (const d of deployments) {
    const g = groups.get(d.modelName);
    if (g) g.push(d);
    else groups.set(d.modelName, [d]);
  }
  return groups;
}

/** A bar as the page draws it: [healthy, unhealthy, maintenance 0/1]. */
type BarTuple = [number, number, number];
/** Sparkline points, oldest first: [latency ms, 1 healthy / 0 failed]. */
type LatencyPoint = [number, number];
const SPARKLINE_POINTS = 30;

/**
 * One deployment on the page. Public mode: only these allow-listed fields. Private mode adds
 * api_base and, with health_check_details, the error (see routes/status.ts for the schemas).
 */
export interface StatusDeployment {
  model_id: string; model: string; provider: string; mode: string; state: DeploymentState;
  last_checked: string | null; latency_ms: number | null;
  uptime_24h: number | null; uptime_30d: number | null;
  bars_24h: BarTuple[]; bars_30d: BarTuple[]; latency_history: LatencyPoint[];
  maintenance?: { name: string; until: string };
  api_base?: string; error?: string; error_type?: string; consecutive_failures?: number;
}

export interface StatusGroup { model_name: string; state: GroupState; uptime_24h: number | null; uptime_30d: number | null; deployments: StatusDeployment[] }

export interface StatusBody {
  title: string;
  mode: Exclude<StatusPageMode, 'off'>;
  generated_at: string;
  /** Seconds between the page's refreshes (half the interval, 2–30 s). */
  refresh_s: number;
  frames: { '24h': { start: string; bucket_s: number }; '30d': { start: string; bucket_s: number } };
  counts: Record<DeploymentState, number>;
  groups: StatusGroup[];
}

/** The status page's data: every deployment of the config by model group. Reads; never probes. */
export function statusBody(s: Snapshot, store: HealthStore, now: number, mode: 'public' | 'private'): StatusBody {
  const maintenanceBars = new MaintenanceBars(s.settings.status.maintenance);
  const counts: Record<DeploymentState, number> = { healthy: 0, unhealthy: 0, pending: 0, stale: 0, maintenance: 0 };
  const groups: StatusGroup[] = [];
  for (const [name, ds] of modelGroups(s.deployments)) {
    const entries = ds.map((d) => {
      const st = deploymentState(s, store, d, now);
      counts[st.state]++;
      return statusDeployment(s, store, d, st, now, mode, maintenanceBars);
    });
    const sum = (k: 'bars_24h' | 'bars_30d') => ratioOf(entries.flatMap((e) => e[k].map(([up, down]) => ({ up, down, maintenance: false }))));
    groups.push({ model_name: name, state: groupState(entries.map((e) => e.state)), uptime_24h: sum('bars_24h'), uptime_30d: sum('bars_30d'), deployments: entries });
  }
  const frame = (w: '24h' | '30d') => { const f = barFrame(w, now); return { start: new Date(f.start).toISOString(), bucket_s: f.widthMs / 1000 }; };
  return {
    title: s.settings.status.title,
    mode,
    generated_at: new Date(now).toISOString(),
    refresh_s: s.backgroundOn ? Math.min(30, Math.max(2, Math.round(s.settings.intervalS / 2))) : 30,
    frames: { '24h': frame('24h'), '30d': frame('30d') },
    counts,
    groups,
  };
}

function statusDeployment(s: Snapshot, store: HealthStore, d: Deployment, st: ShownState, now: number, mode: 'public' | 'private', mb: MaintenanceBars): StatusDeployment {
  const uptime = store.uptime(d.id);
  const b24 = barsOf(uptime, d, '24h', now, mb);
  const b30 = barsOf(uptime, d, '30d', now, mb);
  const h = store.history(d.id);
  const latency: LatencyPoint[] = [];
  for (let i = Math.max(0, h.length - SPARKLINE_POINTS); i < h.length; i++) {
    const row = h.row(i);
    latency.push([Math.round(row.latencyMs * 10) / 10, row.healthy ? 1 : 0]);
  }
  const r = st.shown;
  const e: StatusDeployment = {
    model_id: d.id, model: d.probeModel, provider: d.provider, mode: d.mode, state: st.state,
    last_checked: r ? new Date(r.checkedAt).toISOString() : null,
    latency_ms: r ? r.latencyMs : null,
    uptime_24h: ratioOf(b24), uptime_30d: ratioOf(b30),
    bars_24h: b24.map((b) => [b.up, b.down, b.maintenance ? 1 : 0]),
    bars_30d: b30.map((b) => [b.up, b.down, b.maintenance ? 1 : 0]),
    latency_history: latency,
  };
  if (st.window) e.maintenance = { name: st.window.name, until: new Date(st.window.until).toISOString() };
  if (mode === 'private') {
    if (d.publicApiBase) e.api_base = d.publicApiBase;
    if (r && !r.healthy && s.settings.details) {
      e.error = r.error ?? 'unhealthy';
      e.error_type = r.errorType ?? 'plugin_error';
    }
    if (r) e.consecutive_failures = r.consecutiveFailures ?? (r.healthy ? 0 : 1);
  }
  return e;
}

/** Equal keys, equal status bodies (for at most 5 s: last_checked ages and windows open). */
export function statusCacheKey(s: Snapshot, store: HealthStore, now: number): string {
  return `${s.generation}:${store.version}${s.settings.status.maintenance.activeKey(now)}:${Math.floor(now / 5000)}`;
}
