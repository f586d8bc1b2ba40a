import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_FILE, SCHEMA_MODELINE, configJsonSchemaText } from '../src/config/json-schema.js';
import { readYamlHere } from '../src/config/read-yaml.js';

/**
 * config.schema.json, the JSON Schema editors use (yaml-language-server), is generated from the
 * zod schema the loader validates with, so the two cannot drift: this fails until `npm run docs`
 * rewrites it. It is checked with a real JSON Schema validator (Ajv, draft 2020-12, the one
 * fastify already ships) against realistic files.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const committed = readFileSync(`${ROOT}${CONFIG_SCHEMA_FILE}`, 'utf8');

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string }> | null };
function validator(): Validate {
  // Ajv as fastify resolves it: a dependency of ours by way of fastify, never installed on its own.
  const req = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const Ajv2020 = (req('ajv/dist/2020') as { default: new (opts: object) => { compile(schema: unknown): Validate } }).default;
  return new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(committed));
}

const yaml = (text: string) => {
  const read = readYamlHere(text);
  if ('issues' in read) throw new Error(read.issues.join('; '));
  return read.data;
};

describe(`${CONFIG_SCHEMA_FILE}`, () => {
  it('is what the zod schema generates (run npm run docs after changing src/config/schema.ts)', () => {
    expect(committed).toBe(configJsonSchemaText());
  });

  it('accepts realistic LiteLLM files, with Python-style booleans, numbers as text, empty keys and include', () => {
    const validate = validator();
    for (const file of ['test/fixtures/check-config/litellm-proxy-valid.yaml', 'test/fixtures/litellm-corpus/proxy_config.yaml', 'test/fixtures/litellm-corpus/models/azure.yaml']) {
      const ok = validate(yaml(readFileSync(`${ROOT}${file}`, 'utf8')));
      expect({ file, errors: ok ? [] : validate.errors }).toEqual({ file, errors: [] });
    }
    expect(validate(yaml('general_settings: { background_health_checks: "True", health_check_interval: "120", health_check_details: }\nmodel_list:\n  - model_name: a\n    litellm_params: { model: gpt-4o, api_key: }\n'))).toBe(true);
  });

  it.each([
    ['a list where a number belongs', 'general_settings: { health_check_interval: [60] }', '/general_settings'],
    ['a value outside an enum', 'model_list:\n  - model_name: a\n    litellm_params: { model: gpt-4o }\n    model_info: { health_check_probe: sometimes }', '/model_list'],
    ['an entry without model_name', 'model_list:\n  - litellm_params: { model: gpt-4o }', '/model_list'],
    ['a word that is no boolean', 'general_settings: { background_health_checks: maybe }', '/general_settings'],
    ['include that is not a list', 'include: models.yaml', '/include'],
  ])('refuses %s', (_what, text, where) => {
    const validate = validator();
    expect(validate(yaml(text))).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).some((p) => p.startsWith(where))).toBe(true);
  });

  it('docs/configuration.md shows the modeline that points editors at it', () => {
    expect(readFileSync(`${ROOT}docs/configuration.md`, 'utf8')).toContain(SCHEMA_MODELINE);
  });
});
