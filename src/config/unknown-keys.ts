import { nearest, typoDistance } from './did-you-mean.js';
import { ROUTER_PARAM_KEYS } from './routers.js';
import { generalSettingsSchema, litellmParamsSchema, modelInfoSchema } from './schema.js';
import { envDefaultsFor, knownPrefixes } from '../registry/providers.js';

/**
 * Keys that look like a mistyped key this exporter reads. LiteLLM's files carry many keys the
 * exporter ignores (router_settings, rpm, input_cost_per_token, …): those stay silent. A key is
 * reported when it is not ours and not LiteLLM's, and either is a near miss of one of ours or,
 * in general_settings and model_info, is a health-check key (`health_check_*`) nobody reads.
 */

/** Keys LiteLLM reads in each section that are near enough to ours to be taken for a typo. */
const LITELLM_KEYS: Record<Section, readonly string[]> = {
  top: ['litellm_settings', 'router_settings', 'environment_variables', 'callback_settings', 'credential_list', 'search_tools', 'guardrails', 'mcp_servers', 'vector_store_registry', 'prompts', 'finetune_settings', 'files_settings', 'assistant_settings'],
  entry: [],
  general_settings: [
    'enable_health_check_routing', 'health_check_ignore_transient_errors', 'use_shared_health_check', 'health_check_staleness_threshold',
    'background_health_check_model_groups', 'health_check_skip_disabled_background_models', 'health_check_concurrency',
    'master_key', 'database_url', 'alerting', 'alerting_threshold', 'alert_types', 'alerting_args', 'store_model_in_db',
    'max_parallel_requests', 'global_max_parallel_requests', 'infer_model_from_keys', 'completion_model', 'embedding_model',
    'image_generation_model', 'moderation_model', 'proxy_batch_write_at', 'proxy_batch_polling_interval', 'custom_auth',
    'disable_spend_logs', 'disable_master_key_return', 'disable_reset_budget', 'allowed_routes', 'public_routes', 'allowed_ips',
  ],
  model_info: [
    'id', 'mode', 'base_model', 'max_tokens', 'max_input_tokens', 'max_output_tokens', 'input_cost_per_token',
    'output_cost_per_token', 'description', 'tier', 'team_id', 'access_groups', 'db_model', 'metadata', 'litellm_provider',
  ],
  litellm_params: [
    'rpm', 'tpm', 'max_retries', 'region_name', 'vertex_project', 'vertex_location', 'vertex_credentials', 'headers',
    'api_type', 'max_tokens', 'temperature', 'input_cost_per_token', 'output_cost_per_token', 'weight', 'order',
    'base_model', 'tenant_id', 'client_id', 'client_secret', 'azure_username', 'azure_password', 'aws_profile_name',
    'aws_role_name', 'aws_web_identity_token', 'drop_params', 'merge_reasoning_content_in_choices', 'use_in_pass_through',
  ],
};

type Section = 'top' | 'entry' | 'general_settings' | 'model_info' | 'litellm_params';

function ours(): Record<Section, ReadonlySet<string>> {
  const providerParams = knownPrefixes().flatMap((p) => Object.keys(envDefaultsFor(p).vars));
  return {
    top: new Set(['model_list', 'general_settings', 'include']),
    entry: new Set(['model_name', 'litellm_params', 'model_info']),
    general_settings: new Set(Object.keys(generalSettingsSchema.shape)),
    model_info: new Set(Object.keys(modelInfoSchema.shape)),
    litellm_params: new Set([...Object.keys(litellmParamsSchema.shape), ...providerParams, 'azure_ad_token', ...ROUTER_PARAM_KEYS]),
  };
}

/** Where a key of one section may have been meant instead (a per-deployment key in general_settings, …). */
const NEIGHBOURS: Record<Section, readonly Section[]> = {
  top: [], entry: [], general_settings: ['model_info'], model_info: ['general_settings', 'litellm_params'], litellm_params: ['model_info'],
};

let keys: Record<Section, ReadonlySet<string>> | undefined;

/** The key of ours nearest to `key`: in its own section, else in a neighbour (named with that section). */
function hintFor(section: Section, key: string): string | undefined {
  keys ??= ours();
  const options = [{ prefix: '', near: nearest(key, keys[section]) }, ...NEIGHBOURS[section].map((n) => ({ prefix: `${n}.`, near: nearest(key, keys![n]) }))];
  let best: { name: string; distance: number } | undefined;
  for (const { prefix, near } of options) if (near && (!best || near.distance < best.distance)) best = { name: prefix + near.name, distance: near.distance };
  return best && best.distance <= typoDistance(key) ? best.name : undefined;
}

/** `path: unknown key …` for each key of `value` (a section) that looks like a typo of ours. */
function sectionWarnings(section: Section, value: unknown, path: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  keys ??= ours();
  const mine = keys[section];
  const theirs = new Set(LITELLM_KEYS[section]);
  const out: string[] = [];
  for (const key of Object.keys(value)) {
    if (mine.has(key) || theirs.has(key)) continue;
    const hint = hintFor(section, key);
    const healthKey = (section === 'general_settings' || section === 'model_info') && /health_?check/i.test(key);
    if (!hint && !healthKey) continue;
    const at = path ? `${path}.${key}` : key;
    out.push(`${at}: unknown key, ignored${hint ? `; did you mean ${hint}?` : ''}`);
  }
  return out;
}

/** Warnings for the whole config data: the top level, general_settings and each model_list entry. */
export function unknownKeyWarnings(data: Readonly<Record<string, unknown>>): string[] {
  const out = [...sectionWarnings('top', data, ''), ...sectionWarnings('general_settings', data.general_settings, 'general_settings')];
  if (Array.isArray(data.model_list)) {
    data.model_list.forEach((entry: unknown, i) => {
      const at = `model_list[${i}]`;
      out.push(...sectionWarnings('entry', entry, at));
      if (entry && typeof entry === 'object') {
        const e = entry as Record<string, unknown>;
        out.push(...sectionWarnings('litellm_params', e.litellm_params, `${at}.litellm_params`), ...sectionWarnings('model_info', e.model_info, `${at}.model_info`));
      }
    });
  }
  return out;
}
