import { startExporter } from './exporter.js';

/**
 * What the exporter answers an orchestrator's probe (no credentials) on each path, on a config
 * with a master key set: a probe aimed at a path that does not exist (404) or that wants the key
 * (401) would fail in production, so a deploy file's probe paths are checked against this.
 */
export async function unauthenticatedStatus(paths: string[]): Promise<Record<string, number>> {
  const ex = await startExporter('model_list: []\ngeneral_settings:\n  master_key: sk-probe-paths\n');
  try {
    const out: Record<string, number> = {};
    for (const p of paths) out[p] = (await fetch(`${ex.url}${p}`)).status;
    return out;
  } finally {
    await ex.close();
  }
}
