#!/usr/bin/env node
// Derives the compact model table (src/config/model-table.json) from LiteLLM's model table
// (model_prices_and_context_window.json, MIT, Copyright (c) 2023 Berri AI; the notice is in
// src/config/model-table.LICENSE). Run through `npm run update-model-table`.
//
//   update-model-table.mjs [--input FILE] [--output FILE] [--check]
//
// --input   LiteLLM's full table (default: ../shared/reference/model-table/litellm-model-prices.json,
//           or $MODEL_TABLE_SOURCE); a newer copy of the upstream file works the same way.
// --output  where to write (default src/config/model-table.json).
// --check   write nothing; exit 1 when the output would differ from the file there.
//
// The output is the same format as LiteLLM's file, cut to the fields the exporter reads: the mode,
// the provider, whether the model reasons, and the flat prices a later spend estimate needs.
// Models are sorted by name and fields kept in one order, one model a line: the same input always
// gives the same bytes, and an update shows as a readable diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The fields kept, in this order. Prices: only the flat ones a health probe can incur. */
export const KEPT_FIELDS = [
  'mode', 'litellm_provider', 'supports_reasoning',
  'input_cost_per_token', 'output_cost_per_token', 'output_cost_per_reasoning_token',
  'input_cost_per_audio_token', 'output_cost_per_audio_token',
  'input_cost_per_character', 'output_cost_per_character',
  'input_cost_per_second', 'output_cost_per_second', 'output_cost_per_video_per_second',
  'input_cost_per_image', 'output_cost_per_image', 'input_cost_per_pixel', 'output_cost_per_pixel',
  'input_cost_per_query', 'input_cost_per_request', 'ocr_cost_per_page',
];

/** The first key of the output: where the data comes from and under which licence. */
export const NOTICE_KEY = '_notice';
export const NOTICE = 'Derived by scripts/update-model-table.mjs from LiteLLM\'s model_prices_and_context_window.json. MIT License, Copyright (c) 2023 Berri AI: see model-table.LICENSE next to this file.';

const TYPES = { mode: 'string', litellm_provider: 'string', supports_reasoning: 'boolean' };

/** The compact table's text for a parsed LiteLLM table (or a compact one: it is a subset). */
export function compactTable(full) {
  if (!full || typeof full !== 'object' || Array.isArray(full)) throw new Error('the model table must be a JSON object of model name → fields');
  const names = Object.keys(full)
    .filter((name) => name !== 'sample_spec' && name !== NOTICE_KEY && full[name] && typeof full[name] === 'object' && !Array.isArray(full[name]))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = names.map((name) => {
    const entry = full[name];
    const kept = {};
    for (const field of KEPT_FIELDS) {
      const value = entry[field];
      if (typeof value === (TYPES[field] ?? 'number') && (typeof value !== 'number' || Number.isFinite(value))) kept[field] = value;
    }
    return `${JSON.stringify(name)}: ${JSON.stringify(kept)}`;
  });
  return `{\n${JSON.stringify(NOTICE_KEY)}: ${JSON.stringify(NOTICE)},\n${lines.join(',\n')}\n}\n`;
}

function argValue(args, flag) {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(args) {
  const input = resolve(argValue(args, '--input') ?? process.env.MODEL_TABLE_SOURCE ?? join(root, '../shared/reference/model-table/litellm-model-prices.json'));
  const output = resolve(argValue(args, '--output') ?? join(root, 'src/config/model-table.json'));
  const text = compactTable(JSON.parse(readFileSync(input, 'utf8')));
  const models = text.split('\n').length - 4;
  if (args.includes('--check')) {
    let current = '';
    try { current = readFileSync(output, 'utf8'); } catch { /* missing: differs */ }
    if (current !== text) {
      console.error(`${output}: differs from what ${input} gives (run npm run update-model-table)`);
      process.exit(1);
    }
    console.log(`${output}: up to date (${models} models)`);
    return;
  }
  writeFileSync(output, text);
  console.log(`${output}: ${models} models from ${input}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
