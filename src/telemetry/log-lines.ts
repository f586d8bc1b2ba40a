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
 * Every probe at debug; a line at info or warn only when what is reported changes: a first
 * verdict that is unhealthy (warn), healthy → unhealthy (warn), recovered (info). One failed probe
 * under the failure threshold is not news; the confirmed outage is. A first verdict that is
 * healthy is not news either (debug): the end of the first round says how many there were in one
 * line (logFirstRound), where 10,000 lines took a sixth of the start-up's CPU (npm run bench).
 */
export function logProbe(logger: Logger, d: Deployment, r: ProbeResult, prev: ProbeResult | undefined): void {
  const before = prev ? verdictOf(prev) : 'pending';
  const after = verdictOf(r);
  const debug = logger.isLevelEnabled('debug');
  // Runs for every probe: build nothing when nothing is logged (a healthy first verdict is a
  // debug line too: 10,000 of them at start-up built fields for nothing).
  if (!debug && (before === after || (before === 'pending' && after === 'healthy'))) return;
  const fields = { ...deploymentFields(d), ...resultFields(r) };
  if (debug) logger.debug(fields, r.healthy ? 'probe healthy' : 'probe failed');
  if (before === after) return;
  if (after === 'unhealthy') logger.warn(fields, before === 'pending' ? 'first verdict: unhealthy' : 'deployment unhealthy');
  else if (after === 'healthy') {
    if (before === 'pending') logger.debug(fields, 'first verdict: healthy');
    else logger.info(fields, 'deployment recovered');
  }
}

/** The first background round's end: the verdicts it found, counted (unhealthy ones were each logged). */
export function logFirstRound(logger: Logger, deployments: readonly Deployment[], latest: (id: string) => ProbeResult | undefined): void {
  const counts = { healthy: 0, unhealthy: 0, pending: 0 };
  for (const d of deployments) {
    const r = latest(d.id);
    counts[r ? verdictOf(r) : 'pending']++;
  }
  logger.info({ deployments: deployments.length, ...counts }, 'first background round finished');
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
