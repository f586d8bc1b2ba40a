import type { Logger } from 'pino';
import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import type { ProbeResult } from '../core/result.js';
import type { LoadedPlugins } from '../registry/plugins.js';

/** One line per probe, naming the deployment: healthy ones at debug, unhealthy at info. */
export function logProbe(logger: Logger, d: Deployment, r: ProbeResult): void {
  const fields = { model_name: d.modelName, model_id: d.id, latency_ms: r.latencyMs };
  if (r.healthy) logger.debug(fields, 'probe healthy');
  else logger.info({ ...fields, error_type: r.errorType, error: r.error }, 'probe unhealthy');
}

/** What an operator must fix in a config just applied: warnings, broken plugins, unprobeable deployments. */
export function logConfigProblems(logger: Logger, s: Snapshot, plugins: LoadedPlugins): void {
  for (const w of s.config.warnings) logger.warn(w);
  for (const e of plugins.errors) logger.error({ file: e.file }, `plugin not loaded: ${e.reason}`);
  for (const m of new Set(s.deployments.map((d) => d.mode))) {
    if (!plugins.byMode.has(m)) logger.warn(`no probe plugin for mode "${m}": its deployments will report unhealthy`);
  }
  for (const d of s.deployments) {
    if (d.configError) logger.warn({ model_name: d.modelName, model_id: d.id }, d.configError);
  }
}
