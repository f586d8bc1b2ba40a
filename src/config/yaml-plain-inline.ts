import type * as yaml from 'yaml';
import { pyyamlCompat } from './yaml-pyyaml.js';

// yaml-plain.ts's scalars and one-line flow collections (the block structure is read there).

/** Thrown the moment the text leaves the subset yaml-plain.ts reads; readPlainYaml catches it. */
export const NOT_PLAIN = Symbol('not plain YAML');
export function notPlain(): never {
  throw NOT_PLAIN;
}

/** Plain (unquoted) scalar text to its value, as the library reads it with pyyamlCompat's options. */
export function scalarResolver(lib: Pick<typeof yaml, 'isScalar'>): (s: string) => unknown {
  const customTags = pyyamlCompat(lib).options.customTags as (tags: yaml.Tags) => yaml.ScalarTag[];
  const tags = customTags([]);
  const NULL = /^(?:~|[Nn]ull|NULL)?$/;
  return (s) => {
    // Most scalars start with a letter no YAML 1.1 value starts with: a string, at once.
    const c = s.charCodeAt(0);
    if (((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) && !/^[nNtTfFyYoO]/.test(s)) return s;
    if (NULL.test(s)) return null;
    for (const t of tags) if ((t.test as RegExp).test(s)) return t.resolve(s, notPlain, {} as yaml.ParseOptions);
    return s;
  };
}

/** Characters a plain scalar may not start with (YAML indicators), besides `-` before a space. */
export const INDICATOR = new Set([...'?:,[]{}#&*!|>\'"%@`']);
const FLOW_END = new Set([...',[]{}']);
/**
 * The longest run of plain-scalar characters from lastIndex, in block and in flow context: it
 * stops at `: ` (or `:` at the end of the line), at a ` #` comment, at the end of the line, and in
 * flow context at `,[]{}` and at `:` before one of them.
 */
export const BLOCK_PLAIN = /(?:[^:#\n]|:(?=[^ \n])|(?<! )#)*/y;
const FLOW_PLAIN = /(?:[^,[\]{}:#\n]|:(?=[^ ,[\]{}\n])|(?<! )#)*/y;
/** Keys longer than this are left to the library, which refuses those over 1,024 characters (so does PyYAML). */
export const MAX_KEY_CHARS = 1000;
/** Nesting deeper than this is left to the library (it has its own limit and message). */
export const MAX_DEPTH = 200;

/** Offset of the quote closing the one at `at`, on this line; no escapes, no line breaks. */
export function quoteEnd(t: string, at: number, end: number): number {
  const q = t[at];
  for (let i = at + 1; i < end; i++) {
    const c = t[i];
    if (c === '\\' && q === '"') notPlain();
    if (c === q) {
      if (q === "'" && t[i + 1] === "'") { i++; continue; }
      return i;
    }
  }
  return notPlain();
}

export function quoted(t: string, at: number, close: number): string {
const s = t.slice(at + 1, close);
return t[at] === "'" ? s.replaceAll("''", "'") : s;
}

/** A flow collection closed on its line: `{a: 1, b: [x, y]}`. */
export function readFlow(t: string, at: number, end: number, depth: number, resolve: (s: string) => unknown): { value: unknown; after: number } {
  if (depth > MAX_DEPTH) notPlain();
  const isMap = t[at] === '{';
  const close = isMap ? '}' : ']';
  const map: Record<string, unknown> = {};
  const list: unknown[] = [];
  let i = at + 1;
  const spaces = () => { while (i < end && t.charCodeAt(i) === 0x20) i++; };
  for (;;) {
    spaces();
    if (i >= end) notPlain();
    if (t[i] === close) return { value: isMap ? map : list, after: i + 1 };
    let item: unknown;
    if (isMap) {
      let key: unknown;
      const c = t[i]!;
      if (c === '"' || c === "'") {
        const q = quoteEnd(t, i, end);
        key = quoted(t, i, q);
        i = q + 1;
      } else {
        if (INDICATOR.has(c) || c === '-') notPlain();
        const from = i;
        FLOW_PLAIN.lastIndex = i;
        FLOW_PLAIN.test(t);
        i = FLOW_PLAIN.lastIndex;
        if (t.charCodeAt(i) !== 0x3a) notPlain(); // a comment, or a key without a value
        key = resolve(t.slice(from, i).trimEnd());
      }
      if (t[i] !== ':' || t[i + 1] !== ' ') notPlain(); // `{a}`, `{a:b}`, `{"a":b}`: the library's
      if (typeof key !== 'string' || key === '<<' || key === '__proto__' || key.length > MAX_KEY_CHARS || Object.hasOwn(map, key)) notPlain();
      i += 2;
      spaces();
      if (i >= end || t[i] === ',' || t[i] === '}') notPlain(); // an empty value
      const v = flowItem(t, i, end, depth, resolve);
      map[key] = v.value;
      i = v.after;
      item = undefined;
    } else {
      const v = flowItem(t, i, end, depth, resolve);
      item = v.value;
      i = v.after;
      list.push(item);
    }
    spaces();
    if (t[i] === ',') { i++; continue; }
    if (t[i] !== close) notPlain(); // `[a: b]` and the like
  }
}

function flowItem(t: string, i: number, end: number, depth: number, resolve: (s: string) => unknown): { value: unknown; after: number } {
  const c = t[i]!;
  if (c === '{' || c === '[') return readFlow(t, i, end, depth + 1, resolve);
  if (c === '"' || c === "'") {
    const q = quoteEnd(t, i, end);
    return { value: quoted(t, i, q), after: q + 1 };
  }
  if (INDICATOR.has(c) || (c === '-' && (t[i + 1] === ' ' || FLOW_END.has(t[i + 1]!)))) notPlain();
  const from = i;
  FLOW_PLAIN.lastIndex = i;
  FLOW_PLAIN.test(t);
  i = FLOW_PLAIN.lastIndex;
  if (i >= end || !FLOW_END.has(t[i]!)) notPlain(); // a pair in a list, `a: b: c`, a comment, no closing bracket
  return { value: resolve(t.slice(from, i).trimEnd()), after: i };
}
