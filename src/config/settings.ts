import { dirname, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { envReference } from './env.js';
import type { GeneralSettings } from './schema.js';
import { DEFAULT_DENY_NETWORKS, NetworkList } from '../core/networks.js';
import { statusSettings, type StatusSettings } from './status-settings.js';

export const DEFAULT_INTERVAL_S = 300;
export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_MIN_INTERVAL_S = 10;
export const DEFAULT_HISTORY_SIZE = 100;
export const DEFAULT_RETRY_INTERVAL_S = 30;
export const DEFAULT_DB_RETENTION_DAYS = 30;
export const DEFAULT_DB_MAX_ROWS = 1000;

/** general_settings as the exporter uses them: defaults applied, env references resolved. */
export interface Settings {
  masterKey?: string;
  backgroundHealthChecks: boolean;
  /** Seconds; ≤ 0 disables background checks, as in LiteLLM. */
  intervalS: number;
  details: boolean;
  concurrency: number;
  /** Seconds; on-demand probes of one deployment are never closer than this. */
  minIntervalS: number;
  /** Leave disable_background_health_check deployments out of on-demand /health too. */
  skipDisabledOnDemand: boolean;
  /** Only these model_names are probed in the background (undefined: all). */
  backgroundModelGroups?: readonly string[];
  historySize: number;
  rateLimitedAsHealthy: boolean;
  /** /metrics needs the master key too. */
  metricsAuth: boolean;
  /** Fleet mode's Redis URL (undefined: not shared). */
  sharedRedisUrl?: string;
  /** Seconds; older results are stale. Undefined: per deployment (see config/policy.ts). */
  stalenessS?: number;
  /** Consecutive failed probes before a deployment is reported unhealthy. */
  failureThreshold: number;
  /** Consecutive successful probes before an unhealthy deployment is reported healthy again. */
  successThreshold: number;
  /** Seconds before a confirmation probe (capped at each deployment's interval). */
  retryIntervalS: number;
  /** Absolute path of general_settings.health_check_plugins_dir. */
  pluginsDir?: string;
  otlpEndpoint?: string;
  /** general_settings.health_check_prompt */
  prompt?: string;
  otlpProtocol?: string;
  /** Where probes may not connect (general_settings.health_check_deny_networks). */
  denyNetworks: NetworkList;
  /** Seconds; a slower successful probe is degraded (undefined: off; model_info may override). */
  latencyThresholdS?: number;
  /** Seconds a /health call that probes waits at most (undefined: until the probes end). */
  targetedTimeoutS?: number;
  /** The status page, notifications and maintenance windows (status-settings.ts). */
  status: StatusSettings;
  /** general_settings.health_check_db (os.environ/ resolved): a path, `:memory:` or a postgres URL. */
  historyDb?: string;
  dbRetentionDays: number;
  /** Rows kept per deployment in the database (at least historySize). */
  dbMaxRows: number;
}

/**
 * Redis for fleet mode, as LiteLLM finds it: general_settings.redis_url, else REDIS_URL, else
 * REDIS_HOST / REDIS_PORT / REDIS_PASSWORD. Asking for sharing without any is a config error.
 */
function redisUrl(configured: string | undefined, env: NodeJS.ProcessEnv, file: string): string {
  const ref = envReference(configured);
  const fromConfig = ref !== undefined ? env[ref] : configured;
  if (fromConfig) return fromConfig;
  if (env.REDIS_URL) return env.REDIS_URL;
  if (env.REDIS_HOST) {
    const auth = env.REDIS_PASSWORD ? `:${encodeURIComponent(env.REDIS_PASSWORD)}@` : '';
    return `redis://${auth}${env.REDIS_HOST}:${env.REDIS_PORT ?? '6379'}`;
  }
  throw new ConfigError(file, ['general_settings.use_shared_health_check: needs Redis: set general_settings.redis_url, REDIS_URL, or REDIS_HOST/REDIS_PORT/REDIS_PASSWORD']);
}

/** A value that may be an os.environ/NAME reference; a reference to an unset variable is a config error. */
function fromEnv(configured: string | undefined, env: NodeJS.ProcessEnv, file: string, key: string): string | undefined {
  const ref = envReference(configured);
  if (ref === undefined) return configured;
  if (!env[ref]) throw new ConfigError(file, [`${key}: environment variable ${ref} is not set`]);
  return env[ref];
}

/**
 * The Settings of a validated general_settings block (`file` locates the plugins folder);
 * `warnings` gets what does not stop start-up (a notification target's unset variable).
 */
export function settingsFrom(gs: GeneralSettings, env: NodeJS.ProcessEnv, file: string, defaultPrompt?: string, warnings: string[] = []): Settings {
  let masterKey = gs.master_key ?? undefined;
  const masterRef = envReference(masterKey);
  if (masterRef !== undefined) {
    masterKey = env[masterRef];
    // Running without the key the file asks for would expose /health: refuse to start instead.
    if (!masterKey) throw new ConfigError(file, [`general_settings.master_key: environment variable ${masterRef} is not set`]);
  }
  return {
    masterKey,
    backgroundHealthChecks: gs.background_health_checks ?? false,
    intervalS: gs.health_check_interval ?? DEFAULT_INTERVAL_S,
    details: gs.health_check_details ?? true,
    concurrency: gs.health_check_concurrency ?? DEFAULT_CONCURRENCY,
    minIntervalS: gs.health_check_min_interval ?? DEFAULT_MIN_INTERVAL_S,
    skipDisabledOnDemand: gs.health_check_skip_disabled_background_models ?? false,
    backgroundModelGroups: gs.background_health_check_model_groups ?? undefined,
    historySize: gs.health_check_history_size ?? DEFAULT_HISTORY_SIZE,
    rateLimitedAsHealthy: gs.health_check_rate_limited_as_healthy ?? false,
    metricsAuth: gs.metrics_auth ?? false,
    sharedRedisUrl: gs.use_shared_health_check ? redisUrl(gs.redis_url ?? undefined, env, file) : undefined,
    stalenessS: gs.health_check_staleness_threshold ?? undefined,
    failureThreshold: gs.health_check_failure_threshold ?? 1,
    successThreshold: gs.health_check_success_threshold ?? 1,
    retryIntervalS: gs.health_check_retry_interval ?? DEFAULT_RETRY_INTERVAL_S,
    otlpEndpoint: gs.otel_exporter_otlp_endpoint ?? undefined,
    prompt: gs.health_check_prompt ?? defaultPrompt,
    otlpProtocol: gs.otel_exporter_otlp_protocol ?? undefined,
    denyNetworks: new NetworkList(gs.health_check_deny_networks ?? DEFAULT_DENY_NETWORKS),
    latencyThresholdS: gs.health_check_latency_threshold ?? undefined,
    targetedTimeoutS: gs.health_check_targeted_timeout ?? undefined,
    pluginsDir: gs.health_check_plugins_dir ? resolve(dirname(file), gs.health_check_plugins_dir) : undefined,
    status: statusSettings(gs, env, warnings),
    historyDb: fromEnv(gs.health_check_db ?? undefined, env, file, 'general_settings.health_check_db'),
    dbRetentionDays: gs.health_check_db_retention_days ?? DEFAULT_DB_RETENTION_DAYS,
    dbMaxRows: Math.max(gs.health_check_db_max_rows ?? DEFAULT_DB_MAX_ROWS, gs.health_check_history_size ?? DEFAULT_HISTORY_SIZE),
  };
}
