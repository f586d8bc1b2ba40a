import { DEFAULT_MAX_TOKENS } from '../core/deployment.js';
import { ConfigError } from './errors.js';
import { builtinModelTable, modelTableFor, type ModelTable } from './model-table.js';

/** model_info.health_check_timeout when neither it nor HEALTH_CHECK_TIMEOUT_SECONDS is set (LiteLLM's 60 s). */
export const DEFAULT_PROBE_TIMEOUT_S = 60;

/**
 * What every deployment of a config starts from before its model_info: the model table and
 * LiteLLM's health-check environment variables. Keys in the file win over these.
 */
export interface ProbeDefaults {
  readonly table: ModelTable;
  /** BACKGROUND_HEALTH_CHECK_MAX_TOKENS: max_tokens for every model (wildcard routes too). */
  readonly maxTokens?: number;
  /** BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING: max_tokens for reasoning models (not wildcards). */
  readonly maxTokensReasoning?: number;
  /** HEALTH_CHECK_TIMEOUT_SECONDS, else 60. */
  readonly timeoutS: number;
  /** DEFAULT_HEALTH_CHECK_PROMPT. */
  readonly prompt?: string;
}

/** LiteLLM's environment variables for health checks, as it names them. */
export const LITELLM_HEALTH_ENV = {
  prompt: 'DEFAULT_HEALTH_CHECK_PROMPT',
  maxTokens: 'BACKGROUND_HEALTH_CHECK_MAX_TOKENS',
  maxTokensReasoning: 'BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING',
  timeout: 'HEALTH_CHECK_TIMEOUT_SECONDS',
} as const;

/** An unset or empty variable is undefined (LiteLLM strips it: blank means unset). */
function envText(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function envNumber(env: NodeJS.ProcessEnv, name: string, issues: string[], check: (n: number) => boolean, expected: string): number | undefined {
  const text = envText(env, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (Number.isFinite(n) && check(n)) return n;
  // The value is not quoted: it is short, but it is the environment's, not the file's.
  issues.push(`${name}: expected ${expected}`);
  return undefined;
}

/**
 * The defaults for a config: its model table (general_settings.model_table, else
 * LLM_HEALTH_MODEL_TABLE, over the built-in one) and LiteLLM's variables. A variable that is set
 * but unusable, or a table that cannot be read, is a config error naming it.
 */
export function probeDefaults(modelTable: string | undefined, file: string, env: NodeJS.ProcessEnv): ProbeDefaults {
  const issues: string[] = [];
  let table = builtinModelTable();
  try {
    table = modelTableFor(modelTable, file, env);
  } catch (err) {
    issues.push((err as Error).message);
  }
  const tokens = (name: string) => envNumber(env, name, issues, (n) => Number.isInteger(n) && n >= 1 && n <= 1_000_000, 'a whole number of tokens from 1 to 1000000');
  const maxTokens = tokens(LITELLM_HEALTH_ENV.maxTokens);
  const maxTokensReasoning = tokens(LITELLM_HEALTH_ENV.maxTokensReasoning);
  const timeoutS = envNumber(env, LITELLM_HEALTH_ENV.timeout, issues, (n) => n > 0 && n <= 86_400 * 7, 'seconds, more than 0 and at most 604800');
  const prompt = envText(env, LITELLM_HEALTH_ENV.prompt);
  if (prompt !== undefined && prompt.length > 2000) issues.push(`${LITELLM_HEALTH_ENV.prompt}: at most 2000 characters`);
  if (issues.length) throw new ConfigError(file, issues);
  return Object.freeze({
    table,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(maxTokensReasoning !== undefined ? { maxTokensReasoning } : {}),
    timeoutS: timeoutS ?? DEFAULT_PROBE_TIMEOUT_S,
    ...(prompt !== undefined ? { prompt } : {}),
  });
}

/**
 * max_tokens for a deployment whose mode takes one, in LiteLLM's order: health_check_max_tokens;
 * a wildcard route gets BACKGROUND_HEALTH_CHECK_MAX_TOKENS or none; a reasoning model
 * health_check_max_tokens_reasoning, then BACKGROUND_HEALTH_CHECK_MAX_TOKENS_REASONING; any
 * other health_check_max_tokens_non_reasoning; then BACKGROUND_HEALTH_CHECK_MAX_TOKENS; then 16.
 */
export function maxTokensFor(
  info: { health_check_max_tokens?: number; health_check_max_tokens_reasoning?: number; health_check_max_tokens_non_reasoning?: number },
  reasoning: boolean,
  wildcard: boolean,
  defaults: Pick<ProbeDefaults, 'maxTokens' | 'maxTokensReasoning'>,
): number | undefined {
  if (info.health_check_max_tokens !== undefined) return info.health_check_max_tokens;
  if (wildcard) return defaults.maxTokens;
  const split = reasoning
    ? info.health_check_max_tokens_reasoning ?? defaults.maxTokensReasoning
    : info.health_check_max_tokens_non_reasoning;
  return split ?? defaults.maxTokens ?? DEFAULT_MAX_TOKENS;
}
