import { ERROR_TYPES, type ErrorType } from '../core/errors.js';
import type { History } from './types.js';
import type { HistoryRow, ProbeResult } from '../core/result.js';

/**
 * Strings seen often (replica ids) stored once per store; rows keep a 16-bit index (0 = none).
 * Bounded: past 65,535 distinct names a row keeps none rather than growing without limit.
 */
export class StringTable {
  readonly #index = new Map<string, number>();
  readonly #names: string[] = [''];

  code(s: string | undefined): number {
    if (s === undefined) return 0;
    let c = this.#index.get(s);
    if (c === undefined) {
      if (this.#names.length > 0xffff) return 0;
      c = this.#names.length;
      this.#names.push(s);
      this.#index.set(s, c);
    }
    return c;
  }

  name(code: number): string | undefined {
    return code === 0 ? undefined : this.#names[code];
  }
}

/**
 * Rows a history starts with room for (then doubles up to its capacity). One: at start-up a
 * deployment has one result, and 10,000 deployments held 8 rows' room each for minutes.
 */
const INITIAL_ROWS = 1;

/** 0 = healthy; 1 + index into ERROR_TYPES; 255 = unhealthy without a type. */
const UNTYPED = 255;
const outcomeCode = (r: ProbeResult) => (r.healthy ? 0 : r.errorType ? ERROR_TYPES.indexOf(r.errorType) + 1 || UNTYPED : UNTYPED);
/**
 * Numbers a row takes: checkedAt, then the codes: outcome + 256 × checkedBy's code (under 2^24)
 * + 2^24 × (latencyMs in tenths + 1), or + 0 when the latency is kept apart (#latencies).
 */
const ROW = 2;
const CODES = 2 ** 24;
/** Latencies in tenths of a ms packed with the codes: under 2^28 (~7 h), so a row's codes stay exact integers (< 2^53). */
const PACKED_TENTHS = 2 ** 28;

/**
 * A latency as it is packed into the codes (tenths + 1), or 0 when that would not give back the
 * very same number (not a whole tenth, negative, -0, NaN, too large). The runner rounds
 * latencies to a tenth, so only latencies from elsewhere are kept apart.
 */
function packedLatency(latencyMs: number): number {
  const k = Math.round(latencyMs * 10) + 1;
  return k >= 1 && k <= PACKED_TENTHS && Object.is((k - 1) / 10, latencyMs) ? k : 0;
}

/**
 * One deployment's last results as a ring of rows of two numbers: 16 bytes a row instead of a
 * ProbeResult object (~200 bytes with its boxed numbers and headers). 10,000 deployments ×
 * 100 rows stay near 16 MB; as objects they took ~200 MB (measured by npm run bench).
 * Only what /health/history shows is kept; the full latest result lives beside it.
 */
export class HistoryRing implements History {
  /**
   * The rows in one plain array of doubles (V8 keeps them unboxed, 8 bytes each), not typed
   * arrays: a typed array costs ~100 bytes of object and, past 64 bytes, an ArrayBuffer of its
   * own (~90 bytes more and a native allocation), ~450 bytes a deployment before any row.
   * Values are stored as numbers (`+x`), as a Float64Array converted them, so the array never
   * holds anything else (which would box every element).
   */
  #rows: number[];
  /** Error texts, allocated at the first unhealthy row (most deployments never need them). */
  #errors: (string | undefined)[] | undefined;
  /** Latencies that do not pack into the codes (see packedLatency), allocated at the first such row. */
  #latencies: number[] | undefined;
  /** Index of the oldest row, and the row count. */
  #head = 0;
  #length = 0;
  /**
   * Rows kept at most. The rows start few and double as rows arrive: a history size of
   * 10,000 at 10,000 deployments allocated 1.8 GB up front, for rows that take hours to come.
   */
  readonly #capacity: number;
  readonly #deploymentId: string;
  readonly #strings: StringTable;

  constructor(deploymentId: string, capacity: number, strings: StringTable) {
    this.#deploymentId = deploymentId;
    this.#strings = strings;
    this.#capacity = capacity;
    this.#rows = doubles(ROW * Math.min(capacity, INITIAL_ROWS));
  }

  get length(): number { return this.#length; }
  get capacity(): number { return this.#capacity; }
  /** Rows there is room for now (≤ capacity). */
  get allocated(): number { return this.#rows.length / ROW; }

  push(r: ProbeResult): void {
    if (this.#length === this.allocated && this.allocated < this.#capacity) this.#grow();
    const size = this.allocated;
    const slot = (this.#head + this.#length) % size;
    const at = ROW * slot;
    const latencyMs = +r.latencyMs;
    const packed = packedLatency(latencyMs);
    this.#rows[at] = +r.checkedAt;
    this.#rows[at + 1] = outcomeCode(r) + 256 * this.#strings.code(r.checkedBy) + CODES * packed;
    if (packed === 0) (this.#latencies ??= doubles(size))[slot] = latencyMs;
    if (!r.healthy || this.#errors) (this.#errors ??= new Array<string | undefined>(size))[slot] = r.healthy ? undefined : r.error;
    if (this.#length < size) this.#length++;
    else this.#head = (this.#head + 1) % size;
  }

  /** Doubles the room. Only called before the ring first wraps, so rows start at 0. */
  #grow(): void {
    const size = Math.min(this.#capacity, this.allocated * 2);
    this.#rows = doubles(ROW * size, this.#rows);
    if (this.#errors) this.#errors.length = size;
    if (this.#latencies) this.#latencies = doubles(size, this.#latencies);
  }

  /** A copy holding the newest `capacity` rows (general_settings.health_check_history_size reloaded). */
  resized(capacity: number): HistoryRing {
    const next = new HistoryRing(this.#deploymentId, capacity, this.#strings);
    for (let i = Math.max(0, this.#length - capacity); i < this.#length; i++) next.push(this.#resultAt(i));
    return next;
  }

  #slot(i: number): number { return (this.#head + i) % this.allocated; }

  checkedAt(i: number): number { return this.#rows[ROW * this.#slot(i)]!; }

  healthy(i: number): boolean { return this.#rows[ROW * this.#slot(i) + 1]! % 256 === 0; }

  row(i: number): HistoryRow {
    const s = this.#slot(i);
    const at = ROW * s;
    const codes = this.#rows[at + 1]!;
    const packed = Math.floor(codes / CODES);
    const low = codes - CODES * packed;
    const code = low % 256;
    const latencyMs = packed === 0 ? this.#latencies![s]! : (packed - 1) / 10;
    const row: HistoryRow = { deploymentId: this.#deploymentId, healthy: code === 0, checkedAt: this.#rows[at]!, latencyMs };
    if (code !== 0) {
      if (code !== UNTYPED) row.errorType = ERROR_TYPES[code - 1] as ErrorType;
      const error = this.#errors?.[s];
      if (error !== undefined) row.error = error;
    }
    const checkedBy = this.#strings.name((low - code) / 256);
    if (checkedBy !== undefined) row.checkedBy = checkedBy;
    return row;
  }

  #resultAt(i: number): ProbeResult {
    const row = this.row(i);
    return { ...row, startedAt: row.checkedAt - row.latencyMs, headers: {} };
  }
}

/**
 * An array of exactly `n` doubles, starting with `from`'s (filled with a double first, so V8
 * stores them unboxed from the start).
 */
function doubles(n: number, from: readonly number[] = []): number[] {
  const a = new Array<number>(n).fill(0.5);
  for (let i = 0; i < from.length; i++) a[i] = from[i]!;
  return a;
}

/** The rows of a history that match `healthy`, still oldest first. */
export function rowsWhere(h: History, healthy: boolean): History {
  const keep: number[] = [];
  for (let i = 0; i < h.length; i++) if (h.healthy(i) === healthy) keep.push(i);
  return {
    length: keep.length,
    checkedAt: (i) => h.checkedAt(keep[i]!),
    healthy: () => healthy,
    row: (i) => h.row(keep[i]!),
  };
}

export const EMPTY_HISTORY: History = { length: 0, checkedAt: () => NaN, healthy: () => false, row: () => { throw new RangeError('empty history'); } };
