// Writes the provider × mode table into docs/providers.md, between its markers, from the
// capability matrix (src/registry/capabilities.ts). Reads the build: run after
// `npx tsc -p tsconfig.build.json`. test/providers/provider-mode-table-matches-registry.test.ts
// fails while the file and the matrix differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { PROVIDER_MODE_TABLE_END, PROVIDER_MODE_TABLE_START, providerModeTable } = await import('../dist/src/registry/capabilities.js');
const file = fileURLToPath(new URL('../docs/providers.md', import.meta.url));
const text = readFileSync(file, 'utf8');
const start = text.indexOf(PROVIDER_MODE_TABLE_START);
const end = text.indexOf(PROVIDER_MODE_TABLE_END);
if (start < 0 || end < start) {
  console.error(`docs/providers.md: markers not found (${PROVIDER_MODE_TABLE_START} … ${PROVIDER_MODE_TABLE_END})`);
  process.exit(1);
}
const next = `${text.slice(0, start + PROVIDER_MODE_TABLE_START.length)}\n${providerModeTable()}\n${text.slice(end)}`;
if (next === text) console.log('docs/providers.md: table up to date');
else {
  writeFileSync(file, next);
  console.log('docs/providers.md: table rewritten from the capability matrix');
}
