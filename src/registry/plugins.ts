import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProbePlugin } from '../core/plugin.js';

/** The built-in plugins: ../../plugins from here, in the source tree and in dist/ alike. */
export const BUILTIN_PLUGINS_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url));

export interface PluginLoadError {
  file: string;
  reason: string;
}

export interface LoadedPlugins {
  /** mode → plugin; a later folder's plugin replaces an earlier one for the same mode. */
  byMode: Map<string, ProbePlugin & { file: string }>;
  errors: PluginLoadError[];
}

const PLUGIN_FILE = /\.(m?js|ts|mts)$/;

/**
 * Imports every plugin module in `dirs` (built-ins first, then user folders) and indexes it by
 * the mode it declares. A module that fails to import or lacks `mode`/`probe` is reported with
 * its file name and skipped: one broken plugin never stops the others.
 */
export async function loadPlugins(dirs: readonly string[]): Promise<LoadedPlugins> {
  const byMode: LoadedPlugins['byMode'] = new Map();
  const errors: PluginLoadError[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => PLUGIN_FILE.test(f) && !f.endsWith('.d.ts') && !/\.(test|spec)\./.test(f)).sort();
    } catch (err) {
      errors.push({ file: dir, reason: `cannot read plugin folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    for (const f of files) {
      const file = resolve(join(dir, f));
      try {
        const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        const plugin = asPlugin(mod);
        if (typeof plugin === 'string') {
          errors.push({ file, reason: plugin });
          continue;
        }
        byMode.set(plugin.mode, Object.assign(Object.create(null), plugin, { file }) as ProbePlugin & { file: string });
      } catch (err) {
        errors.push({ file, reason: `failed to import: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` });
      }
    }
  }
  return { byMode, errors };
}

/** Accepts `export default {mode, probe}`, `export const plugin = …` or named `mode`/`probe`. */
function asPlugin(mod: Record<string, unknown>): ProbePlugin | string {
  const candidates = [mod.default, mod.plugin, mod];
  for (const c of candidates) {
    if (c && typeof c === 'object') {
      const p = c as Partial<ProbePlugin>;
      if (typeof p.mode === 'string' && typeof p.probe === 'function') {
        if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(p.mode)) return `invalid mode "${p.mode.slice(0, 64)}" (lowercase letters, digits, _ . -)`;
        return { mode: p.mode, description: typeof p.description === 'string' ? p.description : undefined, probe: p.probe.bind(c) };
      }
    }
  }
  const hasMode = candidates.some((c) => c && typeof c === 'object' && typeof (c as ProbePlugin).mode === 'string');
  return hasMode ? 'exports a mode but no probe function' : 'exports no mode (expected `export default { mode, probe }`)';
}
