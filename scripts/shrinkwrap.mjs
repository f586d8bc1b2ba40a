#!/usr/bin/env node
// `npm pack` / `npm publish` (prepack, postpack): ships package-lock.json as npm-shrinkwrap.json,
// the one lockfile npm honours in an installed package. So `npm install -g llm-health-exporter`
// gets the tree this repository tests (with the `overrides` of package.json applied, which npm
// ignores in a dependency's package.json), not whatever its version ranges resolve to that day.
// The two files have the same format (npm docs: npm-shrinkwrap.json). Usage: shrinkwrap.mjs write|remove
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'npm-shrinkwrap.json');
const verb = process.argv[2];
if (verb === 'write') copyFileSync(join(root, 'package-lock.json'), target);
else if (verb === 'remove') rmSync(target, { force: true });
else {
  console.error('usage: shrinkwrap.mjs write|remove');
  process.exit(2);
}
