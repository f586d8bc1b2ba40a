import type { Attributes } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { Deployment } from '../core/deployment.js';
import { DEPLOYMENT_FAMILY_COUNT, type DeploymentSeries } from './deployment-metrics.js';
import type { ExportPath } from './metrics.js';
import { valueString } from './prometheus-format.js';
import { seriesName, type PrometheusTextSerializer } from './prometheus-text.js';

/** Deployments per block: a changed value re-renders its block's lines of that family only. */
const BLOCK = 64;
const EMPTY = Buffer.alloc(0);

/** A deployment's series at the last scrape, in the order the walk gave them. */
interface Kept { families: number[]; attributes: Attributes[]; values: number[]; n: number }

/**
 * The per-deployment families of /metrics written straight from the store walk, without
 * building a data point per series: each scrape walks the deployments (DeploymentSeries, the
 * same walk the OTel producer reads), compares every value with the last scrape's, and
 * re-renders only the blocks of lines whose values changed; the rest are copied as they are.
 *
 * Why: at 10,000 deployments (140,000 series, 23 MB), collect() built a point object per series
 * and the serializer looked up and wrote each one on every scrape (~110 ms, and tens of MB of
 * garbage a scrape); with probes landing at 333/s, a few dozen deployments change between scrapes.
 */
export class DeploymentText {
  readonly #series: DeploymentSeries;
  readonly #serializer: PrometheusTextSerializer;
  #deployments: readonly Deployment[] | undefined;
  #kept: Kept[] = [];
  /** Per block, per family: its lines (undefined: to render). */
  #blocks: Array<Array<Buffer | undefined>> = [];
  #names: string[] = [];

  constructor(series: DeploymentSeries, serializer: PrometheusTextSerializer) {
    this.#series = series;
    this.#serializer = serializer;
  }

  /**
   * The metrics DeploymentMetricProducer would collect for `path` at `nowMs`, the per-deployment
   * families without points, and those families' lines, for serializer.serialize(…, rendered).
   */
  collect(path: ExportPath, nowMs: number): { metrics: MetricData[]; rendered: Map<MetricData, readonly Buffer[]> } {
    const deployments = this.#series.source.deployments();
    if (deployments !== this.#deployments) this.#reset(deployments);
    const kept = this.#kept;
    const blocks = this.#blocks;
    let current = -1;
    let pos = 0;
    /** Marks the series of `k` from `from` on as changed (their blocks re-render). */
    const dropFrom = (i: number, from: number) => {
      const k = kept[i]!;
      const row = blocks[(i / BLOCK) | 0]!;
      for (let j = from; j < k.n; j++) row[k.families[j]!] = undefined;
    };
    /** Ends deployment `i` after `pos` series; deployments up to `next` emitted none. */
    const finish = (next: number) => {
      if (current >= 0) {
        const k = kept[current]!;
        if (pos < k.n) dropFrom(current, pos);
        k.n = pos;
      }
      for (let i = current + 1; i < next; i++) {
        if (kept[i]!.n) { dropFrom(i, 0); kept[i]!.n = 0; }
      }
    };
    const counts = this.#series.walk(deployments, nowMs, (family, i, attributes, value) => {
      if (i !== current) { finish(i); current = i; pos = 0; }
      const k = kept[i]!;
      if (pos < k.n && k.families[pos] === family && k.attributes[pos] === attributes && Object.is(k.values[pos], value)) { pos++; return; }
      const row = blocks[(i / BLOCK) | 0]!;
      if (pos < k.n) row[k.families[pos]!] = undefined;
      row[family] = undefined;
      k.families[pos] = family;
      k.attributes[pos] = attributes;
      k.values[pos] = value;
      pos++;
      if (pos > k.n) k.n = pos;
    });
    finish(deployments.length);

    const { metrics, families } = this.#series.metrics(path, nowMs, counts, () => []);
    if (!this.#names.length) this.#names = families.map((m) => seriesName(m)!);
    const rendered = new Map<MetricData, readonly Buffer[]>();
    families.forEach((metric, family) => {
      const lines: Buffer[] = [];
      for (let b = 0; b < blocks.length; b++) {
        const block = blocks[b]![family] ?? (blocks[b]![family] = this.#render(b, family));
        if (block.length) lines.push(block);
      }
      rendered.set(metric, lines);
    });
    return { metrics, rendered };
  }

  #reset(deployments: readonly Deployment[]): void {
    this.#deployments = deployments;
    this.#kept = deployments.map(() => ({ families: [], attributes: [], values: [], n: 0 }));
    this.#blocks = Array.from({ length: Math.ceil(deployments.length / BLOCK) }, () => new Array<Buffer | undefined>(DEPLOYMENT_FAMILY_COUNT).fill(undefined));
  }

  /** One block's lines of one family, as the serializer writes a point (no scope labels). */
  #render(block: number, family: number): Buffer {
    const name = this.#names[family]!;
    let text = '';
    const end = Math.min((block + 1) * BLOCK, this.#kept.length);
    for (let i = block * BLOCK; i < end; i++) {
      const k = this.#kept[i]!;
      for (let j = 0; j < k.n; j++) {
        if (k.families[j] !== family) continue;
        const labels = this.#serializer.labelText(k.attributes[j]!);
        text += `${name}${labels ? `{${labels}}` : ''} ${valueString(k.values[j]!)}\n`;
      }
    }
    return text ? Buffer.from(text) : EMPTY;
  }
}
