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

/** Rows a history starts with room for (then doubles up to its capacity). */
const INITIAL_ROWS = 8;

/** 0 = healthy; 1 + index into ERROR_TYPES; 255 = unhealthy without a type. */
const UNTYPED = 255;
const outcomeCode = (r: ProbeResult) => (r.healthy ? 0 : r.errorType ? ERROR_TYPES.indexOf(r.errorType) + 1 || UNTYPED : UNTYPED);

/**
 * One deployment's last results as a ring of typed columns: about 20 bytes a row instead of a
 * ProbeResult object (~200 bytes with its boxed numbers and headers). 10,000 deployments ×
 * 100 rows stay near 20 MB; as objects they took ~200 MB (measured by npm run bench).
 * Only what /health/history shows is kept; the full latest result lives beside it.
 */
export class HistoryRing implements History {
  /**
   * The columns share one buffer: checkedAt then latencyMs (doubles, 2 × allocated), then
   * checkedBy (16 bits), then the outcome (8 bits). One native allocation per deployment
   * instead of four (10,000 deployments: 30,000 fewer buffers, about 12 MB of RSS).
   */
  #f64: Float64Array;
  #checkedBy: Uint16Array;
  #outcome: Uint8Array;
  /** Error texts, allocated at the first unhealthy row (most deployments never need them). */
  #errors: (string | undefined)[] | undefined;
  /** Index of the oldest row, and the row count. */
  #head = 0;
  #length = 0;
  /**
   * Rows kept at most. The columns start small and double as rows arrive: a history size of
   * 10,000 at 10,000 deployments allocated 1.8 GB up front, for rows that take hours to come.
   */
  readonly #capacity: number;
  readonly #deploymentId: string;
  readonly #strings: StringTable;

  constructor(deploymentId: string, capacity: number, strings: StringTable) {
    this.#deploymentId = deploymentId;
    this.#strings = strings;
    this.#capacity = capacity;
    [this.#f64, this.#checkedBy, this.#outcome] = columns(Math.min(capacity, INITIAL_ROWS));
  }

  get length(): number { return this.#length; }
  get capacity(): number { return this.#capacity; }
  /** Rows the columns have room for now (≤ capacity). */
  get allocated(): number { return this.#outcome.length; }

  push(r: ProbeResult): void {
    if (this.#length === this.allocated && this.allocated < this.#capacity) this.#grow();
    const size = this.allocated;
    const slot = (this.#head + this.#length) % size;
    this.#f64[slot] = r.checkedAt;
    this.#f64[size + slot] = r.latencyMs;
    this.#outcome[slot] = outcomeCode(r);
    this.#checkedBy[slot] = this.#strings.code(r.checkedBy);
    if (!r.healthy || this.#errors) (this.#errors ??= new Array<string | undefined>(size))[slot] = r.healthy ? undefined : r.error;
    if (this.#length < size) this.#length++;
    else this.#head = (this.#head + 1) % size;
  }

  /** Doubles the columns. Only called before the ring first wraps, so rows start at 0. */
  #grow(): void {
    const old = this.allocated;
    const size = Math.min(this.#capacity, old * 2);
    const [f64, checkedBy, outcome] = columns(size);
    f64.set(this.#f64.subarray(0, old));
    f64.set(this.#f64.subarray(old, 2 * old), size);
    checkedBy.set(this.#checkedBy);
    outcome.set(this.#outcome);
    [this.#f64, this.#checkedBy, this.#outcome] = [f64, checkedBy, outcome];
    if (this.#errors) this.#errors.length = size;
  }

  /** A copy holding the newest `capacity` rows (general_settings.health_check_history_size reloaded). */
  resized(capacity: number): HistoryRing {
    const next = new HistoryRing(this.#deploymentId, capacity, this.#strings);
    for (let i = Math.max(0, this.#length - capacity); i < this.#length; i++) next.push(this.#resultAt(i));
    return next;
  }

  #slot(i: number): number { return (this.#head + i) % this.allocated; }

  checkedAt(i: number): number { return this.#f64[this.#slot(i)]!; }

  healthy(i: number): boolean { return this.#outcome[this.#slot(i)] === 0; }

  row(i: number): HistoryRow {
    const s = this.#slot(i);
    const code = this.#outcome[s]!;
    const row: HistoryRow = { deploymentId: this.#deploymentId, healthy: code === 0, checkedAt: this.#f64[s]!, latencyMs: this.#f64[this.allocated + s]! };
    if (code !== 0) {
      if (code !== UNTYPED) row.errorType = ERROR_TYPES[code - 1] as ErrorType;
      const error = this.#errors?.[s];
      if (error !== undefined) row.error = error;
    }
    const by = this.#strings.name(this.#checkedBy[s]!);
    if (by !== undefined) row.checkedBy = by;
    return row;
  }

  #resultAt(i: number): ProbeResult {
    const row = this.row(i);
    return { ...row, startedAt: row.checkedAt - row.latencyMs, headers: {} };
  }
}

/** The columns of `rows` rows in one buffer: [checkedAt, latencyMs] doubles, checkedBy, outcome. */
function columns(rows: number): [Float64Array, Uint16Array, Uint8Array] {
  const buffer = new ArrayBuffer(rows * 19);
  return [new Float64Array(buffer, 0, 2 * rows), new Uint16Array(buffer, 16 * rows, rows), new Uint8Array(buffer, 18 * rows, rows)];
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
