import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import type { HealthStore } from '../store/types.js';
import { sumUptime, UPTIME_WINDOWS, uptimeBetween, type UptimeFigures, type UptimeWindow } from '../store/uptime-runs.js';
import { matchesModel, notFound, type ApiError } from './health.js';

export interface UptimeQuery { model?: string; model_id?: string }

/** One window's figures as /health/uptime shows them: seconds, and the probes behind them. */
export interface UptimeEntry {
  /** Healthy share of the known time (null: nothing known in the window). */
  ratio: number | null;
  healthy_s: number;
  unhealthy_s: number;
  /** Time no result spoke for: the exporter was down, or the deployment was not probed yet. */
  unknown_s: number;
  probes: number;
}

export type UptimeByWindow = Record<UptimeWindow, UptimeEntry>;

export interface UptimeAnswer {
  deployments: Array<{ model_name: string; model_id: string; model: string; uptime: UptimeByWindow }>;
  model_groups: Array<{ model_name: string; deployments: number; uptime: UptimeByWindow }>;
  windows: UptimeWindow[];
  at: string;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

export function uptimeEntry(f: UptimeFigures): UptimeEntry {
  return {
    ratio: f.ratio === null ? null : Math.round(f.ratio * 1e6) / 1e6,
    healthy_s: seconds(f.healthyMs),
    unhealthy_s: seconds(f.unhealthyMs),
    unknown_s: seconds(f.unknownMs),
    probes: f.probes,
  };
}

/** A deployment's figures over every window ending at `now`. */
export function deploymentUptime(store: Pick<HealthStore, 'uptimeRuns'>, id: string, now: number): Record<UptimeWindow, UptimeFigures> {
  const runs = store.uptimeRuns(id);
  const out = {} as Record<UptimeWindow, UptimeFigures>;
  for (const [w, ms] of Object.entries(UPTIME_WINDOWS) as Array<[UptimeWindow, number]>) out[w] = uptimeBetween(runs, now - ms, now);
  return out;
}

/**
 * /health/uptime: per deployment and per model group, over 1 h, 24 h, 7 d and 30 d. A group's
 * figures are its deployments' summed: the share of deployment-time that was healthy.
 */
export function uptimeAnswer(s: Snapshot, store: Pick<HealthStore, 'uptimeRuns'>, now: number, q: UptimeQuery): { statusCode: number; body: UptimeAnswer | ApiError } {
  let ds: readonly Deployment[] = s.deployments;
  if (q.model_id !== undefined) {
    ds = ds.filter((d) => d.id === q.model_id);
    if (!ds.length) return missing(`no deployment with model_id "${q.model_id}"`, 'model_id');
  }
  if (q.model !== undefined) {
    const m = q.model;
    ds = ds.filter((d) => matchesModel(d, m));
    if (!ds.length) return missing(`no deployment matches model "${m}"`, 'model');
  }
  const windows = Object.keys(UPTIME_WINDOWS) as UptimeWindow[];
  const groups = new Map<string, Array<Record<UptimeWindow, UptimeFigures>>>();
  const deployments = ds.map((d) => {
    const figures = deploymentUptime(store, d.id, now);
    const list = groups.get(d.modelName) ?? [];
    list.push(figures);
    groups.set(d.modelName, list);
    return { model_name: d.modelName, model_id: d.id, model: d.probeModel, uptime: byWindow(windows, (w) => figures[w]) };
  });
  const model_groups = [...groups].map(([name, list]) => ({
    model_name: name,
    deployments: list.length,
    uptime: byWindow(windows, (w) => sumUptime(list.map((f) => f[w]))),
  }));
  return { statusCode: 200, body: { deployments, model_groups, windows, at: new Date(now).toISOString() } };
}

function missing(message: string, param: string): { statusCode: number; body: ApiError } {
  return { statusCode: 404, body: notFound(message, param).body as ApiError };
}

function byWindow(windows: readonly UptimeWindow[], f: (w: UptimeWindow) => UptimeFigures): UptimeByWindow {
  const out = {} as UptimeByWindow;
  for (const w of windows) out[w] = uptimeEntry(f(w));
  return out;
}
