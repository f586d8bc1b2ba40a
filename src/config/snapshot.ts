import type { Deployment } from '../core/deployment.js';
import type { LoadedConfig, Settings } from './load.js';

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
  /** Results older than this are shown stale (background mode only). */
  readonly staleAfterMs: number | undefined;
  /** Bumped by every applied config: answers cached per snapshot compare it. */
  readonly generation: number;
}

export function buildSnapshot(config: LoadedConfig, generation: number): Snapshot {
  // Deep enough to be immutable: each Deployment is frozen where it is built.
  const s = Object.freeze(config.settings);
  Object.freeze(config.deployments);
  const backgroundOn = s.backgroundHealthChecks && s.intervalS > 0;
  const groups = s.backgroundModelGroups;
  return Object.freeze({
    config,
    settings: s,
    deployments: config.deployments,
    byId: new Map(config.deployments.map((d) => [d.id, d])),
    backgroundOn,
    background: config.deployments.filter((d) => !d.backgroundDisabled && (!groups || groups.includes(d.modelName))),
    staleAfterMs: backgroundOn && s.stalenessS !== undefined ? s.stalenessS * 1000 : undefined,
    generation,
  });
}

/** The seconds between two background probes of a deployment: its own interval, else the global one. */
export function intervalOf(s: Snapshot, d: Deployment): number {
  return d.intervalS ?? s.settings.intervalS;
}
