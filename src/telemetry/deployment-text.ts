import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { Deployment } from '../core/deployment.js';
import { DEPLOYMENT_FAMILY_COUNT, FAMILY_EXTRA_KEYS, type DeploymentSeries } from './deployment-series.js';
import type { ExportPath } from './metrics.js';
import { escapeAttributeValue, sanitizeName, valueString, type RenderedLines } from './prometheus-format.js';
import { seriesName, type PrometheusTextSerializer } from './prometheus-text.js';
import { KeptSeries, VERDICTS } from './kept-series.js';
import { extraLabels } from './series-labels.js';

/** Deployments per block: a changed value re-renders its block's lines of that family only. */
const BLOCK = 64;

/**
 * The per-deployment families of /metrics written straight from the store walk, without
 * building a data point per series: each scrape walks (DeploymentSeries, the same walk the OTel
 * producer reads) only the deployments whose stored result changed or whose shown state or
 * uptime ratios reached a clock edge since the last scrape, compares their values with the
 * last ones, and re-renders only the blocks of lines that changed; the rest go out as they are.
 *
 * Why: at 10,000 deployments (140,000 series, 23 MB), collect() built a point object per series
 * and the serializer looked up and wrote each one on every scrape (~110 ms, and tens of MB of
 * garbage a scrape); with probes landing at 333/s, a few dozen deployments change between scrapes.
 */
export class DeploymentText {
  readonly #series: DeploymentSeries;
  readonly #serializer: PrometheusTextSerializer;
  #deployments: readonly Deployment[] | undefined;
  #kept = new KeptSeries(0);
  /**
   * Per block, per family: its lines as kept bytes; undefined: changed since the last scrape;
   * null: unchanged since the last scrape, which wrote them without keeping them.
   */
  #blocks: Array<Array<Buffer | null | undefined>> = [];
  /**
   * Per block, per family: the memory its kept lines were last written into, rewritten in place
   * the next time they are kept. Why: a kept block lives a scrape interval or more, so its Buffer
   * reached old space and its bytes went back to malloc only at V8's next full GC: at 10,000
   * deployments, with probes landing, glibc's heap was 43–44 MB after 6 rounds, 36 MB with reuse.
   */
  #spare: Array<Array<Buffer | undefined>> = [];
  /** Answers handed out and not yet closed: their kept blocks may still be on their way to the client. */
  #inFlight = 0;
  #names: string[] = [];
  /**
   * Per family, the text its extra labels add (`,window="1h"`), by labels code: a few windows,
   * directions and outcomes, whatever the number of deployments.
   */
  readonly #extraText = FAMILY_EXTRA_KEYS.map(() => new Array<string | undefined>());
  /** A deployment's position by id, for the ids the store says changed. */
  #index = new Map<string, number>();
  /** The store version of the last scrape, and the earliest clock edge of any deployment then. */
  #version = -1;
  #nextEdge = -Infinity;

  constructor(series: DeploymentSeries, serializer: PrometheusTextSerializer) {
    this.#series = series;
    this.#serializer = serializer;
  }

  /**
   * The metrics DeploymentMetricProducer would collect for `path` at `nowMs`, the per-deployment
   * families without points, and those families' lines, for serializer.serializeParts(…, rendered)
   * before anything else runs: changed lines are rendered from what this walk kept when written.
   */
  collect(path: ExportPath, nowMs: number): { metrics: MetricData[]; rendered: Map<MetricData, ReadonlyArray<RenderedLines>>; release: () => void } {
    const deployments = this.#series.source.deployments();
    if (deployments !== this.#deployments) this.#reset(deployments);
    const kept = this.#kept;
    const blocks = this.#blocks;
    const { store } = this.#series.source;
    let current = -1;
    let pos = 0;
    // No clock edge reached by any deployment: walk just those the store says changed.
    const changed = nowMs <= this.#nextEdge ? store.changedSince?.(this.#version) : undefined;
    const only = changed && changed.flatMap((id) => this.#index.get(id) ?? []);
    let nextEdge = only ? this.#nextEdge : Infinity;
    this.#series.walk(deployments, nowMs, {
      ...(only ? { only } : {}),
      // Unchanged since the last scrape (same stored result, no clock edge passed): kept as is.
      skip: (i, d) => kept.walked[i] === 1 && nowMs <= kept.steadyUntil[i]! && store.get(d.id) === kept.stored[i],
      series: (family, i, labels, value) => {
        if (i !== current) { current = i; pos = 0; }
        if (pos === kept.stride) kept.widen(pos + 1);
        const n = kept.n[i]!;
        const at = i * kept.stride + pos;
        if (pos < n && kept.families[at] === family && kept.labels[at] === labels && Object.is(kept.values[at], value)) { pos++; return; }
        const row = blocks[(i / BLOCK) | 0]!;
        if (pos < n) row[kept.families[at]!] = undefined;
        row[family] = undefined;
        kept.families[at] = family;
        kept.labels[at] = labels;
        kept.values[at] = value;
        pos++;
        if (pos > n) kept.n[i] = pos;
      },
      done: (i, counted, steadyUntil) => {
        if (i !== current) pos = 0;
        // Series it had and no longer has: their blocks re-render without them.
        const row = blocks[(i / BLOCK) | 0]!;
        const base = i * kept.stride;
        for (let j = pos; j < kept.n[i]!; j++) {
          row[kept.families[base + j]!] = undefined;
        }
        kept.n[i] = pos;
        kept.stored[i] = store.get(deployments[i]!.id);
        kept.counted[i] = VERDICTS.indexOf(counted);
        kept.steadyUntil[i] = steadyUntil;
        kept.walked[i] = 1;
        current = -1;
        if (only) nextEdge = Math.min(nextEdge, steadyUntil);
      },
    });
    if (!only) for (const until of kept.steadyUntil) nextEdge = Math.min(nextEdge, until);
    this.#nextEdge = nextEdge;
    this.#version = store.version;
    const counts = { healthy: 0, unhealthy: 0, pending: 0 };
    for (const c of kept.counted) if (c) counts[VERDICTS[c]!]++;

    const { metrics, families } = this.#series.metrics(path, nowMs, counts, () => []);
    if (!this.#names.length) this.#names = families.map((m) => seriesName(m)!);
    const rendered = new Map<MetricData, RenderedLines[]>();
    families.forEach((metric, family) => {
      const lines: RenderedLines[] = [];
      for (let b = 0; b < blocks.length; b++) {
        const row = blocks[b]!;
        let block = row[family];
        if (block === undefined) {
          // Changed since the last scrape. Into the memory it was last kept in, when it has
          // some and it fits: kept again at no cost, where a spare left aside while its block
          // changed was memory held beside the answer's chunks (bench/FINDINGS.md, eleventh pass).
          const text = this.#spare[b]![family] && this.#inFlight === 0 ? this.#render(b, family) : undefined;
          block = text === undefined ? undefined : this.#keepText(b, family, text, false);
          if (block) {
            row[family] = block;
            if (block.length) lines.push(block);
            continue;
          }
          // Else written once into the answer and not kept. With probes landing between
          // scrapes, the lines of the families every probe moves (its duration, timestamp,
          // counters) change in nearly every block at every scrape: kept, they were ~12 MB of
          // Buffers replaced at each scrape, freed only by full GCs. Rendered when the
          // serializer writes its place, not here: ~8 MB of text a scrape, held until then,
          // outlived young-generation collections and went to old space.
          row[family] = null;
          lines.push(text ?? (() => this.#render(b, family)));
          continue;
        }
        // Unchanged for a whole scrape interval: kept until it changes.
        if (block === null) block = row[family] = this.#keep(b, family);
        if (block.length) lines.push(block);
      }
      rendered.set(metric, lines);
    });
    this.#inFlight++;
    let released = false;
    // Call once the answer is sent or its connection closed.
    const release = () => { if (!released) { released = true; this.#inFlight--; } };
    return { metrics, rendered, release };
  }

  /** A block's lines as kept bytes (#keepText). */
  #keep(block: number, family: number): Buffer {
    return this.#keepText(block, family, this.#render(block, family), true)!;
  }

  /**
   * `text` as a block's kept bytes: in its last memory when that fits and no earlier answer may
   * still hold it, else in new memory (`fresh`) or not at all (undefined).
   */
  #keepText(block: number, family: number, text: string, fresh: boolean): Buffer | undefined {
    const length = Buffer.byteLength(text);
    let spare = this.#spare[block]![family];
    if (!spare || spare.length < length || this.#inFlight > 0) {
      if (!fresh) return undefined;
      // Room for lines a few bytes longer next time (values such as an uptime ratio change length).
      this.#spare[block]![family] = spare = Buffer.allocUnsafeSlow(length + (length >> 4));
    }
    spare.write(text, 0);
    return spare.subarray(0, length);
  }

  #reset(deployments: readonly Deployment[]): void {
    this.#deployments = deployments;
    this.#index = new Map(deployments.map((d, i) => [d.id, i]));
    this.#nextEdge = -Infinity;
    this.#kept = new KeptSeries(deployments.length);
    this.#blocks = Array.from({ length: Math.ceil(deployments.length / BLOCK) }, () => new Array<Buffer | null | undefined>(DEPLOYMENT_FAMILY_COUNT).fill(undefined));
    this.#spare = this.#blocks.map(() => new Array<Buffer | undefined>(DEPLOYMENT_FAMILY_COUNT).fill(undefined));
  }

  /** One block's lines of one family, as the serializer writes a point (no scope labels). */
  #render(block: number, family: number): string {
    const name = this.#names[family]!;
    const extraKeys = FAMILY_EXTRA_KEYS[family]!;
    let text = '';
    const kept = this.#kept;
    const end = Math.min((block + 1) * BLOCK, kept.length);
    for (let i = block * BLOCK; i < end; i++) {
      let own: string | undefined;
      for (let j = i * kept.stride; j < i * kept.stride + kept.n[i]!; j++) {
        if (kept.families[j] !== family) continue;
        // The deployment's label text and the family's extra labels, joined per line: a kept
        // text per attributes object (9 a deployment) was ~15 MB of heap at 10,000 deployments.
        own ??= this.#serializer.labelText(this.#series.deploymentAttributes(this.#deployments!, i)!);
        const labels = extraKeys.length ? own + this.#extra(family, extraKeys, kept.labels[j]!) : own;
        text += `${name}${labels ? `{${labels}}` : ''} ${valueString(kept.values[j]!)}\n`;
      }
    }
    return text;
  }

  /** `,key="value"...` for a family's extra labels, those of labels code `code`, as the serializer writes them. */
  #extra(family: number, keys: readonly string[], code: number): string {
    const cache = this.#extraText[family]!;
    let text = cache[code];
    if (text === undefined) {
      const extra = extraLabels(code);
      cache[code] = text = keys.map((key) => `,${sanitizeName(key)}="${escapeAttributeValue(extra[key])}"`).join('');
    }
    return text;
  }
}
