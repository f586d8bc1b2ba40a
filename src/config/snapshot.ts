import type { Deployment } from '../core/deployment.js';
import type { LoadedConfig } from './load.js';
import type { Settings } from './settings.js';
import { policyOf, type ProbePolicy } from './policy.js';

/**
 * One applied config and what follows from it, immutable. A reload builds a new snapshot and
 * the app swaps it in one place; every reader takes the current one, so an answer is never
 * built from half of one config and half of another.
 */
export interface Snapshot {
  readonly config: LoadedConfig;
  readonly settings: Settings;
  readonly deployments: readonly Deployment[];
  readonly byId: ReadonlyMap<string, Deployment>;
  /** Background checks on (LiteLLM: health_check_interval ≤ 0 disables them). */
  readonly backgroundOn: boolean;
  /** The deployments probed in the background: not disabled, and in the allowed model groups. */
  readonly background: readonly Deployment[];
  /**
   * The deployments every untargeted answer lists, pending until checked: the background set in
   * background mode, else every deployment /health would probe. Others appear once probed.
   */
  readonly listed: ReadonlySet<string>;
  /** Bumped by every applied config: answers cached per snapshot compare it. */
  readonly generation: number;
  /** Interval, retry interval, thresholds and staleness of a deployment of this snapshot. */
  policy(d: Deployment): ProbePolicy;
}

export function buildSnapshot(config: LoadedConfig, generation: number): Snapshot {
  // Deep enough to be immutable: each Deployment is frozen where it is built.
  const s = Object.freeze(config.settings);
  Object.freeze(config.deployments);
  const backgroundOn = s.backgroundHealthChecks && s.intervalS > 0;
  const groups = s.backgroundModelGroups;
  const background = config.deployments.filter((d) => !d.backgroundDisabled && (!groups || groups.includes(d.modelName)));
  const scheduled = new Set(backgroundOn ? background.map((d) => d.id) : []);
  const onDemand = s.skipDisabledOnDemand ? config.deployments.filter((d) => !d.backgroundDisabled) : config.deployments;
  const policies = new Map(config.deployments.map((d) => [d.id, policyOf(d, s, scheduled.has(d.id))]));
  return Object.freeze({
    config,
    settings: s,
    deployments: config.deployments,
    byId: new Map(config.deployments.map((d) => [d.id, d])),
    backgroundOn,
    background,
    listed: new Set((backgroundOn ? background : onDemand).map((d) => d.id)),
    generation,
    // A deployment of another snapshot (a probe that outlived a reload) gets the rules it would have now.
    policy: (d: Deployment) => policies.get(d.id) ?? policyOf(d, s, false),
  });
}
