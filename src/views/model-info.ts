import type { Snapshot } from '../config/snapshot.js';

/** litellm_params keys safe to show in /model/info; everything else (credentials, headers) is left out. */
const PUBLIC_PARAM_KEYS = new Set([
  'model', 'api_version', 'custom_llm_provider', 'organization', 'region_name', 'aws_region_name',
  'vertex_project', 'vertex_location', 'timeout', 'stream_timeout', 'max_retries', 'rpm', 'tpm', 'base_model',
]);
const PUBLIC_INFO_KEY = /^(id|mode|base_model|description|tier|max_tokens|max_input_tokens|max_output_tokens|input_cost_per_token|output_cost_per_token|supports_[a-z_]+|health_check_(timeout|model|max_tokens|voice|interval)|disable_background_health_check)$/;

export interface ModelInfoEntry {
  model_name: string;
  litellm_params: Record<string, string | number | boolean>;
  model_info: Record<string, string | number | boolean>;
}

/** /model/info: each deployment with its model_info.id, through allow-lists (never a credential). */
export function modelInfo(s: Snapshot): ModelInfoEntry[] {
  return s.deployments.map((d) => {
    const params: ModelInfoEntry['litellm_params'] = {};
    for (const [k, v] of Object.entries(d.params)) if (PUBLIC_PARAM_KEYS.has(k) && isScalar(v)) params[k] = v;
    if (d.publicApiBase) params.api_base = d.publicApiBase;
    const info: ModelInfoEntry['model_info'] = {};
    for (const [k, v] of Object.entries(d.raw.model_info ?? {})) if (PUBLIC_INFO_KEY.test(k) && isScalar(v)) info[k] = v;
    info.id = d.id;
    info.mode = d.mode;
    return { model_name: d.modelName, litellm_params: params, model_info: info };
  });
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
