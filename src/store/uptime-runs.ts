/**
 * Uptime from runs of equal probe outcomes ("segments"), not from every row: a deployment that
 * stayed healthy for 30 days is one segment, so 30-day figures for 10,000 deployments fit in a
 * few MB and are computed at each scrape. Pure functions plus one small bounded ledger.
 */

/** A run of consecutive probes of one deployment with the same outcome and no gap between them. */
export interface UptimeSegment {
  /** checkedAt (epoch ms) of the run's first probe. */
  readonly start: number;
  /** checkedAt of its last probe. */
  lastAt: number;
  /**
   * Until when the last probe speaks for the deployment: lastAt plus its cover (one interval,
   * the timeout and the fleet's slack). Past it, without a newer probe, health is unknown.
   */
  until: number;
  readonly healthy: boolean;
  /** Probes in the run. */
  probes: number;
}

/** Uptime over one window. */
export interface UptimeFigures {
  /** Known healthy time, known unhealthy time, and time no result spoke for (exporter down, not yet probed). */
  healthyMs: number;
  unhealthyMs: number;
  unknownMs: number;
  /** Probes in the window (a run crossing its start counted as evenly spaced probes, exact on the grid). */
  probes: number;
  /** healthy / (healthy + unhealthy): unknown time counts as neither; null when nothing is known. */
  ratio: number | null;
}

/** The windows /health/uptime and llm_deployment_uptime_ratio report. */
export const UPTIME_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;
/** Segments older than the longest window are dropped. */
export const UPTIME_KEEP_MS = UPTIME_WINDOWS['30d'];

/** Where segment i stops counting: its cover, the next run's start, or `to`. */
function endOf(segments: readonly UptimeSegment[], i: number, to: number): number {
  const s = segments[i]!;
  const next = segments[i + 1];
  return Math.min(s.until, next ? next.start : Infinity, to);
}

/** Probes of a run with checkedAt in [from, to), assuming them evenly spaced over the run. */
function probesIn(s: UptimeSegment, from: number, to: number): number {
  if (s.start >= from && s.lastAt < to) return s.probes;
  if (s.lastAt < from || s.start >= to) return 0;
  if (s.probes === 1) return s.start >= from && s.start < to ? 1 : 0;
  const step = (s.lastAt - s.start) / (s.probes - 1);
  const first = Math.max(0, Math.ceil((from - s.start) / step - 1e-9));
  const last = Math.min(s.probes - 1, Math.ceil((to - s.start) / step - 1e-9) - 1);
  return Math.max(0, last - first + 1);
}

/**
 * The last millisecond at which the ratios over windows ending then are still what they are at
 * `now`, with no new probe (inclusive, as a result's staleness edge is): when every run is healthy
 * and began before `now`, each known ratio is exactly 1 until the window slides past the end of
 * the last cover (`lengths`: the windows, in ms), and an unknown one stays unknown. -Infinity when
 * a ratio moves with the clock (an unhealthy run in the data).
 */
export function steadyRatiosUntil(segments: readonly UptimeSegment[], now: number, lengths: readonly number[]): number {
  let end = -Infinity;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (!s.healthy || s.start >= now) return -Infinity;
    end = Math.max(end, endOf(segments, i, Infinity));
  }
  let until = Infinity;
  // A window that still overlaps a cover keeps ratio 1 until now - length reaches its end.
  // At end + length the window holds no cover: the ratio is unknown from then.
  for (const length of lengths) if (end > now - length) until = Math.min(until, end + length - 1);
  return until;
}

/**
 * Uptime over [from, to) from a deployment's segments (oldest first). Each run counts from its
 * first probe until its cover ends or the next run starts; time no run covers is unknown, never
 * up: a gap while the exporter was down lowers nothing and raises nothing.
 */
export function uptimeBetween(segments: readonly UptimeSegment[], from: number, to: number): UptimeFigures {
  let healthyMs = 0;
  let unhealthyMs = 0;
  let probes = 0;
  // Segments are ordered: skip those that end before the window (a binary search would do; runs are few).
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.start >= to) break;
    const covered = Math.min(endOf(segments, i, to), to) - Math.max(s.start, from);
    if (covered > 0) {
      if (s.healthy) healthyMs += covered;
      else unhealthyMs += covered;
    }
    probes += probesIn(s, from, to);
  }
  const known = healthyMs + unhealthyMs;
  return { healthyMs, unhealthyMs, unknownMs: Math.max(0, to - from - known), probes, ratio: known > 0 ? healthyMs / known : null };
}

/** The sum of several deployments' figures (a model group): deployment-time, healthy share of the known part. */
export function sumUptime(figures: readonly UptimeFigures[]): UptimeFigures {
  const t = { healthyMs: 0, unhealthyMs: 0, unknownMs: 0, probes: 0 };
  for (const f of figures) {
    t.healthyMs += f.healthyMs;
    t.unhealthyMs += f.unhealthyMs;
    t.unknownMs += f.unknownMs;
    t.probes += f.probes;
  }
  const known = t.healthyMs + t.unhealthyMs;
  return { ...t, ratio: known > 0 ? t.healthyMs / known : null };
}

/** Runs kept per deployment at most: a deployment flapping at every probe keeps its latest 4,096 changes. */
export const MAX_SEGMENTS = 4096;

/** One deployment's runs, oldest first, bounded by age (30 days) and count. */
export class UptimeLedger {
  #segments: UptimeSegment[] = [];

  get segments(): readonly UptimeSegment[] { return this.#segments; }

  /** Adds one probe outcome (checkedAt `at`) that speaks for `coverMs` after it. Returns the run it joined. */
  add(at: number, healthy: boolean, coverMs: number): UptimeSegment | undefined {
    const last = this.#segments[this.#segments.length - 1];
    // A result older than the newest run (a late fleet result) changes nothing already counted.
    if (last && at < last.lastAt) return undefined;
    if (last && last.healthy === healthy && at <= last.until) {
      last.lastAt = at;
      last.until = at + coverMs;
      last.probes++;
      return last;
    }
    const s: UptimeSegment = { start: at, lastAt: at, until: at + coverMs, healthy, probes: 1 };
    // The first run in a list of one: a push onto [] reserves 17 slots, and most deployments
    // keep a single run (~120 bytes each, 1.2 MB at 10,000 deployments).
    if (!this.#segments.length) this.#segments = [s];
    else this.#segments.push(s);
    this.#trim(at);
    return s;
  }

  /** Runs loaded from the database (oldest first), before any new probe. */
  restore(segments: readonly UptimeSegment[]): void {
    this.#segments = [...segments].sort((a, b) => a.start - b.start).map((s) => ({ ...s }));
    const newest = this.#segments[this.#segments.length - 1];
    if (newest) this.#trim(newest.lastAt);
  }

  #trim(now: number): void {
    let drop = 0;
    const n = this.#segments.length;
    while (drop < n - 1 && (n - drop > MAX_SEGMENTS || this.#segments[drop]!.until < now - UPTIME_KEEP_MS)) drop++;
    if (drop) this.#segments.splice(0, drop);
  }
}
