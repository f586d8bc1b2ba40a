import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HealthAnswer, HealthQuery } from './health.js';
import type { BodyParts, EntrySerializer } from './health-body.js';
import type { HistoryQuery, historyPage, latest } from './history.js';
import type { ModelInfoEntry } from './model-info.js';
import type { ProbeAnswer, ProbeQuery } from './probe.js';
import type { sharedStatus } from './readiness.js';
import type { StatusViews } from './status-views.js';
import type { UptimeAnswer, UptimeQuery } from './uptime.js';
import type { SpendQuery } from './spend.js';
import type { ApiError } from './health.js';

export type { HealthAnswer, HealthQuery } from './health.js';
export type { BodyParts, EntrySerializer } from './health-body.js';
export type { HistoryQuery } from './history.js';
export type { ProbeAnswer, ProbeQuery } from './probe.js';
export type { UptimeQuery } from './uptime.js';
export type { SpendQuery } from './spend.js';

/**
 * Everything the HTTP routes may ask, and nothing more: routes depend on this, never on the app.
 * Each answer is a pure view over the current snapshot and the store; `health` may first probe
 * (a targeted query, or on-demand mode) within the configured limits.
 */
export interface Views extends StatusViews {
  /** The master key guarding the API (undefined: open). */
  masterKey(): string | undefined;
  /** The key guarding /metrics (undefined: open, the default for exporters). */
  metricsKey(): string | undefined;
  health(q: HealthQuery): Promise<HealthAnswer>;
  /** One probe of one deployment now (within the min interval), with its trace when asked. */
  probe(q: ProbeQuery): Promise<ProbeAnswer>;
  /**
   * Background mode without a query: the /health body straight from the store, each entry
   * written by `serializeEntry` (the route's allow-list schema); undefined: ask health().
   */
  storedHealthBody(q: HealthQuery, serializeEntry: EntrySerializer): BodyParts | undefined;
  history(q: HistoryQuery): ReturnType<typeof historyPage>;
  latest(): ReturnType<typeof latest>;
  /** /health/uptime: per deployment and model group over 1 h, 24 h, 7 d, 30 d (404 for an unknown model). */
  uptime(q: UptimeQuery): { statusCode: number; body: UptimeAnswer | ApiError };
  /** /health/spend: what probing cost per deployment and day, and the monthly projection. */
  spend(q: SpendQuery): { statusCode: number; body: Record<string, unknown> | ApiError };
  sharedStatus(): ReturnType<typeof sharedStatus>;
  readiness(): { ready: boolean; body: Record<string, unknown> };
  modelInfo(): ModelInfoEntry[];
  shuttingDown(): boolean;
  reload(): Promise<{ ok: true; deployments: number } | { ok: false; errors: readonly string[] }>;
  /** Writes the Prometheus text exposition to a raw response. */
  serveMetrics(req: IncomingMessage, res: ServerResponse): void;
}
