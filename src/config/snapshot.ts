import type { Deployment } from '../core/deployment.js';
import type { LoadedConfig } from './load.js';
import type { Settings } from './settings.js';
import { policyOf, type ProbePolicy } from './policy.js';
import { probedFor } from './routers.js';

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
  /** The deployments of each model group (model_name), in file order. */
  readonly byModelName: ReadonlyMap<string, readonly Deployment[]>;
  /** Background checks on (LiteLLM: health_check_interval ≤ 0 disables them). */
  readonly backgroundOn: boolean;
  /**
   * The deployments probed in the background: not disabled, in the allowed model groups, and
   * not a strategy router (graded from the groups it routes to, never probed itself).
   */
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
  /** What probing `targets` means: strategy routers replaced by what they route to. */
  probed(targets: readonly Deployment[]): Deployment[];
}

export function buildSnapshot(config: LoadedConfig, generation: number): Snapshot {
  // Deep enough to be immutable: each Deployment is frozen where it is built.
  const s = Object.freeze(config.settings);
  Object.freeze(config.deployments);
  const backgroundOn = s.backgroundHealthChecks && s.intervalS > 0;
  const groups = s.backgroundModelGroups;
  const eligible = config.deployments.filter((d) => !d.backgroundDisabled && (!groups || groups.includes(d.modelName)));
  const background = eligible.filter((d) => !d.router);
  const byModelName = new Map<string, Deployment[]>();
  for (const d of config.deployments) {
    const group = byModelName.get(d.modelName);
    if (group) group.push(d);
    else byModelName.set(d.modelName, [d]);
  }
  const onDemand = s.skipDisabledOnDemand ? config.deployments.filter((d) => !d.backgroundDisabled) : config.deployments;
  const byId = new Map(config.deployments.map((d) => [d.id, d]));
  // Every deployment unless disabled ones are skipped: then byId answers, without a second set of ids.
  const onDemandIds: ReadonlySet<string> | ReadonlyMap<string, Deployment> = onDemand === config.deployments ? byId : new Set(onDemand.map((d) => d.id));
  // Built apart: the ids scheduled are needed only here, not kept by the closures below.
  const policies = policiesOf(config.deployments, s, new Set(backgroundOn ? background.map((d) => d.id) : []));
  return Object.freeze({
    config,
    settings: s,
    deployments: config.deployments,
    byId,
    byModelName,
    backgroundOn,
    background,
    listed: new Set((backgroundOn ? eligible : onDemand).map((d) => d.id)),
    generation,
    // A deployment of another snapshot (a probe that outlived a reload) gets the rules it would have now.
    policy: (d: Deployment) => policies.get(d.id) ?? policyOf(d, s, false),
    // What a router routes to is probed in its place, never a deployment left out of on-demand checks.
    probed: (targets: readonly Deployment[]) => probedFor(targets, byModelName).filter((d) => onDemandIds.has(d.id)),
  });
}

/** Each deployment's policy; most follow the same rules, so one frozen object per distinct set of values. */
function policiesOf(deployments: readonly Deployment[], s: Settings, scheduled: ReadonlySet<string>): Map<string, ProbePolicy> {
  const distinct = new Map<string, ProbePolicy>();
  const shared = (p: ProbePolicy): ProbePolicy => {
    const key = Object.values(p).join('|'); // numbers or undefined (''), in the literal's key order
    let known = distinct.get(key);
    if (!known) distinct.set(key, (known = Object.freeze(p)));
    return known;
  };
  return new Map(deployments.map((d) => [d.id, shared(policyOf(d, s, scheduled.has(d.id)))]));
}
