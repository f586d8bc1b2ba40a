/** LiteLLM's convention for secrets kept out of the file: `api_key: os.environ/OPENAI_API_KEY`. */
const ENV_PREFIX = 'os.environ/';

export class MissingEnvError extends Error {
  constructor(readonly variable: string, readonly key: string) {
    super(`environment variable ${variable} (referenced by ${key}) is not set`);
    this.name = 'MissingEnvError';
  }
}

export function envReference(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(ENV_PREFIX) ? value.slice(ENV_PREFIX.length).trim() : undefined;
}

/**
 * Resolves every `os.environ/NAME` string inside `value` (recursively). Unset variables are
 * collected rather than thrown, so one deployment's missing key never stops the others.
 */
export function resolveEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: string,
  missing: MissingEnvError[],
): unknown {
  const ref = envReference(value);
  if (ref !== undefined) {
    const resolved = env[ref];
    if (resolved === undefined || resolved === '') {
      missing.push(new MissingEnvError(ref, path));
      return undefined;
    }
    return resolved;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnv(v, env, `${path}[${i}]`, missing));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveEnv(v, env, path ? `${path}.${k}` : k, missing);
    return out;
  }
  return value;
}
