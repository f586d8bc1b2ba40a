import { z } from 'zod';
import { isNetwork } from '../core/networks.js';
import { bool, num } from './coerce.js';
import { STATUS_SETTINGS_SHAPE } from './status-schema.js';

/**
 * The subset of LiteLLM's config.yaml this exporter reads. Every object is "loose": keys we do
 * not use (router_settings, litellm_settings, callbacks, rpm, tpm, …) are accepted and kept, so a
 * LiteLLM user's file loads unchanged. A key left empty (YAML null, `api_key:`) is as if it were
 * not there, as in LiteLLM: the provider's environment variable or the default applies.
 */

// LiteLLM (Python) accepts "True"/"true"/"1" and "300" in hand-written YAML (coerce.ts).
export { bool, num } from './coerce.js';
const positiveSeconds = num.pipe(z.number().positive().max(86_400 * 7));
const positiveInt = num.pipe(z.number().int().positive().max(1_000_000));
/** Every probe is a paid call: a schedule tighter than a second is a mistake, never a wish. */
const probeSeconds = num.pipe(z.number().min(1, 'must be at least 1 second (every probe is a paid call)').max(86_400 * 7));
/** Consecutive probes that must agree before the reported state changes. */
const threshold = num.pipe(z.number().int().min(1).max(100));

export const litellmParamsSchema = z.looseObject({
  model: z.string().min(1),
  api_base: z.string().min(1).nullish(),
  api_key: z.string().nullish(),
  api_version: z.string().nullish(),
  organization: z.string().nullish(),
  timeout: positiveSeconds.nullish(),
  stream_timeout: positiveSeconds.nullish(),
  extra_headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullish(),
  custom_llm_provider: z.string().nullish(),
  /** false: accept any certificate; a string: path to a CA bundle (as LiteLLM's ssl_verify). */
  ssl_verify: z.union([bool, z.string().min(1)]).nullish(),
  /** Path to a PEM CA certificate to trust for this deployment. */
  ssl_certificate: z.string().min(1).nullish(),
});

export const modelInfoSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String).nullish(),
  mode: z.string().min(1).nullish(),
  base_model: z.string().nullish(),
  health_check_timeout: positiveSeconds.nullish(),
  health_check_model: z.string().min(1).nullish(),
  health_check_max_tokens: positiveInt.nullish(),
  health_check_params: z.record(z.string(), z.unknown()).nullish(),
  disable_background_health_check: bool.nullish(),
  health_check_supports_max_tokens: bool.nullish(),
  health_check_max_tokens_reasoning: positiveInt.nullish(),
  health_check_max_tokens_non_reasoning: positiveInt.nullish(),
  health_check_reasoning_effort: z.string().min(1).nullish(),
  health_check_voice: z.string().min(1).nullish(),
  /** `models_list`: prove reachability and auth with the free model list, generating nothing. */
  health_check_probe: z.enum(['models_list', 'generate']).nullish(),
  /** Seconds between background probes of this deployment (overrides the global interval). */
  health_check_interval: probeSeconds.nullish(),
  /** Per-deployment overrides of the general_settings keys of the same names. */
  health_check_failure_threshold: threshold.nullish(),
  health_check_success_threshold: threshold.nullish(),
  health_check_retry_interval: probeSeconds.nullish(),
  health_check_staleness_threshold: positiveSeconds.nullish(),
  /** Seconds: a successful probe slower than this is reported degraded (default: general_settings'). */
  health_check_latency_threshold: positiveSeconds.nullish(),
});

export const deploymentSchema = z.looseObject({
  model_name: z.string().min(1),
  litellm_params: litellmParamsSchema,
  model_info: modelInfoSchema.nullish(),
});

export const generalSettingsSchema = z.looseObject({
  master_key: z.string().min(1).nullish(),
  background_health_checks: bool.nullish(),
  // ≤ 0 turns background checks off (LiteLLM); between 0 and 1 s is refused.
  health_check_interval: num.pipe(z.number().max(86_400 * 7).refine((v) => v <= 0 || v >= 1, 'must be at least 1 second, or ≤ 0 to turn background checks off (every probe is a paid call)')).nullish(),
  /** Failed probes in a row before a deployment is reported unhealthy (default 1, as LiteLLM). */
  health_check_failure_threshold: threshold.nullish(),
  /** Successful probes in a row before an unhealthy deployment is reported healthy again (default 1). */
  health_check_success_threshold: threshold.nullish(),
  /** Seconds before a confirmation probe after a failure under the threshold (default 30, never above the interval). */
  health_check_retry_interval: probeSeconds.nullish(),
  health_check_details: bool.nullish(),
  health_check_concurrency: positiveInt.nullish(),
  /** On-demand probes of one deployment are at least this many seconds apart (default 10). */
  health_check_min_interval: num.pipe(z.number().min(0).max(86_400)).nullish(),
  health_check_skip_disabled_background_models: bool.nullish(),
  background_health_check_model_groups: z.array(z.string().min(1)).nullish(),
  /** Results kept per deployment for /health/history (default 100). */
  health_check_history_size: num.pipe(z.number().int().min(1).max(10_000)).nullish(),
  /** A 429 proves the deployment answers: count it healthy (still reported as rate_limited). */
  health_check_rate_limited_as_healthy: bool.nullish(),
  /** Put /metrics behind the master key too. */
  metrics_auth: bool.nullish(),
  /** Fleet mode: replicas share probes and results through Redis. */
  use_shared_health_check: bool.nullish(),
  redis_url: z.string().min(1).nullish(),
  /** Seconds after which a result is stale (default per deployment: 2 × its interval + its timeout, + the lease in a fleet). */
  health_check_staleness_threshold: positiveSeconds.nullish(),
  /** The probe prompt (default short and fixed; never logged). */
  health_check_prompt: z.string().min(1).max(2000).nullish(),
  /** Networks probes may not connect to (default: link-local and cloud metadata); [] allows all. */
  health_check_deny_networks: z.array(z.string().refine(isNetwork, 'not a network (an address, or CIDR like 10.0.0.0/8)')).nullish(),
  /**
   * Where results persist: a SQLite file (relative: to --data-dir, else to the config file),
   * `:memory:` (nothing persists), or a postgres:// URL. Default: DATABASE_URL, else
   * <data dir>/llm-health-exporter.db, else memory (docs/persistence.md).
   */
  health_check_db: z.string().min(1).nullish(),
  /** Days of history rows kept in the database (default 30). */
  health_check_db_retention_days: num.pipe(z.number().positive().max(3650)).nullish(),
  /** History rows kept per deployment in the database (default 1,000; never fewer than health_check_history_size). */
  health_check_db_max_rows: num.pipe(z.number().int().min(1).max(1_000_000)).nullish(),
  /** A LiteLLM model table (model_prices_and_context_window.json) laid over the built-in one, relative to the config file. */
  model_table: z.string().min(1).nullish(),
  /** A folder of user probe plugins, relative to the config file. */
  health_check_plugins_dir: z.string().min(1).nullish(),
  /** OTLP/HTTP base endpoint (…:4318); the OTEL_EXPORTER_OTLP_* variables work too. */
  otel_exporter_otlp_endpoint: z.string().url().nullish(),
  otel_exporter_otlp_protocol: z.enum(['http/protobuf', 'http/json', 'grpc']).nullish(),
  /** Seconds: a successful probe slower than this is degraded (default off; model_info may set its own). */
  health_check_latency_threshold: positiveSeconds.nullish(),
  /** Seconds a /health call that probes waits before answering "still running" (default: the probe's timeout). */
  health_check_targeted_timeout: positiveSeconds.nullish(),
  /** status_page, notifications, maintenance_windows, … (status-schema.ts). */
  ...STATUS_SETTINGS_SHAPE,
});

export const configSchema = z.looseObject({
  model_list: z.array(deploymentSchema).nullish().transform((v) => v ?? []),
  general_settings: generalSettingsSchema.nullish().transform((v) => v ?? {}),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawDeployment = z.infer<typeof deploymentSchema>;
export type GeneralSettings = z.infer<typeof generalSettingsSchema>;
