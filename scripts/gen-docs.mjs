#!/usr/bin/env node
// Rewrites the generated blocks of docs/*.md from their sources (the metric table, the alert
// rules, the provider × mode capability matrix), and config.schema.json from the zod schema. Run through `npm run docs`, which builds first:
// this imports the compiled renderers from dist/. Usage: gen-docs.mjs [doc ...]
// Tests fail while a doc and its source differ.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** doc name → its file and how its text is regenerated. */
const docs = {
  metrics: {
    file: 'docs/metrics.md',
    async render(text) {
      const { metricsDocBlocks, withGeneratedBlocks } = await import('../dist/src/telemetry/metrics-doc.js');
      return withGeneratedBlocks(text, metricsDocBlocks(await readFile(join(root, 'alerts/llm-health.rules.yml'), 'utf8')));
    },
  },
  providers: {
    file: 'docs/providers.md',
    async render(text) {
      const { PROVIDER_MODE_TABLE_END: END, PROVIDER_MODE_TABLE_START: START, providerModeTable } = await import('../dist/src/registry/capabilities.js');
      const start = text.indexOf(START);
      const end = text.indexOf(END);
      if (start < 0 || end < start) throw new Error(`markers not found (${START} … ${END})`);
      return `${text.slice(0, start + START.length)}\n${providerModeTable()}\n${text.slice(end)}`;
    },
  },
  schema: {
    file: 'config.schema.json',
    async render() {
      const { configJsonSchemaText } = await import('../dist/src/config/json-schema.js');
      return configJsonSchemaText();
    },
  },
};

const asked = process.argv.slice(2);
for (const name of asked.length ? asked : Object.keys(docs)) {
  const doc = docs[name];
  if (!doc) {
    console.error(`unknown doc "${name}"; known: ${Object.keys(docs).join(', ')}`);
    process.exit(2);
  }
  const path = join(root, doc.file);
  const before = await readFile(path, 'utf8').catch((err) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));
  const after = await doc.render(before);
  if (after !== before) await writeFile(path, after);
  console.log(`${doc.file}: ${after === before ? 'up to date' : 'regenerated'}`);
}
