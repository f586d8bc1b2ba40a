import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as yaml from 'yaml';
import { pyyamlCompat } from './yaml-pyyaml.js';

/** YAML alias expansion cap: refuses "billion laughs" documents quickly. */
export const MAX_ALIAS_COUNT = 1000;
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
  compat: typeof pyyamlCompat = pyyamlCompat,
): YamlRead {
  // No prettyErrors: its context snippet would quote the file, and the file may hold a key.
  const lines = new lib.LineCounter();
  // Read as LiteLLM's PyYAML reads it (YAML 1.1 scalars, duplicate keys: the last wins).
  const pyyaml = compat(lib);
  const doc = lib.parseDocument(text, { ...pyyaml.options, prettyErrors: false, strict: true, lineCounter: lines });
  // The message alone, never what it quotes (an alias name, a scalar, raw bytes): the text after
  // ": " is the file's, and errors reach readiness, the reload's answer and logs.
  const bare = (message: string) => message.split('\n')[0]!.replace(/:\s[\s\S]*$/, '').replace(/[^\x20-\x7e]/g, '?').slice(0, 160);
  const described = (e: { message: string; code: string }) => `${bare(e.message)} (${e.code})`;
  if (doc.errors.length) return { issues: doc.errors.map((e) => `line ${lines.linePos(e.pos[0]).line}: ${described(e)}`) };
  try {
    return { data: doc.toJS({ maxAliasCount }), warnings: pyyaml.warnings(lines) };
  } catch (err) {
    return { issues: [`(root): ${bare((err as Error).message)}`] };
  }
}

export function readYamlHere(text: string): YamlRead {
  return readYaml(text, yaml, MAX_ALIAS_COUNT);
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.postMessage((${readYaml.toString()})(workerData.text, require(workerData.yaml), workerData.maxAliasCount, ${pyyamlCompat.toString()}));
`;

/**
 * The same, in a short-lived worker. The yaml library's document for a 10,000-deployment file
 * (~2 MB) peaks above 130 MB of heap; in a worker that memory goes back to the system when the
 * worker ends, instead of staying in the long-lived process's heap (npm run bench, memory).
 */
export function readYamlOffThread(text: string): Promise<YamlRead> {
  const yamlPath = createRequire(import.meta.url).resolve('yaml');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { text, yaml: yamlPath, maxAliasCount: MAX_ALIAS_COUNT } });
    worker.once('message', (read: YamlRead) => { resolve(read); void worker.terminate(); });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`config parser worker exited with code ${code}`)));
  });
}
