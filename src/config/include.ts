import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { MAX_ALIAS_EXPANSION, OFF_THREAD_BYTES, readYamlHere, readYamlOffThread, type Expansion } from './read-yaml.js';

/** Larger configs are refused before parsing: a model_list of 10,000 entries is ~2 MB. All files together. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;
/** At most this many files per config, the config itself included. */
export const MAX_CONFIG_FILES = 64;

/** A config file as plain data, with the files it includes merged in. */
export interface ConfigTree {
  data: unknown;
  /** What loads but may surprise (duplicate keys), each naming its file and line. */
  warnings: string[];
  /** Every file read, the config first (absolute paths). */
  files: string[];
}

/** What the files read so far used: bytes, files, and what their aliases may still add. */
interface Budget { bytes: number; files: string[]; expansion: Expansion }

/**
 * Reads `file` and, like LiteLLM's proxy, the files its top-level `include:` list names
 * (relative to the including file): their top-level lists (model_list) are appended to the
 * including file's, any other key replaces it. Included files may include others; a cycle is
 * refused with the chain named. Every problem of every file is reported at once.
 */
export async function readConfigTree(file: string): Promise<ConfigTree> {
  const issues: string[] = [];
  const tree: ConfigTree = { data: undefined, warnings: [], files: [] };
  const budget: Budget = { bytes: 0, files: tree.files, expansion: { ...MAX_ALIAS_EXPANSION } };
  const root = resolve(file);
  const name = (f: string) => relative(dirname(root), f) || f;
  tree.data = await readOne(root, [], '', '(file)', { issues, warnings: tree.warnings, budget, name });
  if (issues.length) throw new ConfigError(file, issues);
  return tree;
}

/** A config given as text: no file to read includes from, so `include:` is an error here. */
export function configTreeOfText(text: string, file: string): ConfigTree {
  const read = readYamlHere(text);
  if ('issues' in read) throw new ConfigError(file, read.issues);
  if (isMapping(read.data) && 'include' in read.data) throw new ConfigError(file, ['include: only a config read from a file can include others']);
  return { data: read.data, warnings: read.warnings ?? [], files: [] };
}

interface Walk {
  issues: string[];
  warnings: string[];
  budget: Budget;
  /** How a file is named in messages: relative to the config's folder. */
  name: (file: string) => string;
}

/**
 * One file's data with its includes merged. `at` prefixes the messages about its content ('' for
 * the config itself, else its name); `from` is where it was named (`(file)`, `include[0]`).
 */
async function readOne(file: string, chain: readonly string[], at: string, from: string, w: Walk): Promise<unknown> {
  const text = await readText(file, from, at ? ` ${w.name(file)}` : '', w);
  if (text === undefined) return undefined;
  const left = w.budget.expansion;
  const read = text.length > OFF_THREAD_BYTES ? await readYamlOffThread(text, left) : readYamlHere(text, left);
  if ('issues' in read) {
    w.issues.push(...read.issues.map((i) => at + i));
    return undefined;
  }
  // One alias budget for the whole tree: a file included 63 times must not get 63 budgets.
  if (read.expansion) w.budget.expansion = { nodes: left.nodes - read.expansion.nodes, chars: left.chars - read.expansion.chars };
  w.warnings.push(...(read.warnings ?? []).map((x) => at + x));
  const data = read.data;
  if (!isMapping(data) || !('include' in data)) return data;
  const includes = data.include;
  delete data.include;
  if (!Array.isArray(includes)) {
    w.issues.push(`${at}include: expected a list of file paths`);
    return data;
  }
  for (const [i, entry] of includes.entries()) {
    const where = `${at}include[${i}]`;
    if (typeof entry !== 'string' || entry.trim() === '') {
      w.issues.push(`${where}: expected a file path`);
      continue;
    }
    const target = resolve(dirname(file), entry);
    const path = [...chain, file];
    if (path.includes(target)) {
      w.issues.push(`${where}: include cycle: ${[...path, target].map(w.name).join(' → ')}`);
      continue;
    }
    const included = await readOne(target, path, `${w.name(target)}: `, where, w);
    if (included === undefined || included === null) continue;
    if (!isMapping(included)) {
      w.issues.push(`${where}: ${w.name(target)} is not a mapping (expected keys such as model_list)`);
      continue;
    }
    mergeInto(data, included);
  }
  return data;
}

/** LiteLLM's merge: a list extends the including file's list of the same key; anything else replaces it. */
function mergeInto(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(from)) {
    const mine = into[key];
    into[key] = Array.isArray(value) && Array.isArray(mine) ? [...mine, ...value] : value;
  }
}

/** A file's text within the budget; problems are reported at `from`, naming the file as `name`. */
async function readText(file: string, from: string, name: string, w: Walk): Promise<string | undefined> {
  if (w.budget.files.length >= MAX_CONFIG_FILES) {
    w.issues.push(`${from}: more than ${MAX_CONFIG_FILES} files in one config (includes included)`);
    return undefined;
  }
  w.budget.files.push(file);
  try {
    const buf = await readFile(file);
    w.budget.bytes += buf.byteLength;
    if (w.budget.bytes > MAX_CONFIG_BYTES) {
      w.issues.push(`${from}:${name} larger than ${MAX_CONFIG_BYTES} bytes${name ? ' (all files together)' : ''}`);
      return undefined;
    }
    return buf.toString('utf8');
  } catch (err) {
    w.issues.push(`${from}: cannot read${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return undefined;
  }
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
