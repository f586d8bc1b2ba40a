import type { Deployment } from '../core/deployment.js';
import { ProbeError } from '../core/errors.js';
import { anthropic } from '../providers/anthropic.js';
import { azure, azureText } from '../providers/azure.js';
import { bedrock } from '../providers/bedrock.js';
import { cohere } from '../providers/cohere.js';
import { COMPATIBLE_PROVIDERS, unknownCompatible } from '../providers/compatible.js';
import { gemini } from '../providers/gemini.js';
import { ollama } from '../providers/ollama.js';
import { openai, textCompletionOpenAi } from '../providers/openai.js';
import type { EnvDefaults, Provider } from '../providers/types.js';

export type { Provider } from '../providers/types.js';

/** The `model:` prefixes this exporter knows, each with its provider (wire format, auth, defaults). */
const PROVIDERS = new Map<string, Provider>([
  ['openai', openai],
  ['text-completion-openai', textCompletionOpenAi],
  ['azure', azure],
  ['azure_text', azureText],
  ['anthropic', anthropic],
  ['gemini', gemini],
  ['bedrock', bedrock],
  ['cohere', cohere],
  ['cohere_chat', cohere],
  ['ollama', ollama],
  ['ollama_chat', ollama],
  ...COMPATIBLE_PROVIDERS.map((p) => [p.name, p] as const),
]);

/**
 * The provider for a deployment. An unknown prefix with an api_base is treated as
 * OpenAI-compatible (as LiteLLM's openai/ and custom_openai/ routes are); without one it is a
 * config error the deployment reports, never a crash.
 */
export function providerFor(d: Deployment): Provider {
  const provider = providerOfPrefix(d.provider, Boolean(d.apiBase));
  if (provider) return provider;
  throw new ProbeError('config', `unknown provider "${d.provider}" (set litellm_params.api_base for an OpenAI-compatible server)`);
}

/** The provider of a prefix: a known one, else OpenAI-compatible when there is an api_base, else none. */
export function providerOfPrefix(prefix: string, hasApiBase: boolean): Provider | undefined {
  return PROVIDERS.get(prefix) ?? (hasApiBase ? unknownCompatible(prefix) : undefined);
}

/** The known prefixes, in the order the docs list them. */
export function knownPrefixes(): string[] {
  return [...PROVIDERS.keys()];
}

/**
 * The environment variables that supply a prefix's params when the entry leaves them out, and
 * the params that only come from there together. None for an unknown prefix.
 */
export function envDefaultsFor(prefix: string): { vars: EnvDefaults; groups: ReadonlyArray<readonly string[]> } {
  const p = PROVIDERS.get(prefix);
  return { vars: p?.envDefaults ?? {}, groups: p?.envDefaultGroups ?? [] };
}

/**
 * Host and port a deployment's probes go to: server.address / server.port in spans and the
 * server_address label. Host only: never a path, query, key or user info.
 */
export function serverEndpoint(d: Deployment): { address: string; port?: number } {
  let base: string | undefined;
  try {
    const provider = providerFor(d);
    base = provider.baseFor?.(d) ?? d.apiBase ?? provider.defaultBase;
  } catch {
    base = d.apiBase;
  }
  if (!base) return { address: '' };
  try {
    const u = new URL(base);
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    return { address: u.hostname, port };
  } catch {
    return { address: '' };
  }
}

/** gen_ai.provider.name for a deployment ("_OTHER" when unknown, per the semantic conventions). */
export function genAiProviderOf(d: Deployment): string {
  try { return providerFor(d).genAiProvider; } catch { return '_OTHER'; }
}
