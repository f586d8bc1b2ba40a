import type { Deployment } from '../../src/core/deployment.js';
import { parseConfig } from '../../src/config/load.js';
import { startExporter } from '../support/exporter.js';

/**
 * Probes one deployment once through the real exporter (config parsing, env defaults, the
 * runner, the provider layer) and returns its /health entry.
 *
 *   litellmParams: the flow mapping of litellm_params, e.g. `{ model: anthropic/claude, api_key: k }`
 */
export async function probeOnce(litellmParams: string, opts: { modelInfo?: string; env?: NodeJS.ProcessEnv; general?: string } = {}): Promise<Record<string, any>> {
  const ex = await startExporter(`
model_list:
  - model_name: m
    litellm_params: ${litellmParams}
    model_info: ${opts.modelInfo ?? '{}'}
${opts.general ?? ''}`, { listen: false, env: opts.env });
  try {
    const report = await ex.app.once();
    const entries = [...report.healthy_endpoints, ...report.unhealthy_endpoints];
    if (entries.length !== 1) throw new Error(`expected one entry, got ${entries.length}`);
    return entries[0] as Record<string, any>;
  } finally {
    await ex.close();
  }
}

/** The resolved Deployment for one model_list entry (for dialect-level checks). */
export function deploymentOf(litellmParams: string, modelInfo = '{}', env: NodeJS.ProcessEnv = {}): Deployment {
  return parseConfig(`model_list:\n  - model_name: m\n    litellm_params: ${litellmParams}\n    model_info: ${modelInfo}\n`, 'test.yaml', env).deployments[0]!;
}
