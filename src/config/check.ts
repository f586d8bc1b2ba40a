import type { Deployment } from '../core/deployment.js';
import { BUILTIN_PLUGINS_DIR, loadPlugins } from '../registry/plugins.js';
import { deploymentIssues, type CheckIssue } from './check-deployment.js';
import { buildDeployment } from './deployment.js';
import { ConfigError } from './errors.js';
import { readConfigTree, type ConfigTree } from './include.js';
import { configData, validateConfig } from './load.js';
import { deploymentSchema } from './schema.js';
import { settingsFrom } from './settings.js';
import { probeDefaults, type ProbeDefaults } from './probe-defaults.js';
import { unknownKeyWarnings } from './unknown-keys.js';

export type { CheckIssue } from './check-deployment.js';

export interface CheckReport {
  /** Distinct deployments found (by id), whether or not the file is valid as a whole. */
  deployments: number;
  /** Every problem found, in the order found: the files, the schema, then each deployment. */
  issues: CheckIssue[];
}

const errors = (texts: readonly string[]): CheckIssue[] => texts.map((text) => ({ level: 'error', text }));
const warnings = (texts: readonly string[]): CheckIssue[] => texts.map((text) => ({ level: 'warning', text }));

/**
 * --check-config: everything wrong with a config file in one pass, without a call to any
 * provider. Errors are what can never work: a file that does not parse or validate, no
 * deployment at all, an unknown provider or mode, a mode the provider is not probed in, an
 * api_base that is not a URL. Warnings load but are likely mistakes: keys that look like a
 * mistyped key of ours, duplicate YAML keys, unset os.environ/ variables, duplicate ids.
 * Deployments are checked one by one, so a schema error in one does not hide the others'.
 */
export async function checkConfigFile(file: string, env: NodeJS.ProcessEnv, pluginDirs: readonly string[] = []): Promise<CheckReport> {
  let tree: ConfigTree;
  let data: Record<string, unknown>;
  try {
    tree = await readConfigTree(file);
    data = configData(tree, file);
  } catch (err) {
    if (err instanceof ConfigError) return { deployments: 0, issues: errors(err.issues) };
    throw err;
  }
  const issues: CheckIssue[] = [...warnings(tree.warnings), ...warnings(unknownKeyWarnings(data))];
  const valid = validateConfig(data);
  if ('issues' in valid) issues.push(...errors(valid.issues));
  // The model table and LiteLLM's variables as the service reads them; a bad one is an error here too.
  let probe: ProbeDefaults | undefined;
  const modelTable = 'issues' in valid ? undefined : valid.raw.general_settings.model_table ?? undefined;
  const settingsWarnings: string[] = [];
  for (const step of [() => { probe = probeDefaults(modelTable, file, env); }, () => { if (!('issues' in valid)) settingsFrom(valid.raw.general_settings, env, file, undefined, settingsWarnings); }]) {
    try {
      step();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...errors(err.issues));
    }
  }
  // A notification target whose os.environ/ variable is unset (it sends nothing).
  issues.push(...warnings(settingsWarnings));

  const built: Array<{ i: number; d: Deployment }> = [];
  const entries: unknown[] = Array.isArray(data.model_list) ? data.model_list : [];
  // Ids as load.ts derives them: entries differing only in literal keys are two deployments.
  const holders = new Map<string, Deployment>();
  entries.forEach((entry, i) => {
    const parsed = deploymentSchema.safeParse(entry);
    if (!parsed.success) return;
    const d = buildDeployment(parsed.data, i, env, probe ?? probeDefaults(undefined, file, {}), (id) => holders.get(id)?.raw);
    if (!holders.has(d.id)) holders.set(d.id, d);
    built.push({ i, d });
  });
  if (!entries.length) issues.push(...errors(['model_list: no deployments (an empty file, or no model_list): nothing to probe']));

  const userDir = settingsPluginsDir(data.general_settings, file);
  const plugins = await loadPlugins([BUILTIN_PLUGINS_DIR, ...(userDir ? [userDir] : []), ...pluginDirs]);
  issues.push(...warnings(plugins.errors.map((e) => `(plugins): ${e.file}: not loaded: ${e.reason}`)));
  const groups = new Set(built.map(({ d }) => d.modelName));
  const byId = new Map<string, Deployment>();
  for (const { i, d } of built) {
    issues.push(...deploymentIssues(d, i, { plugins: plugins.byMode, groups }));
    if (d.configError && !d.router) issues.push(...warnings([`model_list[${i}] (${d.modelName}): ${d.configError}`]));
    const first = byId.get(d.id);
    if (first) issues.push(...warnings([`model_list[${i}] (${d.modelName}) has the same id as ${first.modelName}: probed once`]));
    else byId.set(d.id, d);
  }
  return { deployments: byId.size, issues };
}

/** general_settings.health_check_plugins_dir, resolved as the loader resolves it. */
function settingsPluginsDir(gs: unknown, file: string): string | undefined {
  const dir = gs && typeof gs === 'object' ? (gs as Record<string, unknown>).health_check_plugins_dir : undefined;
  if (typeof dir !== 'string' || !dir) return undefined;
  return settingsFrom({ health_check_plugins_dir: dir }, {}, file).pluginsDir;
}
