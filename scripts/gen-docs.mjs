#!/usr/bin/env node
// Rewrites the generated blocks of docs/*.md from their sources. Run through `npm run docs`, which
// builds first: this imports the compiled renderers from dist/. Usage: gen-docs.mjs [doc ...]
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** doc name → its file and the blocks it generates (name → content). */
const docs = {
  metrics: {
    file: 'docs/metrics.md',
    async blocks() {
      const { metricsDocBlocks } = await import('../dist/src/telemetry/metrics-doc.js');
      return metricsDocBlocks(await readFile(join(root, 'alerts/llm-health.rules.yml'), 'utf8'));
    },
  },
};

const { withGeneratedBlocks } = await import('../dist/src/telemetry/metrics-doc.js');
const asked = process.argv.slice(2);
for (const name of asked.length ? asked : Object.keys(docs)) {
  const doc = docs[name];
  if (!doc) {
    console.error(`unknown doc "${name}"; known: ${Object.keys(docs).join(', ')}`);
    process.exit(2);
  }
  const path = join(root, doc.file);
  const before = await readFile(path, 'utf8');
  const after = withGeneratedBlocks(before, await doc.blocks());
  if (after !== before) await writeFile(path, after);
  console.log(`${doc.file}: ${after === before ? 'up to date' : 'regenerated'}`);
}
