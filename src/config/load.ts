import { configSchema, type RawConfig } from './schema.js';
import { ConfigError, formatPath } from './errors.js';
import { buildDeployment } from './deployment.js';
import type { Deployment } from '../core/deployment.js';
import { configTreeOfText, readConfigTree, type ConfigTree } from './include.js';
import { settingsFrom, type Settings } from './settings.js';
import { probeDefaults } from './probe-defaults.js';

export type { Settings } from './settings.js';

export interface LoadedConfig {
  file: string;
  /** The config as validated, included files merged in. */
  raw: RawConfig;
  settings: Settings;
  /** Unique by id, in file order. */
  deployments: Deployment[];
  warnings: string[];
  /** Every file read: the config, then the files it includes (absolute; empty for text). */
  files: readonly string[];
}

/** Reads, validates and resolves a config file and the files it includes. Throws ConfigError. */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  return configFromTree(await readConfigTree(file), file, env);
}

/** The same for a config given as text (no includes: there is no file to find them from). */
export function parseConfig(text: string, file = 'config.yaml', env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return configFromTree(configTreeOfText(text, file), file, env);
}

/** The config's data as a mapping: an empty file is an empty config; a list or a scalar is an error. */
export function configData(tree: Pick<ConfigTree, 'data'>, file: string): Record<string, unknown> {
  const data = tree.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(file, ['(root): expected a mapping with model_list']);
  return data as Record<string, unknown>;
}

/** Validates the merged data against the schema; every bad key at once, each with its path. */
export function validateConfig(data: Record<string, unknown>): { raw: RawConfig } | { issues: string[] } {
  const parsed = configSchema.safeParse(data, {
    error: (issue) => {
      if (issue.input === undefined) return 'Required';
      // `model_name: off` is a boolean to YAML 1.1, as to LiteLLM's PyYAML: say so.
      if (issue.code === 'invalid_type' && issue.expected === 'string' && typeof issue.input === 'boolean') {
        return 'expected a string, received a boolean (YAML 1.1, as LiteLLM reads it, takes yes/no/on/off for booleans: quote it)';
      }
      return undefined;
    },
  });
  if (parsed.success) return { raw: parsed.data };
  return { issues: parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
}

function configFromTree(tree: ConfigTree, file: string, env: NodeJS.ProcessEnv): LoadedConfig {
  const valid = validateConfig(configData(tree, file));
  if ('issues' in valid) throw new ConfigError(file, valid.issues);
  const { raw } = valid;
  // The model table and LiteLLM's health-check variables (DEFAULT_HEALTH_CHECK_PROMPT, …).
  const probe = probeDefaults(raw.general_settings.model_table ?? undefined, file, env);
  const warnings: string[] = [...tree.warnings];
  const settings = settingsFrom(raw.general_settings, env, file, probe.prompt, warnings);

  const byId = new Map<string, Deployment>();
  raw.model_list.forEach((entry, i) => {
    const d = buildDeployment(entry, i, env, probe, (id) => byId.get(id)?.raw);
    const first = byId.get(d.id);
    if (first) {
      warnings.push(`model_list[${i}] (${d.modelName}) has the same id as ${first.modelName}: probed once`);
      return;
    }
    byId.set(d.id, d);
  });

  return { file, raw, settings, deployments: [...byId.values()], warnings, files: tree.files };
}
