import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as yaml from 'yaml';
import { pyyamlCompat } from './yaml-pyyaml.js';

/** YAML alias expansion cap: refuses "billion laughs" documents quickly. */
export const MAX_ALIAS_COUNT = 1000;
/**
 * Nodes aliases may add on top of what is written. The alias cap counts uses, not size: one
 * 20,000-key anchor used 999 times is a 245 KB file that expands to 20 million nodes (77 s,
 * 2.3 GB). Real configs share a few params blocks; 100,000 extra nodes is ~50 ms to build.
 */
export const MAX_ALIAS_EXPANSION = 100_000;
/** Files above this are parsed in a worker thread (see readYamlOffThread). */
export const OFF_THREAD_BYTES = 256 * 1024;

/** `warnings`: what loads but may surprise (duplicate keys: the last one wins, as in PyYAML). */
export type YamlRead = { data: unknown; warnings?: string[] } | { issues: string[] };

/**
 * YAML text to plain data, or the parse errors by line. Self-contained on purpose (no module
 * variables): it also runs in a worker, from its source text.
 */
export function readYaml(
  text: string,
  lib: Pick<typeof yaml, 'LineCounter' | 'parseDocument' | 'isScalar'>,
  maxAliasCount: number,
  maxExpansion: number,
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
  // Measure what toJS would build before building it: nodes as written, and with each alias
  // (and merge key) counted at its anchor's size. Anchors come before their aliases, so one walk
  // in document order with a size per node is linear in the written document.
  type Node = { anchor?: string; source?: string; items?: unknown[]; key?: unknown; value?: unknown };
  const sizes = new Map<unknown, number>();
  const anchors = new Map<string, unknown>();
  let written = 0;
  const measure = (node: unknown, depth: number): number => {
    if (node === null || typeof node !== 'object') return 0;
    if (depth > 10_000) throw new RangeError('nesting too deep');
    const n = node as Node;
    written += 1;
    if (typeof n.source === 'string') return sizes.get(anchors.get(n.source)) ?? 1;
    if (n.anchor) anchors.set(n.anchor, node);
    let size = 1;
    if (Array.isArray(n.items)) for (const item of n.items) size += measure(item, depth + 1);
    else if ('key' in n || 'value' in n) size += measure(n.key, depth + 1) + measure(n.value, depth + 1);
    sizes.set(node, size);
    return size;
  };
  let expanded: number;
  try {
    expanded = measure(doc.contents, 0);
  } catch {
    return { issues: ['(root): the document nests too deeply'] };
  }
  if (expanded - written > maxExpansion) {
    return { issues: [`(root): aliases expand the document by ${expanded - written} nodes (limit ${maxExpansion}); write the repeated part out or share less`] };
  }
  try {
    return { data: doc.toJS({ maxAliasCount }), warnings: pyyaml.warnings(lines) };
  } catch (err) {
    return { issues: [`(root): ${bare((err as Error).message)}`] };
  }
}

export function readYamlHere(text: string): YamlRead {
  return readYaml(text, yaml, MAX_ALIAS_COUNT, MAX_ALIAS_EXPANSION);
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.postMessage((${readYaml.toString()})(workerData.text, require(workerData.yaml), workerData.maxAliasCount, workerData.maxExpansion, ${pyyamlCompat.toString()}));
`;

/**
 * The same, in a short-lived worker. The yaml library's document for a 10,000-deployment file
 * (~2 MB) peaks above 130 MB of heap; in a worker that memory goes back to the system when the
 * worker ends, instead of staying in the long-lived process's heap (npm run bench, memory).
 */
export function readYamlOffThread(text: string): Promise<YamlRead> {
  const yamlPath = createRequire(import.meta.url).resolve('yaml');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { text, yaml: yamlPath, maxAliasCount: MAX_ALIAS_COUNT, maxExpansion: MAX_ALIAS_EXPANSION } });
    worker.once('message', (read: YamlRead) => { resolve(read); void worker.terminate(); });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`config parser worker exited with code ${code}`)));
  });
}
