import type { Deployment } from '../core/deployment.js';
import { ProbeError } from '../core/errors.js';
import { anthropicDialect } from './anthropic.js';
import { azureDialect } from './azure.js';
import { bedrockDialect } from './bedrock.js';
import { cohereDialect } from './cohere.js';
import { COMPATIBLE_DIALECTS } from './compatible.js';
import { geminiDialect } from './gemini.js';
import { ollamaDialect } from './ollama.js';
import { OPENAI_DEFAULT_BASE, openAiDialect } from './openai.js';
import type { Dialect } from './types.js';

/** The `model:` prefixes this exporter knows, each with its wire format (dialect). */
const DIALECTS = new Map<string, Dialect>([
  ['openai', openAiDialect('openai', 'openai', OPENAI_DEFAULT_BASE)],
  ['text-completion-openai', openAiDialect('text-completion-openai', 'openai', OPENAI_DEFAULT_BASE)],
  ['azure', azureDialect],
  ['azure_text', azureDialect],
  ['anthropic', anthropicDialect],
  ['gemini', geminiDialect],
  ['bedrock', bedrockDialect],
  ['cohere', cohereDialect],
  ['cohere_chat', cohereDialect],
  ['ollama', ollamaDialect],
  ['ollama_chat', ollamaDialect],
  ...COMPATIBLE_DIALECTS,
]);

/**
 * The dialect for a deployment. An unknown prefix with an api_base is treated as
 * OpenAI-compatible (as LiteLLM's openai/ and custom_openai/ routes are); without one it is a
 * config error the deployment reports, never a crash.
 */
export function dialectFor(d: Deployment): Dialect {
  const known = DIALECTS.get(d.provider);
  if (known) return known;
  if (d.apiBase) return openAiDialect(d.provider, '_OTHER');
  throw new ProbeError('config', `unknown provider "${d.provider}" (set litellm_params.api_base for an OpenAI-compatible server)`);
}

export function knownProviders(): string[] {
  return [...DIALECTS.keys()];
}

/**
 * Host and port a deployment's probes go to: server.address / server.port in spans and the
 * server_address label. Host only: never a path, query, key or user info.
 */
export function serverEndpoint(d: Deployment): { address: string; port?: number } {
  let base: string | undefined;
  try {
    const dialect = dialectFor(d);
    base = dialect.baseFor?.(d) ?? d.apiBase ?? dialect.defaultBase;
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
  try { return dialectFor(d).genAiProvider; } catch { return '_OTHER'; }
}
