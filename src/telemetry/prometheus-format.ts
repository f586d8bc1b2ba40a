import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { AttributeValue } from '@opentelemetry/api';

/*
 * The pieces of the Prometheus text exposition that prometheus-text.ts writes: the library's
 * escaping and naming rules (ported as is from @opentelemetry/exporter-prometheus 0.223) and a
 * growing UTF-8 byte buffer.
 */

// ---- the library's escaping, ported as is (with a cheap "nothing to escape" test first) ----

const NEEDS_ESCAPE = /[\\\n]/;
export function escapeString(str: string): string {
  return NEEDS_ESCAPE.test(str) ? str.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : str;
}

const NEEDS_VALUE_ESCAPE = /[\\\n"]/;
/** Non-strings as JSON; `undefined` as ''. */
export function escapeAttributeValue(value: AttributeValue | undefined = ''): string {
  const str = typeof value === 'string' ? value : JSON.stringify(value);
  return NEEDS_VALUE_ESCAPE.test(str) ? escapeString(str).replace(/"/g, '\\"') : str;
}

/** Every character outside [a-zA-Z0-9_] becomes '_', then runs of '_' collapse to one. */
export function sanitizeName(name: string): string {
  return name.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
}

export function valueString(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`; // finite numbers and NaN
}

export function prometheusType(metric: MetricData): string {
  switch (metric.dataPointType) {
    case DataPointType.SUM: return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE: return 'gauge';
    case DataPointType.HISTOGRAM: return 'histogram';
    default: return 'untyped';
  }
}

/** Two label blocks as one (the library puts ',' between labels only). */
export function join(a: string, b: string): string {
  return a && b ? `${a},${b}` : a || b;
}

/**
 * Lines a caller renders itself (PrometheusTextSerializer.serializeParts): bytes, put in place
 * without a copy; text, written into chunks; a function, whose text is made when its place is
 * written (so it dies young).
 */
export type RenderedLines = Buffer | string | (() => string);

/**
 * A UTF-8 byte buffer. Alone it grows by copying into one contiguous buffer. With `nextChunk`
 * it is an output of segments instead (parts()): bytes handed to splice() are put in place
 * without a copy, and when the buffer is full it is cut there and writing goes on in the next
 * chunk, so no write is ever copied again and the chunks can be handed back for reuse.
 */
export class Bytes {
  buf: Buffer;
  len = 0;
  /** Bytes written into earlier chunks. */
  #before = 0;
  readonly #parts: Buffer[] | undefined;
  readonly #nextChunk: ((min: number) => Buffer) | undefined;
  #from = 0;
  constructor(buf: Buffer, nextChunk?: (min: number) => Buffer) {
    this.buf = buf;
    this.#nextChunk = nextChunk;
    this.#parts = nextChunk ? [] : undefined;
  }

  /** The output's size in bytes, spliced segments not counted. */
  get written(): number {
    return this.#before + this.len;
  }

  /** Bytes that stay unchanged until the output is used: put in place, or copied without `nextChunk`. */
  splice(b: Buffer): void {
    if (!this.#parts) return this.bytes(b);
    if (this.len > this.#from) this.#parts.push(this.buf.subarray(this.#from, this.len));
    this.#parts.push(b);
    this.#from = this.len;
  }

  /** The output as segments (with `nextChunk`). */
  parts(): Buffer[] {
    const parts = this.#parts ?? [];
    if (this.len > this.#from) parts.push(this.buf.subarray(this.#from, this.len));
    this.#from = this.len;
    return parts;
  }

  #room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    if (this.#nextChunk) {
      this.parts(); // what this chunk holds so far becomes a segment
      this.#before += this.len;
      this.buf = this.#nextChunk(n);
      this.len = this.#from = 0;
      return;
    }
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** A long string (a block of lines), encoded natively. */
  text(s: string): void {
    if (this.len + s.length * 3 > this.buf.length) this.#room(Buffer.byteLength(s));
    this.len += this.buf.write(s, this.len);
  }

  /** Any string; short ASCII ones (names, numbers) are copied in JS, cheaper than a native call. */
  str(s: string): void {
    this.#room(s.length);
    const { buf } = this;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) { // the rest as UTF-8 (i follows an ASCII char, so no surrogate pair is split)
        const rest = s.slice(i);
        this.#room(rest.length * 3);
        this.len += this.buf.write(rest, this.len);
        return;
      }
      buf[this.len++] = c;
    }
  }
}
