import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import builtinJson from './model-table.json' with { type: 'json' };
import { envReference } from './env.js';

/**
 * LiteLLM's model table: what it knows about a model by name (its mode, its provider, whether it
 * reasons). The built-in copy is model-table.json, derived from LiteLLM's
 * model_prices_and_context_window.json (MIT, Copyright (c) 2023 Berri AI; see
 * model-table.LICENSE) by scripts/update-model-table.mjs. A newer full file (or one of your own
 * models, in the same format) can be laid over it: general_settings.model_table or
 * LLM_HEALTH_MODEL_TABLE.
 */

/** What the table says about one model. */
export interface ModelFacts {
  /** The table key that matched. */
  readonly key: string;
  /** chat, completion, embedding, image_generation, …; absent when the table gives none. */
  readonly mode?: string;
  /** The `model:` prefix of the provider the table files it under (its litellm_provider). */
  readonly provider?: string;
  /** supports_reasoning, when the table says either way. */
  readonly reasoning?: boolean;
}

/** The variable that names a model table when general_settings.model_table does not. */
export const MODEL_TABLE_ENV = 'LLM_HEALTH_MODEL_TABLE';

/**
 * LiteLLM's litellm_provider as the `model:` prefix that routes to it: its table files Vertex
 * models under `vertex_ai-language-models` and the like, Bedrock's Converse models under
 * `bedrock_converse`, Fireworks' embeddings under `fireworks_ai-embedding-models`.
 */
export function prefixOfProvider(litellmProvider: string): string {
  if (litellmProvider === 'bedrock_converse') return 'bedrock';
  if (litellmProvider.startsWith('text-completion-')) return litellmProvider;
  return litellmProvider.split('-')[0]!;
}

function factsOf(key: string, value: unknown): ModelFacts | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value) || key === 'sample_spec') return undefined;
  const v = value as Record<string, unknown>;
  return {
    key,
    ...(typeof v.mode === 'string' && v.mode ? { mode: v.mode } : {}),
    ...(typeof v.litellm_provider === 'string' && v.litellm_provider ? { provider: prefixOfProvider(v.litellm_provider) } : {}),
    ...(typeof v.supports_reasoning === 'boolean' ? { reasoning: v.supports_reasoning } : {}),
  };
}

export class ModelTable {
  readonly #byKey = new Map<string, ModelFacts>();
  /** `voyage-3` for `voyage/voyage-3`: names under their provider's prefix, where that is unambiguous. */
  readonly #byBareName = new Map<string, ModelFacts | null>();

  /** Tables in order of precedence: a model in the first one hides the same model in the others. */
  constructor(tables: ReadonlyArray<Readonly<Record<string, unknown>>>) {
    for (const table of tables) {
      for (const [key, value] of Object.entries(table)) {
        if (this.#byKey.has(key)) continue;
        const facts = factsOf(key, value);
        if (facts) this.#byKey.set(key, facts);
      }
    }
    for (const facts of this.#byKey.values()) {
      const slash = facts.key.indexOf('/');
      if (slash <= 0 || !facts.provider) continue;
      const bare = facts.key.slice(slash + 1);
      if (bare.includes('/') || this.#byKey.has(bare) || prefixOfProvider(facts.key.slice(0, slash)) !== facts.provider) continue;
      // The same bare name under two providers (mistral/ and azure_ai/): it names neither.
      this.#byBareName.set(bare, this.#byBareName.has(bare) ? null : facts);
    }
  }

  get size(): number {
    return this.#byKey.size;
  }

  /**
   * The facts for a model, looked up as LiteLLM does: `provider/name` first (when the model
   * names its provider), then the bare name, then the name under its provider's prefix
   * (`voyage-3` → `voyage/voyage-3`), then the name's last path segment (`converse/x` → `x`).
   */
  lookup(provider: string | undefined, name: string): ModelFacts | undefined {
    if (provider !== undefined) {
      const hit = this.#byKey.get(`${provider}/${name}`);
      if (hit) return hit;
    }
    const hit = this.#byKey.get(name) ?? this.#byBareName.get(name) ?? undefined;
    if (hit) return hit;
    const last = name.slice(name.lastIndexOf('/') + 1);
    return last !== name && last ? this.lookup(undefined, last) : undefined;
  }
}

let builtin: ModelTable | undefined;

/** The table shipped with the exporter (built once). */
export function builtinModelTable(): ModelTable {
  return (builtin ??= new ModelTable([builtinJson as Record<string, unknown>]));
}

/**
 * The table a config uses: the file general_settings.model_table names (relative to the config
 * file; `os.environ/NAME` allowed), else the file LLM_HEALTH_MODEL_TABLE names, laid over the
 * built-in table; else the built-in table. Throws a one-line problem ("key: why") when the file
 * cannot be read or is not a JSON object of models.
 */
export function modelTableFor(configured: string | undefined, configFile: string, env: NodeJS.ProcessEnv): ModelTable {
  const ref = envReference(configured);
  const fromConfig = ref !== undefined ? env[ref] : configured;
  const key = configured !== undefined ? 'general_settings.model_table' : MODEL_TABLE_ENV;
  const named = configured !== undefined ? fromConfig : env[MODEL_TABLE_ENV];
  if (configured !== undefined && !named) throw new Error(`${key}: environment variable ${ref} is not set`);
  if (!named) return builtinModelTable();
  const path = configured !== undefined ? resolve(dirname(configFile), named) : resolve(named);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? 'not valid JSON' : (err as NodeJS.ErrnoException).code ?? 'cannot read';
    throw new Error(`${key}: cannot use ${path}: ${why}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${key}: ${path} is not a model table (a JSON object of model name → {mode, litellm_provider, …})`);
  }
  return new ModelTable([parsed as Record<string, unknown>, builtinJson as Record<string, unknown>]);
}
