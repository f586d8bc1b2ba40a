import { splitModel } from '../core/deployment.js';
import type { Operation } from '../core/operation.js';
import { knownPrefixes, providerOfPrefix } from './providers.js';

/**
 * The operations each built-in mode plugin (plugins/*.ts) may ask its provider for, the one it
 * asks first leading: one call each, named like the mode except batch, which lists batches (and
 * makes a chat call where the provider has no batch list, as LiteLLM does), and
 * video_generation, which lists video jobs unless told to generate. A provider probes a mode
 * when it serves any of them. Checked against the plugins by
 * test/providers/provider-mode-table-matches-registry.test.ts. In the docs' column order.
 */
export const BUILTIN_MODE_OPERATIONS = {
  chat: ['chat'],
  completion: ['completion'],
  responses: ['responses'],
  embedding: ['embedding'],
  image_generation: ['image_generation'],
  image_edit: ['image_edit'],
  audio_transcription: ['audio_transcription'],
  audio_speech: ['audio_speech'],
  batch: ['batch_list', 'chat'],
  rerank: ['rerank'],
  moderation: ['moderation'],
  ocr: ['ocr'],
  video_generation: ['video_list', 'video_generation'],
  realtime: ['realtime'],
  models_list: ['models_list'],
} as const satisfies Record<string, readonly [Operation, ...Operation[]]>;

export type BuiltinMode = keyof typeof BUILTIN_MODE_OPERATIONS;
export const BUILTIN_MODES = Object.keys(BUILTIN_MODE_OPERATIONS) as BuiltinMode[];

/** The matrix row of every prefix this exporter does not know, given an api_base (OpenAI-compatible). */
export const OTHER_PREFIX = '*';

export interface CapabilityRow {
  /** A `model:` prefix, or OTHER_PREFIX. */
  readonly prefix: string;
  /** The provider it belongs to (azure for azure_text/): the docs give one row per provider. */
  readonly provider: string;
  /** Whether a deployment of that mode is probed (true) or unhealthy as `unsupported` (false). */
  readonly modes: Readonly<Record<BuiltinMode, boolean>>;
}

/** Provider × mode: for each known prefix, then any other one, which built-in modes it probes. */
export function capabilityMatrix(): CapabilityRow[] {
  const row = (prefix: string, probedAs: string): CapabilityRow => {
    const provider = providerOfPrefix(probedAs, true)!;
    const serves = (op: Operation) => provider.operations[op] !== undefined;
    const modes = Object.fromEntries(BUILTIN_MODES.map((m) => [m, BUILTIN_MODE_OPERATIONS[m].some(serves)]));
    return { prefix, provider: prefix === OTHER_PREFIX ? OTHER_PREFIX : provider.name, modes: modes as CapabilityRow['modes'] };
  };
  // Any unknown name stands for all: they are all the same OpenAI-compatible provider.
  return [...knownPrefixes().map((p) => row(p, p)), row(OTHER_PREFIX, 'some_gateway')];
}

/**
 * The provider × mode table of docs/providers.md, in Markdown: one row per provider (its
 * prefixes together), ✓ for a mode it probes, — for one it refuses as `unsupported`.
 */
export function providerModeTable(matrix: readonly CapabilityRow[] = capabilityMatrix()): string {
  const marks = (r: CapabilityRow) => BUILTIN_MODES.map((m) => (r.modes[m] ? '✓' : '—')).join(' | ');
  const groups: Array<{ key: string; rows: CapabilityRow[] }> = [];
  for (const r of matrix) {
    const key = `${r.provider} ${marks(r)}`;
    const last = groups.at(-1);
    if (last?.key === key) last.rows.push(r);
    else groups.push({ key, rows: [r] });
  }
  const label = (rows: CapabilityRow[]) => {
    if (rows[0]!.prefix === OTHER_PREFIX) return 'any other prefix with an `api_base`';
    const prefixes = rows.map((r) => `\`${r.prefix}/…\``).join(', ');
    const bare = splitModel('some-model').provider;
    return rows.some((r) => r.prefix === bare) ? `${prefixes}, bare names the model table files under no other provider` : prefixes;
  };
  return [
    `| provider (\`model:\` prefix) | ${BUILTIN_MODES.join(' | ')} |`,
    `|---|${BUILTIN_MODES.map(() => '---').join('|')}|`,
    ...groups.map((g) => `| ${label(g.rows)} | ${marks(g.rows[0]!)} |`),
  ].join('\n');
}

/** Where the generated table sits in docs/providers.md (npm run docs rewrites it). */
export const PROVIDER_MODE_TABLE_START = '<!-- provider-mode-table: generated from src/registry/capabilities.ts by npm run docs -->';
export const PROVIDER_MODE_TABLE_END = '<!-- /provider-mode-table -->';
