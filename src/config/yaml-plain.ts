import type * as yaml from 'yaml';
import { flatStrings } from '../core/flat-string.js';
import { BLOCK_PLAIN, INDICATOR, MAX_DEPTH, MAX_KEY_CHARS, NOT_PLAIN, notPlain, quoted, quoteEnd, readFlow, scalarResolver } from './yaml-plain-inline.js';

/**
 * A fast reader for the YAML most configs are written in: block mappings and sequences, one-line
 * flow collections, one-line plain and quoted scalars, comments. It returns undefined as soon as
 * the text uses anything else (anchors, aliases, tags, merge keys, block or multi-line scalars,
 * escapes, duplicate keys, directives, tabs, non-string keys, …) and the caller then reads the
 * text with the yaml library, which reports errors and warnings by line. When it returns data,
 * that data is what the library gives (checked against it by test/yaml-plain-matches-library.test.ts).
 *
 * Why: the library's Document API takes ~1.4 CPU-s (and ~130 MB of heap, hence a worker thread)
 * for a 10,000-deployment file of 2 MB; this reads it in a few tens of milliseconds.
 */
export function readPlainYaml(text: string, lib: Pick<typeof yaml, 'isScalar'>): { data: unknown } | undefined {
  // Tabs, CR, control characters, BOM, YAML 1.1 line breaks (NEL, LS, PS): the library's business.
  if (/[^\n\x20-\x7e\u00a0-\u2027\u202a-\ufefe\uff00-\ufffd]/.test(text)) return undefined;
  // Spaces other than U+0020 (NBSP, U+2000–U+200A, U+3000, …): YAML keeps them in a scalar,
  // where String.trimEnd would drop them.
  if (/[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/.test(text)) return undefined;
  // Document markers and directives: another document, or a version to honour.
  if (/^(?:---|\.\.\.|%)/m.test(text)) return undefined;
  const reader = new PlainReader(text, scalarResolver(lib));
  try {
    return { data: flattened(reader.document(), flatStrings()) };
  } catch (e) {
    if (e === NOT_PLAIN) return undefined;
    throw e;
  }
}

/**
 * The data with each string value a copy of its own (core/flat-string.ts): the reader cuts them
 * from the text, and one kept value would keep the whole file's text (1.9 MB at 10,000
 * deployments) for as long as the config is applied. Keys are V8's own copies already.
 */
function flattened(v: unknown, flat: (s: string) => string): unknown {
  if (typeof v === 'string') return flat(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = flattened(v[i], flat);
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = flattened(o[k], flat);
  return v;
}

class PlainReader {
  readonly #text: string;
  readonly #resolve: (s: string) => unknown;
  /** Start offset of each line, and the line being read. */
  readonly #starts: number[] = [];
  #line = 0;

  constructor(text: string, resolve: (s: string) => unknown) {
    this.#text = text;
    this.#resolve = resolve;
    let at = 0;
    while (at <= text.length) {
      this.#starts.push(at);
      const nl = text.indexOf('\n', at);
      if (nl < 0) break;
      at = nl + 1;
    }
  }

  document(): unknown {
    this.#skipBlank();
    if (this.#line >= this.#starts.length) notPlain(); // empty: the library says what that is
    const indent = this.#indent(this.#line);
    const data = this.#block(indent, 0);
    this.#skipBlank();
    if (this.#line < this.#starts.length) notPlain(); // something left over, less indented than the root
    if (data === null || typeof data !== 'object') notPlain();
    return data;
  }

  /** End offset of line `i` (its newline, or the end of the text). */
  #end(i: number): number {
    const next = this.#starts[i + 1];
    return next === undefined ? this.#text.length : next - 1;
  }

  #indent(i: number): number {
    const s = this.#starts[i]!;
    const end = this.#end(i);
    let at = s;
    while (at < end && this.#text.charCodeAt(at) === 0x20) at++;
    return at - s;
  }

  /** Moves to the next line with content (not blank, not only a comment). */
  #skipBlank(): void {
    while (this.#line < this.#starts.length) {
      const s = this.#starts[this.#line]!;
      const at = s + this.#indent(this.#line);
      if (at < this.#end(this.#line) && this.#text[at] !== '#') return;
      this.#line++;
    }
  }

  /** The indent of the next content line (-1 at the end), the current line moved to it. */
  #nextIndent(): number {
    this.#skipBlank();
    return this.#line < this.#starts.length ? this.#indent(this.#line) : -1;
  }

  /** A block collection whose first line is the current one, starting at column `col`. */
  #block(col: number, depth: number): unknown {
    if (depth > MAX_DEPTH) notPlain();
    const at = this.#starts[this.#line]! + col;
    return this.#isSeqItem(at) ? this.#sequence(col, depth) : this.#mapping(col, depth);
  }

  #isSeqItem(at: number): boolean {
    if (this.#text[at] !== '-') return false;
    const next = this.#text[at + 1];
    return next === ' ' || next === '\n' || next === undefined;
  }

  #sequence(col: number, depth: number): unknown[] {
    const items: unknown[] = [];
    for (;;) {
      const lineStart = this.#starts[this.#line]!;
      const end = this.#end(this.#line);
      let at = lineStart + col + 1;
      while (at < end && this.#text.charCodeAt(at) === 0x20) at++;
      if (at >= end || this.#text[at] === '#') {
        // `-` alone: the item is the block below, or null.
        this.#line++;
        const next = this.#nextIndent();
        items.push(next > col ? this.#block(next, depth + 1) : null);
      } else if (this.#isSeqItem(at)) {
        notPlain(); // `- - x`
      } else if (this.#startsKey(at, end)) {
        items.push(this.#mapping(at - lineStart, depth + 1));
      } else {
        items.push(this.#inlineValue(at, end));
        this.#line++;
        if (this.#nextIndent() > col) notPlain(); // a multi-line scalar or a misplaced line
      }
      const next = this.#nextIndent();
      // Less indented, or the next key of a mapping this sequence sits in at the key's indent.
      if (next < col || (next === col && !this.#isSeqItem(this.#starts[this.#line]! + col))) return items;
      if (next > col) notPlain();
    }
  }

  /** Whether the text at `at` is `key:` (plain or quoted), i.e. a mapping starts there. */
  #startsKey(at: number, end: number): boolean {
    const c = this.#text[at]!;
    if (c === '"' || c === "'") {
      const close = quoteEnd(this.#text, at, end);
      return this.#text[close + 1] === ':';
    }
    if (c === '{' || c === '[') return false;
    return this.#plainKeyEnd(at, end) >= 0;
  }

  /** Offset of the `:` ending a plain key starting at `at`, or -1 when the line holds none before a comment. */
  #plainKeyEnd(at: number, end: number): number {
    BLOCK_PLAIN.lastIndex = at;
    BLOCK_PLAIN.test(this.#text);
    const i = BLOCK_PLAIN.lastIndex;
    return i < end && this.#text.charCodeAt(i) === 0x3a ? i : -1;
  }

  #mapping(col: number, depth: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (;;) {
      const lineStart = this.#starts[this.#line]!;
      const end = this.#end(this.#line);
      let at = lineStart + col;
      let key: unknown;
      const c = this.#text[at]!;
      if (c === '"' || c === "'") {
        const close = quoteEnd(this.#text, at, end);
        key = quoted(this.#text, at, close);
        at = close + 1;
        if (this.#text[at] !== ':') notPlain();
      } else {
        if (INDICATOR.has(c) || (c === '-' && this.#isSeqItem(at))) notPlain();
        const colon = this.#plainKeyEnd(at, end);
        if (colon < 0) notPlain();
        key = this.#resolve(this.#text.slice(at, colon).trimEnd());
        at = colon;
      }
      // Keys the library reads differently from a plain object's property: left to it.
      if (typeof key !== 'string' || key === '<<' || key === '__proto__' || key.length > MAX_KEY_CHARS || Object.hasOwn(map, key)) notPlain();
      at++; // past ':'
      if (at < end && this.#text.charCodeAt(at) !== 0x20) notPlain();
      while (at < end && this.#text.charCodeAt(at) === 0x20) at++;
      if (at >= end || this.#text[at] === '#') {
        this.#line++;
        const next = this.#nextIndent();
        if (next > col) map[key] = this.#block(next, depth + 1);
        // A sequence may sit at its key's own indent.
        else if (next === col && this.#isSeqItem(this.#starts[this.#line]! + col)) map[key] = this.#sequence(col, depth + 1);
        else map[key] = null;
      } else {
        map[key] = this.#inlineValue(at, end);
        this.#line++;
        if (this.#nextIndent() > col) notPlain(); // a multi-line scalar or a misplaced line
      }
      const next = this.#nextIndent();
      if (next < col) return map;
      if (next > col) notPlain();
      if (this.#isSeqItem(this.#starts[this.#line]! + col)) return map; // the parent's sequence goes on
    }
  }

  /** A value that ends on its line: a scalar or a flow collection, then only a comment. */
  #inlineValue(at: number, end: number): unknown {
    const t = this.#text;
    const c = t[at]!;
    let value: unknown;
    let after: number;
    if (c === '"' || c === "'") {
      const close = quoteEnd(this.#text, at, end);
      value = quoted(this.#text, at, close);
      after = close + 1;
    } else if (c === '{' || c === '[') {
      const flow = readFlow(t, at, end, 0, this.#resolve);
      value = flow.value;
      after = flow.after;
    } else {
      if (INDICATOR.has(c) || (c === '-' && this.#isSeqItem(at))) notPlain();
      // A plain scalar: to a comment or the end of the line.
      BLOCK_PLAIN.lastIndex = at;
      BLOCK_PLAIN.test(t);
      const stop = BLOCK_PLAIN.lastIndex;
      if (stop < end && t.charCodeAt(stop) === 0x3a) notPlain(); // `a: b: c`
      return this.#resolve(t.slice(at, stop).trimEnd());
    }
    while (after < end && t.charCodeAt(after) === 0x20) after++;
    if (after < end && (t[after] !== '#' || t.charCodeAt(after - 1) !== 0x20)) notPlain();
    return value;
  }
}
