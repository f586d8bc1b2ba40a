import type { ProbeResult, Verdict } from '../core/result.js';

/** Series slots per deployment to start with (14 in a healthy chat deployment's walk); doubled when one has more. */
const FIRST_STRIDE = 16;
/** The verdicts KeptSeries.counted holds by index (0: not counted). */
export const VERDICTS: ReadonlyArray<Verdict | undefined> = [undefined, 'healthy', 'unhealthy', 'pending'];

/**
 * Every deployment's series as last walked, in the order the walk gave them, and what they
 * depend on: deployment i's series are slots i × stride … i × stride + n[i] − 1.
 *
 * Why flat: an object and three small arrays per deployment were 6.8 MB of heap at 10,000
 * deployments, kept for the process's life (V8 lets old space grow to 1.5× what is live).
 */
export class KeptSeries {
  stride = FIRST_STRIDE;
  families: Uint8Array;
  /** The labels each series adds to its deployment's (a code: series-labels.ts). */
  labels: Uint16Array;
  values: Float64Array;
  readonly n: Uint16Array;
  /** 1 once walked. */
  readonly walked: Uint8Array;
  /** The stored result they were read with (the store replaces, never mutates, a result). */
  readonly stored: Array<ProbeResult | undefined>;
  /** VERDICTS index of the verdict counted. */
  readonly counted: Uint8Array;
  /** Until when they stay the same with the same stored result (DeploymentSeries.walk's `done`). */
  readonly steadyUntil: Float64Array;

  constructor(readonly length: number) {
    this.families = new Uint8Array(length * this.stride);
    this.labels = new Uint16Array(length * this.stride);
    this.values = new Float64Array(length * this.stride);
    this.n = new Uint16Array(length);
    this.walked = new Uint8Array(length);
    this.stored = new Array<ProbeResult | undefined>(length).fill(undefined);
    this.counted = new Uint8Array(length);
    this.steadyUntil = new Float64Array(length).fill(-Infinity);
  }

  /** Room for `slots` series per deployment, keeping each one's. */
  widen(slots: number): void {
    let stride = this.stride;
    while (stride < slots) stride *= 2;
    if (stride === this.stride) return;
    const families = new Uint8Array(this.length * stride);
    const labels = new Uint16Array(this.length * stride);
    const values = new Float64Array(this.length * stride);
    for (let i = 0; i < this.length; i++) {
      for (let j = 0; j < this.n[i]!; j++) {
        families[i * stride + j] = this.families[i * this.stride + j]!;
        labels[i * stride + j] = this.labels[i * this.stride + j]!;
        values[i * stride + j] = this.values[i * this.stride + j]!;
      }
    }
    this.stride = stride;
    this.families = families;
    this.labels = labels;
    this.values = values;
  }
}
