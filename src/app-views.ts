import type { Snapshot } from './config/snapshot.js';
import { VERSION } from './core/meta.js';
import type { Coordinator } from './fleet/coordinator.js';
import type { PluginLoadError } from './registry/plugins.js';
import type { HealthStore } from './store/types.js';
import type { Telemetry } from './telemetry/telemetry.js';
import { healthCacheKey } from './views/health.js';
import { historyPage, latest } from './views/history.js';
import type { Views } from './views/index.js';
import { modelInfo } from './views/model-info.js';
import { readiness, sharedStatus } from './views/readiness.js';
import { statusViews } from './views/status-views.js';

/** What the app hands the views: its parts, and accessors for what changes (the snapshot, its state). */
export interface ViewSources {
  snapshot: () => Snapshot;
  store: HealthStore;
  coordinator: Coordinator;
  lastRoundAt: () => number | undefined;
  telemetry: Pick<Telemetry, 'callbacks' | 'serveMetrics'>;
  pluginModes: () => string[];
  pluginErrors: readonly PluginLoadError[];
  configError: () => string | undefined;
  shuttingDown: () => boolean;
  health: Views['health'];
  reload: Views['reload'];
}

/**
 * What the routes may ask: each a view over the snapshot current at the time of asking. Part of
 * the composition root (src/app.ts), kept apart so that file stays a list of parts.
 */
export function buildViews(src: ViewSources): Views {
  const s = src.snapshot;
  return {
    masterKey: () => s().settings.masterKey,
    metricsKey: () => (s().settings.metricsAuth ? s().settings.masterKey : undefined),
    health: src.health,
    healthCacheKey: (q) => healthCacheKey(s(), src.store, Date.now(), q),
    history: (q) => historyPage(s(), src.store, q),
    latest: () => latest(s(), src.store, Date.now()),
    sharedStatus: () => sharedStatus(src.coordinator.replicaId, src.coordinator.status(), Date.now()),
    readiness: () => readiness({
      snapshot: s(), version: VERSION, lastRoundAt: src.lastRoundAt(), shuttingDown: src.shuttingDown(),
      configError: src.configError(), pluginModes: src.pluginModes(), pluginErrors: src.pluginErrors,
      callbacks: src.telemetry.callbacks, fleet: src.coordinator.status(),
    }),
    modelInfo: () => modelInfo(s()),
    shuttingDown: src.shuttingDown,
    reload: src.reload,
    serveMetrics: (req, res) => src.telemetry.serveMetrics(req, res),
    ...statusViews(s, src.store),
  };
}
