import type { Attributes } from '@opentelemetry/api';
import type { Deployment } from '../core/deployment.js';
import { serverEndpoint } from '../registry/providers.js';
import { UPTIME_WINDOWS } from '../store/uptime-runs.js';
import type { AttributeOf } from './metrics.js';

export type DeploymentAttributes = Record<AttributeOf<'deploymentHealthy'>, string>;
type ProbeOutcomeAttributes = Record<AttributeOf<'probes'>, string>;
type WindowAttributes = Record<AttributeOf<'uptimeRatio'>, string>;
type DirectionAttributes = Record<AttributeOf<'probeTokens'>, string>;

/** The per-deployment labels of the metrics table (typed by it); key order is /metrics label order. */
export function deploymentLabels(d: Deployment): DeploymentAttributes {
  return {
    model_name: d.modelName,
    model_id: d.id,
    model: d.probeModel,
    mode: d.mode,
    provider: d.provider,
    server_address: serverEndpoint(d).address,
  };
}

/** Labels plus one, as literals: each `{ ...base, window }` got its own V8 hidden class (~20 MB at 10,000 deployments). */
const windowLabels = (b: DeploymentAttributes, window: string): WindowAttributes =>
  ({ model_name: b.model_name, model_id: b.model_id, model: b.model, mode: b.mode, provider: b.provider, server_address: b.server_address, window });
const directionLabels = (b: DeploymentAttributes, direction: string): DirectionAttributes =>
  ({ model_name: b.model_name, model_id: b.model_id, model: b.model, mode: b.mode, provider: b.provider, server_address: b.server_address, direction });
const outcomeLabels = (b: DeploymentAttributes, result: string, error_type: string): ProbeOutcomeAttributes =>
  ({ model_name: b.model_name, model_id: b.model_id, model: b.model, mode: b.mode, provider: b.provider, server_address: b.server_address, result, error_type });

/**
 * What a series adds to its deployment's labels, as the small number the store walk hands its
 * reader (deployment-series.ts): NO_EXTRA_LABELS, then one code per uptime window, per token
 * direction, and per probe outcome as met. What a code adds is one object shared by every
 * deployment (extraLabels).
 *
 * Why not an attributes object per deployment and label set: the /metrics text needs only the
 * deployment's labels and these few extras, and 80,000 such objects with their arrays were ~9 MB
 * of live heap at 10,000 deployments. The OTel producer, which hands attributes objects on,
 * makes them the first time it collects (DeploymentSeries.attributesOf, withExtra).
 */
export const NO_EXTRA_LABELS = 0;
export const WINDOW_CODE = 1;
export const INPUT_CODE = WINDOW_CODE + Object.keys(UPTIME_WINDOWS).length;
export const OUTPUT_CODE = INPUT_CODE + 1;
const EXTRA_LABELS: Attributes[] = [{}, ...Object.keys(UPTIME_WINDOWS).map((window) => ({ window })), { direction: 'input' }, { direction: 'output' }];
/** Outcome → its code: the error types and "healthy", a few dozen whatever the number of deployments. */
const OUTCOME_CODES = new Map<string, number>();

/** The code of the labels a probe outcome's counter adds (`result`, `error_type`). */
export function outcomeCode(outcome: string): number {
  let code = OUTCOME_CODES.get(outcome);
  if (code === undefined) {
    const healthy = outcome === 'healthy';
    code = EXTRA_LABELS.push({ result: healthy ? 'healthy' : 'unhealthy', error_type: healthy ? '' : outcome }) - 1;
    OUTCOME_CODES.set(outcome, code);
  }
  return code;
}

/** The labels `code` adds to a deployment's (`{ window: '1h' }`; `{}` for NO_EXTRA_LABELS). */
export const extraLabels = (code: number): Attributes => EXTRA_LABELS[code]!;

/** A deployment's labels and those `code` adds, as one object in /metrics key order. */
export function withExtra(base: DeploymentAttributes, code: number): Attributes {
  if (code === NO_EXTRA_LABELS) return base;
  const extra = EXTRA_LABELS[code]!;
  if (code < INPUT_CODE) return windowLabels(base, String(extra.window));
  if (code <= OUTPUT_CODE) return directionLabels(base, String(extra.direction));
  return outcomeLabels(base, String(extra.result), String(extra.error_type));
}
