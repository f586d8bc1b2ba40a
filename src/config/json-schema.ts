import { z } from 'zod';
import { bool, configSchema, num } from './schema.js';

/** Where the committed schema lives (repository root) and how editors are pointed at it. */
export const CONFIG_SCHEMA_FILE = 'config.schema.json';
export const SCHEMA_MODELINE = `# yaml-language-server: $schema=./${CONFIG_SCHEMA_FILE}`;

/** Python-style booleans LiteLLM accepts as text ("True", "yes", "1"), any case (schema.ts). */
const BOOL_TEXT = '^\\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo]|[Oo][Nn]|[Oo][Ff][Ff]|1|0)\\s*$';
/** Numbers written as text ("300", " 45 "), as schema.ts accepts them. */
const NUMBER_TEXT = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$';

/**
 * The JSON Schema of the config, generated from the zod schema (schema.ts) for editors
 * (yaml-language-server): the keys the exporter reads, their types and enums, and `include`.
 * Every object stays open (LiteLLM's other keys are welcome). Ranges (a positive timeout, an
 * interval of at least 1 s) are checked at load time, not here. config.schema.json is this,
 * written by `npm run docs` and compared by a test.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const text = ctx.zodSchema === bool ? BOOL_TEXT : ctx.zodSchema === num ? NUMBER_TEXT : undefined;
      if (text === undefined) return;
      const type = ctx.zodSchema === bool ? 'boolean' : 'number';
      for (const k of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[k];
      Object.assign(ctx.jsonSchema, { anyOf: [{ type }, { type: 'string', pattern: text }] });
    },
  }) as Record<string, unknown> & { properties: Record<string, unknown> };
  const { $schema, ...rest } = schema;
  return {
    $schema,
    title: 'LiteLLM proxy config.yaml, as llm-health-exporter reads it',
    description: 'The keys llm-health-exporter reads (docs/configuration.md); any other LiteLLM key is accepted and ignored. Generated from src/config/schema.ts by npm run docs.',
    ...rest,
    properties: {
      include: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: 'YAML files merged into this one, relative to it: their model_list entries are appended (as LiteLLM\'s include).',
      },
      ...schema.properties,
    },
  };
}

/** The committed file's text: the schema, two-space JSON, a final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
