import type { Logger } from 'pino';
import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import { verdictOf, type ProbeResult } from '../core/result.js';
import type { LoadedPlugins } from '../registry/plugins.js';
import { serverEndpoint } from '../registry/providers.js';

const fieldsOf = new WeakMap<Deployment, Readonly<Record<string, string>>>();

/** Which deployment a line is about, in words an on-call engineer can match to a config entry. */
export function deploymentFields(d: Deployment): Readonly<Record<string, string>> {
  let f = fieldsOf.get(d);
  if (!f) fieldsOf.set(d, (f = Object.freeze({ model_name: d.modelName, model: d.probeModel, api_base_host: serverEndpoint(d).address, model_id: d.id })));
  return f;
}

function resultFields(r: ProbeResult): Record<string, unknown> {
  return r.healthy
    ? { latency_ms: r.latencyMs }
    : { latency_ms: r.latencyMs, error_type: r.errorType, error: r.error, consecutive_failures: r.consecutiveFailures };
}

/**
 * Every probe at debug; a line at info or warn only when what is reported changes: the first
 * verdict, healthy → unhealthy (warn), recovered (info). One failed probe under the failure
 * threshold is not news; the confirmed outage is.
 */
export function logProbe(logger: Logger, d: Deployment, r: ProbeResult, prev: ProbeResult | undefined): void {
  const before = prev ? verdictOf(prev) : 'pending';
  const after = verdictOf(r);
  const debug = logger.isLevelEnabled('debug');
  // Runs for every probe: build nothing when nothing is logged.
  if (before === after && !debug) return;
  const fields = { ...deploymentFields(d), ...resultFields(r) };
  if (debug) logger.debug(fields, r.healthy ? 'probe healthy' : 'probe failed');
  if (before === after) return;
  if (after === 'unhealthy') logger.warn(fields, before === 'pending' ? 'first verdict: unhealthy' : 'deployment unhealthy');
  else if (after === 'healthy') logger.info(fields, before === 'pending' ? 'first verdict: healthy' : 'deployment recovered');
}

/** A deployment whose own schedule is overdue: its health is unknown until a probe lands. */
export function logStale(logger: Logger, d: Deployment, shown: ProbeResult): void {
  logger.warn({ ...deploymentFields(d), error_type: 'stale', error: shown.error }, 'deployment stale');
}

/** What an operator must fix in a config just applied: warnings, broken plugins, unprobeable deployments. */
export function logConfigProblems(logger: Logger, s: Snapshot, plugins: LoadedPlugins): void {
  for (const w of s.config.warnings) logger.warn(w);
  for (const e of plugins.errors) logger.error({ file: e.file }, `plugin not loaded: ${e.reason}`);
  for (const m of new Set(s.deployments.map((d) => d.mode))) {
    if (!plugins.byMode.has(m)) logger.warn(`no probe plugin for mode "${m}": its deployments will report unhealthy`);
  }
  for (const d of s.deployments) {
    if (d.configError) logger.warn(deploymentFields(d), d.configError);
  }
}
