import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as yaml from 'yaml';
import { pyyamlCompat } from './yaml-pyyaml.js';
import { readPlainYaml } from './yaml-plain.js';

/** YAML alias expansion cap: refuses "billion laughs" documents quickly. */
export const MAX_ALIAS_COUNT = 1000;
/**
 * What aliases may add on top of what is written, in nodes and in scalar characters. The alias
 * cap counts uses, not size: one 20,000-key anchor used 999 times is a 245 KB file that expands
 * to 20 million nodes (77 s, 2.3 GB), and one 1 MB string aliased 600 times is 600 MB. Real
 * configs share a few params blocks; this much is ~50 ms to build. One budget covers a config
 * and every file it includes.
 */
export const MAX_ALIAS_EXPANSION: Expansion = { nodes: 100_000, chars: 1_000_000 };
export interface Expansion { nodes: number; chars: number }
/** Files above this are parsed in a worker thread (see readYamlOffThread). */
export const OFF_THREAD_BYTES = 256 * 1024;

/** `warnings`: what loads but may surprise (duplicate keys: the last one wins, as in PyYAML). */
/** `expansion`: what aliases added (to charge against the budget of the files still to read). */
export type YamlRead = { data: unknown; warnings?: string[]; expansion?: Expansion } | { issues: string[] };

/**
 * YAML text to plain data, or the parse errors by line. Self-contained on purpose (no module
 * variables): it also runs in a worker, from its source text.
 */
export function readYaml(
  text: string,
  lib: Pick<typeof yaml, 'LineCounter' | 'parseDocument' | 'isScalar' | 'isAlias'>,
  maxAliasCount: number,
  maxExpansion: Expansion,
  compat: typeof pyyamlCompat = pyyamlCompat,
): YamlRead {
  // No prettyErrors: its context snippet would quote the file, and the file may hold a key.
  const lines = new lib.LineCounter();
  // Read as LiteLLM's PyYAML reads it (YAML 1.1 scalars, duplicate keys: the last wins).
  const pyyaml = compat(lib);
  // logLevel 'error': the library's warnings (a collection used as a key) quote the file to stderr.
  const doc = lib.parseDocument(text, { ...pyyaml.options, prettyErrors: false, strict: true, lineCounter: lines, logLevel: 'error' });
  // The message alone, never what it quotes (an alias name, a scalar, raw bytes): the text after
  // ": " is the file's, and errors reach readiness, the reload's answer and logs.
  const bare = (message: string) => message.split('\n')[0]!.replace(/:\s[\s\S]*$/, '').replace(/[^\x20-\x7e]/g, '?').slice(0, 160);
  const described = (e: { message: string; code: string }) => `${bare(e.message)} (${e.code})`;
  if (doc.errors.length) return { issues: doc.errors.map((e) => `line ${lines.linePos(e.pos[0]).line}: ${described(e)}`) };
  // Measure what toJS would build before building it: nodes and scalar characters as written,
  // and with each alias (and merge key) counted at its anchor's size. Anchors come before their
  // aliases, so one walk in document order with a size per node is linear in the written
  // document. An alias to an anchor still being measured is recursive (toJS would loop).
  type Node = { anchor?: string; source?: string; items?: unknown[]; key?: unknown; value?: unknown };
  type Size = { nodes: number; chars: number };
  const sizes = new Map<unknown, Size>();
  const anchors = new Map<string, unknown>();
  const measuring = new Set<unknown>();
  const written: Size = { nodes: 0, chars: 0 };
  let recursive = false;
  const measure = (node: unknown, depth: number): Size => {
    if (node === null || typeof node !== 'object') return { nodes: 0, chars: 0 };
    if (depth > 10_000) throw new RangeError('nesting too deep');
    const n = node as Node;
    written.nodes += 1;
    if (lib.isAlias(node)) {
      const target = anchors.get(String(n.source));
      if (measuring.has(target)) recursive = true;
      return sizes.get(target) ?? { nodes: 1, chars: 0 };
    }
    if (n.anchor) { anchors.set(n.anchor, node); measuring.add(node); }
    const size: Size = { nodes: 1, chars: 0 };
    const add = (x: Size) => { size.nodes += x.nodes; size.chars += x.chars; };
    if (Array.isArray(n.items)) for (const item of n.items) add(measure(item, depth + 1));
    else if (lib.isScalar(node)) { if (typeof n.value === 'string') { size.chars = n.value.length; written.chars += size.chars; } }
    else if ('key' in n) { add(measure(n.key, depth + 1)); add(measure(n.value, depth + 1)); }
    measuring.delete(node);
    sizes.set(node, size);
    return size;
  };
  let expanded: Size;
  try {
    expanded = measure(doc.contents, 0);
  } catch {
    return { issues: ['(root): the document nests too deeply'] };
  }
  if (recursive) return { issues: ['(root): an alias refers to a node that contains it (a recursive alias)'] };
  const expansion = { nodes: expanded.nodes - written.nodes, chars: expanded.chars - written.chars };
  if (expansion.nodes > maxExpansion.nodes) {
    return { issues: [`(root): aliases expand the document by ${expansion.nodes} nodes (limit ${maxExpansion.nodes}); write the repeated part out or share less`] };
  }
  if (expansion.chars > maxExpansion.chars) {
    return { issues: [`(root): aliases expand the document by ${expansion.chars} characters (limit ${maxExpansion.chars}); write the repeated part out or share less`] };
  }
  try {
    return { data: doc.toJS({ maxAliasCount }), warnings: pyyaml.warnings(lines), expansion };
  } catch (err) {
    return { issues: [`(root): ${bare((err as Error).message)}`] };
  }
}

export function readYamlHere(text: string, budget: Expansion = MAX_ALIAS_EXPANSION): YamlRead {
  return readPlainYamlFirst(text) ?? readYaml(text, yaml, MAX_ALIAS_COUNT, budget);
}

/**
 * The common case read by yaml-plain.ts, in milliseconds, on this thread: what readYaml gives for
 * a file with no aliases and no duplicate keys (no warnings, nothing expanded). Undefined when the
 * file needs the library.
 */
export function readPlainYamlFirst(text: string): YamlRead | undefined {
  const plain = readPlainYaml(text, yaml);
  return plain && { data: plain.data, warnings: [], expansion: { nodes: 0, chars: 0 } };
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.postMessage((${readYaml.toString()})(workerData.text, require(workerData.yaml), workerData.maxAliasCount, workerData.maxExpansion, ${pyyamlCompat.toString()}));
`;

/**
 * The same, in a short-lived worker. The yaml library's document for a 10,000-deployment file
 * (~2 MB) peaks above 130 MB of heap; in a worker that memory goes back to the system when the
 * worker ends, instead of staying in the long-lived process's heap (npm run bench, memory).
 * A file yaml-plain.ts reads needs no worker: it reads it in less time than a worker takes to start.
 */
export function readYamlOffThread(text: string, budget: Expansion = MAX_ALIAS_EXPANSION): Promise<YamlRead> {
  const plain = readPlainYamlFirst(text);
  if (plain) return Promise.resolve(plain);
  const yamlPath = createRequire(import.meta.url).resolve('yaml');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { text, yaml: yamlPath, maxAliasCount: MAX_ALIAS_COUNT, maxExpansion: budget } });
    worker.once('message', (read: YamlRead) => { resolve(read); void worker.terminate(); });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`config parser worker exited with code ${code}`)));
  });
}
