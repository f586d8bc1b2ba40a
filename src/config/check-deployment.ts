import type { Deployment } from '../core/deployment.js';
import { BUILTIN_MODES, OTHER_PREFIX, capabilityMatrix, type BuiltinMode, type CapabilityRow } from '../registry/capabilities.js';
import { BUILTIN_PLUGINS_DIR, type LoadedPlugins } from '../registry/plugins.js';
import { knownPrefixes, providerOfPrefix } from '../registry/providers.js';
import { closest } from './did-you-mean.js';

/** One finding of --check-config: an error can never work; a warning loads but is likely a mistake. */
export interface CheckIssue {
  level: 'error' | 'warning';
  /** "path: message", the path as users write it (model_list[2].model_info.mode). */
  text: string;
}

/** What a deployment is checked against: the loaded plugins, the model groups of the file, the capability matrix. */
export interface CheckContext {
  plugins: LoadedPlugins['byMode'];
  groups: ReadonlySet<string>;
  matrix?: readonly CapabilityRow[];
}

const URL_PROTOCOLS = new Set(['http:', 'https:', 'ws:', 'wss:']);
const BUILTIN = new Set<string>(BUILTIN_MODES);

/**
 * What can never work for one deployment (model_list[i]), against the registries: an unknown
 * provider, a mode no plugin probes, a provider that does not serve that mode, an api_base that
 * is not a URL; for a strategy router, model groups that do not exist. Values are never quoted
 * (an api_base may carry a key): only names the registries know, and the file's model names.
 */
export function deploymentIssues(d: Deployment, i: number, ctx: CheckContext): CheckIssue[] {
  const at = `model_list[${i}]`;
  const raw = d.raw.litellm_params;
  const error = (path: string, message: string): CheckIssue => ({ level: 'error', text: `${at}.${path}: ${message}` });
  if (d.router) return routerIssues(d, at, ctx);
  const out: CheckIssue[] = [];

  // An api_base written as an unset os.environ/ reference still says "OpenAI-compatible".
  const hasApiBase = Boolean(d.apiBase) || (raw.api_base !== undefined && raw.api_base !== null);
  const provider = providerOfPrefix(d.provider, hasApiBase);
  const providerPath = typeof raw.custom_llm_provider === 'string' && raw.custom_llm_provider ? 'litellm_params.custom_llm_provider' : 'litellm_params.model';
  if (!provider) {
    const near = closest(d.provider, knownPrefixes());
    out.push(error(providerPath, `unknown provider "${d.provider}"${near ? ` (did you mean ${near}?)` : ''}: set litellm_params.api_base for an OpenAI-compatible server, or see docs/providers.md for the providers known`));
  }

  const modeWritten = d.raw.model_info?.mode !== undefined && d.raw.model_info?.mode !== null;
  const modePath = modeWritten ? 'model_info.mode' : 'litellm_params.model';
  const plugin = ctx.plugins.get(d.mode);
  if (!plugin) {
    const near = closest(d.mode, ctx.plugins.keys(), Math.max(2, Math.floor(d.mode.length / 3)));
    out.push(error(modePath, `unknown mode "${d.mode}"${near ? ` (did you mean ${near}?)` : ''}; modes: ${[...ctx.plugins.keys()].sort().join(', ')}`));
  }
  // The free probe (wildcards, or opted into) lists models whatever the mode.
  const probed = d.probeStrategy === 'models_list' ? 'models_list' : d.mode;
  const builtin = ctx.plugins.get(probed)?.file.startsWith(BUILTIN_PLUGINS_DIR) ?? false;
  if (provider && builtin && BUILTIN.has(probed)) {
    const matrix = ctx.matrix ?? capabilityMatrix();
    const row = matrix.find((r) => r.prefix === d.provider) ?? matrix.find((r) => r.prefix === OTHER_PREFIX);
    if (row && !row.modes[probed as BuiltinMode]) {
      const path = probed === 'models_list' ? (d.raw.model_info?.health_check_probe ? 'model_info.health_check_probe' : 'litellm_params.model') : modePath;
      out.push(error(path, `${row.provider === OTHER_PREFIX ? 'an OpenAI-compatible server' : row.provider} is not probed in ${probed} mode (see the provider × mode table in docs/providers.md)`));
    }
  }

  if (d.apiBase !== undefined && !isUrl(d.apiBase)) out.push(error('litellm_params.api_base', 'not a URL (expected http(s)://host[:port][/path])'));
  return out;
}

function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return URL_PROTOCOLS.has(u.protocol) && u.hostname !== '';
  } catch {
    return false;
  }
}

/** A router's groups must exist: one it routes to that does not is a warning, none at all can never work. */
function routerIssues(d: Deployment, at: string, ctx: CheckContext): CheckIssue[] {
  const router = d.router!;
  const path = `${at}.litellm_params.model`;
  if (d.configError) return [{ level: 'error', text: d.configError }];
  const missing = router.routes.filter((g) => !ctx.groups.has(g));
  const out: CheckIssue[] = [];
  for (const g of router.required.filter((x) => !ctx.groups.has(x))) {
    out.push({ level: 'error', text: `${path}: the strategy router calls model group "${g}" to choose a route, and no deployment has that model_name` });
  }
  if (missing.length === router.routes.length) {
    out.push({ level: 'error', text: `${path}: no deployment has any model_name the strategy router routes to (${missing.join(', ')})` });
  } else {
    for (const g of missing) out.push({ level: 'warning', text: `${path}: the strategy router routes to model group "${g}", and no deployment has that model_name` });
  }
  return out;
}
