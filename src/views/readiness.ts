import type { Snapshot } from '../config/snapshot.js';
import type { CoordinatorStatus } from '../fleet/coordinator.js';
import type { PluginLoadError } from '../registry/plugins.js';

/** What readiness is judged from: the snapshot plus the running state the app holds. */
export interface ReadinessState {
  snapshot: Snapshot;
  version: string;
  /** End of the first complete background round, then of each later on-demand round (epoch ms). */
  lastRoundAt: number | undefined;
  shuttingDown: boolean;
  /** Why the last reload was refused (the previous config keeps running). */
  configError: string | undefined;
  pluginModes: readonly string[];
  pluginErrors: readonly PluginLoadError[];
  callbacks: readonly string[];
  fleet: CoordinatorStatus;
  /** The history database (absent: none configured in this build of the state). */
  db?: { kind: string; connected: boolean; error?: string };
}

/** /health/readiness: LiteLLM's body, 503 while starting (first background round) or shutting down. */
export function readiness(st: ReadinessState): { ready: boolean; body: Record<string, unknown> } {
  const body: Record<string, unknown> = {
    status: 'healthy',
    // LiteLLM's key: "connected" when results persist; `history_db` says where, `db_error` why not.
    db: st.db?.connected ? 'connected' : 'Not connected',
    history_db: st.db?.kind ?? 'memory',
    cache: st.fleet.shared ? (st.fleet.reachable ? 'redis' : 'local (redis unreachable)') : null,
    version: st.version,
    success_callbacks: [...st.callbacks],
    plugins: [...st.pluginModes],
    deployments: st.snapshot.deployments.length,
  };
  if (st.pluginErrors.length) body.plugin_errors = st.pluginErrors;
  if (st.configError) body.config_error = st.configError;
  if (st.db?.error) body.db_error = st.db.error;
  if (st.lastRoundAt !== undefined) body.last_updated = new Date(st.lastRoundAt).toISOString();
  let reason: string | undefined;
  if (st.shuttingDown) reason = 'shutting down';
  // A load balancer must never see an empty /health: wait for the first background round.
  else if (st.snapshot.backgroundOn && st.lastRoundAt === undefined) reason = 'first background health check round not finished';
  if (reason) {
    body.status = st.shuttingDown ? 'shutting_down' : 'starting';
    body.reason = reason;
  }
  return { ready: reason === undefined, body };
}

/** /health/shared-status: this replica's part in the fleet. */
export function sharedStatus(replicaId: string, fleet: CoordinatorStatus, now: number) {
  return {
    replica_id: replicaId,
    shared: fleet.shared,
    redis: fleet.address,
    redis_reachable: fleet.reachable,
    leases_held: fleet.leasesHeld,
    last_writer: fleet.lastWriter ?? null,
    cache_age_s: fleet.lastSyncAt !== undefined ? Math.round((now - fleet.lastSyncAt) / 100) / 10 : null,
  };
}
