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
 * A growing UTF-8 byte buffer. With `parts`, bytes handed to splice() are not copied: the
 * output is the list of the buffer's segments with those between them (parts()).
 */
export class Bytes {
  buf: Buffer;
  len = 0;
  readonly #parts: Buffer[] | undefined;
  #from = 0;
  constructor(buf: Buffer, parts = false) {
    this.buf = buf;
    this.#parts = parts ? [] : undefined;
  }

  /** Bytes that stay unchanged until the output is used: put in place, or copied without `parts`. */
  splice(b: Buffer): void {
    if (!this.#parts) return this.bytes(b);
    if (this.len > this.#from) this.#parts.push(this.buf.subarray(this.#from, this.len));
    this.#parts.push(b);
    this.#from = this.len;
  }

  /** The output as segments (with `parts`). */
  parts(): Buffer[] {
    const parts = this.#parts ?? [];
    if (this.len > this.#from) parts.push(this.buf.subarray(this.#from, this.len));
    this.#from = this.len;
    return parts;
  }

  #room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown; // segments already handed out keep the old buffer alive: they stay valid
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
