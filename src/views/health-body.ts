import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import { verdictOf, type ProbeResult } from '../core/result.js';
import type { HealthStore } from '../store/types.js';
import { healthEntry, type HealthEntry } from './health-report.js';
import { shownResult } from './staleness.js';

/** One /health entry as JSON text, by the route's allow-list schema for an entry. */
export type EntrySerializer = (entry: HealthEntry) => string;

/**
 * A body as the pieces to send in order (never changed once handed out) and their total length.
 * Not joined: a fresh 2.6 MB buffer per answer at 10,000 deployments fragmented the C heap
 * (RSS +70 MB over 200 answers, +22 MB with glibc's mmap threshold pinned), the pieces do not.
 */
export interface BodyParts { readonly parts: readonly Buffer[]; readonly length: number }

/** Entries per block: a changed entry re-joins and re-encodes its block only (~16 KB). */
const BLOCK = 64;
const BUCKETS = ['healthy', 'unhealthy', 'pending'] as const;
type Bucket = 0 | 1 | 2;
const BUCKET_OF: Record<(typeof BUCKETS)[number], Bucket> = { healthy: 0, unhealthy: 1, pending: 2 };
const COMMA = Buffer.from(',');
const EMPTY = Buffer.alloc(0);

/**
 * One deployment's entry as last rendered, and what it was rendered from: the stored result
 * (by identity: the store replaces, never mutates, a result) and the parts of "now" it shows.
 */
interface Rendered {
  stored: ProbeResult | undefined;
  /** -1: not listed (no result and nothing expects one). */
  bucket: Bucket | -1;
  /** Its text until its block is encoded, then its bytes' place there (kept, each probe's text outlived the young generation). */
  text: string | undefined;
  at: number;
  size: number;
  /** Re-rendered on every answer: a strategy router is graded from others' results, at `now`. */
  always: boolean;
  /** Fresh until `now - freshFrom > staleAfterMs` (undefined: never turns stale as shown). */
  freshFrom: number;
  staleAfterMs: number | undefined;
  /** A shown age in whole seconds (stale error text, restored age_s): `checkedAt` it counts from, and its value. */
  ageFrom: number | undefined;
  ageS: number;
  /** With maintenance windows: which window covers it and when the last one over it ended. */
  maintenance: string;
}

const ageSOf = (now: number, from: number) => Math.round((now - from) / 1000);

/**
 * The background-mode /health body (no query) as bytes, kept up to date one entry at a time:
 * an answer re-renders only the entries whose stored result changed or whose shown form moved
 * with the clock (went stale, a shown age ticked to its next second, a maintenance window opened
 * or closed), then joins cached blocks. Byte for byte the route serialiser's output for
 * healthAnswer() at the same instant (test/views/health-body-matches-full-answer.test.ts).
 *
 * Why: at 10,000 deployments with probes landing every few milliseconds, rebuilding and
 * re-serialising all 2.6 MB per request cost ~30-45 ms of CPU; now a request pays for the entries
 * the store lists as changed (a scan of all only at a clock edge, with strategy routers or
 * maintenance windows configured) and one copy of the bytes.
 *
 * "Now" shows in an entry only through staleness (a threshold crossed once; a stale entry's
 * error text says its age) and `age_s` of results read back after a restart: both in whole
 * seconds, so such an entry is re-rendered when its shown second changes, not per request.
 */
export class HealthBody {
  readonly #serialize: EntrySerializer;
  #snapshot: Snapshot | undefined;
  #targets: readonly Deployment[] = [];
  #rendered: Rendered[] = [];
  /** A target's position by id, for the ids the store says changed. */
  #index = new Map<string, number>();
  /** Entries per bucket (healthy, unhealthy, pending), kept as entries change. */
  #counts = [0, 0, 0];
  /** Per block and bucket, the entries' texts joined by ',' as UTF-8 (EMPTY when none). */
  #blocks: Buffer[][] = [];
  #dirty = new Set<number>();
  #answer: BodyParts | undefined;
  #answerVersion = -1;
  /** The earliest `now` at which a cached entry may change with the clock alone. */
  #nextTick = Infinity;
  #hasAlways = false;

  constructor(serialize: EntrySerializer) {
    this.#serialize = serialize;
  }

  /** The body for `s` and `store` at `now`. */
  body(s: Snapshot, store: HealthStore, now: number): BodyParts {
    const maintenance = s.settings.status.maintenance;
    if (s !== this.#snapshot) this.#reset(s);
    const withMaintenance = !maintenance.empty;
    // No clock edge passed and nothing graded at `now`: only entries the store says changed.
    const onlyChanged = this.#answer && !this.#hasAlways && !withMaintenance && now < this.#nextTick;
    if (onlyChanged && store.version === this.#answerVersion) return this.#answer!;
    const changed = onlyChanged ? store.changedSince?.(this.#answerVersion) : undefined;
    if (changed) {
      let nextTick = this.#nextTick;
      for (const id of changed) {
        const i = this.#index.get(id);
        if (i !== undefined) nextTick = Math.min(nextTick, this.#update(i, s, store, now, false));
      }
      this.#nextTick = nextTick;
    } else {
      let nextTick = Infinity;
      for (let i = 0; i < this.#targets.length; i++) nextTick = Math.min(nextTick, this.#update(i, s, store, now, withMaintenance));
      this.#nextTick = nextTick;
    }
    if (this.#dirty.size || !this.#answer) this.#answer = this.#assemble();
    this.#answerVersion = store.version;
    return this.#answer;
  }

  /** Re-renders entry i if it is no longer what is shown; returns the earliest `now` it may change by the clock. */
  #update(i: number, s: Snapshot, store: HealthStore, now: number, withMaintenance: boolean): number {
    const d = this.#targets[i]!;
    let r = this.#rendered[i];
    if (!r || !this.#stillShown(r, s, d, store, now, withMaintenance)) {
      const next = this.#render(s, d, store, now, withMaintenance);
      if (!r) {
        this.#dirty.add((i / BLOCK) | 0);
        if (next.bucket !== -1) this.#counts[next.bucket]! += 1;
        this.#rendered[i] = r = next;
      } else {
        if (next.bucket !== r.bucket || !this.#shows(i, r, next.text!)) {
          this.#dirty.add((i / BLOCK) | 0);
          if (r.bucket !== -1) this.#counts[r.bucket]! -= 1;
          if (next.bucket !== -1) this.#counts[next.bucket]! += 1;
          r.text = next.text;
        }
        // Updated in place: the kept entry lives as long as the deployment.
        r.stored = next.stored; r.bucket = next.bucket; r.always = next.always; r.freshFrom = next.freshFrom;
        r.staleAfterMs = next.staleAfterMs; r.ageFrom = next.ageFrom; r.ageS = next.ageS; r.maintenance = next.maintenance;
      }
    }
    let tick = Infinity;
    if (r.staleAfterMs !== undefined) tick = r.freshFrom + r.staleAfterMs;
    if (r.ageFrom !== undefined) tick = Math.min(tick, r.ageFrom + (r.ageS + 0.5) * 1000 - 1);
    return tick;
  }

  #reset(s: Snapshot): void {
    this.#snapshot = s;
    this.#targets = s.settings.skipDisabledOnDemand ? s.deployments.filter((d) => !d.backgroundDisabled) : s.deployments;
    this.#index = new Map(this.#targets.map((d, i) => [d.id, i]));
    this.#rendered = [];
    this.#counts = [0, 0, 0];
    this.#blocks = [];
    this.#dirty = new Set(Array.from({ length: Math.ceil(this.#targets.length / BLOCK) }, (_, b) => b));
    this.#answer = undefined;
    this.#hasAlways = this.#targets.some((d) => d.router);
  }

  /** Whether entry i (`r`, in the same bucket) already shows `text`. */
  #shows(i: number, r: Rendered, text: string): boolean {
    if (r.text !== undefined) return r.text === text;
    if (r.bucket === -1) return text === '';
    const block = this.#blocks[(i / BLOCK) | 0]?.[r.bucket];
    return !!block && r.size === Buffer.byteLength(text) && block.toString('utf8', r.at, r.at + r.size) === text;
  }

  /** Whether an entry rendered earlier is still what healthAnswer() would show at `now`. */
  #stillShown(r: Rendered, s: Snapshot, d: Deployment, store: HealthStore, now: number, withMaintenance: boolean): boolean {
    if (r.always || store.get(d.id) !== r.stored) return false;
    if (withMaintenance && maintenanceKey(s, d, now) !== r.maintenance) return false;
    // The same tests withStaleness and healthEntry make, so the edges agree exactly.
    if (r.staleAfterMs !== undefined && now - r.freshFrom > r.staleAfterMs) return false;
    return r.ageFrom === undefined || ageSOf(now, r.ageFrom) === r.ageS;
  }

  #render(s: Snapshot, d: Deployment, store: HealthStore, now: number, withMaintenance: boolean): Rendered {
    const stored = store.get(d.id);
    const shown = shownResult(s, store, d.id, now);
    const maintenance = withMaintenance ? maintenanceKey(s, d, now) : '';
    const listed = shown !== undefined || s.listed.has(d.id);
    const bucket = listed ? BUCKET_OF[shown ? verdictOf(shown) : 'pending'] : -1;
    const text = listed ? this.#serialize(healthEntry(d, shown, s.settings.details, false, now)) : '';
    const rendered: Rendered = { stored, bucket, text, at: 0, size: 0, always: !!d.router, freshFrom: 0, staleAfterMs: undefined, ageFrom: undefined, ageS: 0, maintenance };
    if (!stored || d.router) return rendered;
    const covered = withMaintenance && s.settings.status.maintenance.covering(d, now) !== undefined;
    const staleAfterMs = s.policy(d).staleAfterMs;
    if (staleAfterMs !== undefined && !covered) {
      const pausedUntil = withMaintenance ? (s.settings.status.maintenance.lastEnded(d, now) ?? 0) : 0;
      const freshFrom = Math.max(stored.checkedAt, pausedUntil);
      // Fresh: shown as is until it passes the threshold. Stale: its error text says its age.
      if (now - freshFrom <= staleAfterMs) Object.assign(rendered, { freshFrom, staleAfterMs });
      else Object.assign(rendered, { ageFrom: stored.checkedAt, ageS: ageSOf(now, stored.checkedAt) });
    }
    // Read back after a restart: age_s (the same rounding as the stale text).
    if (stored.restored) Object.assign(rendered, { ageFrom: stored.checkedAt, ageS: ageSOf(now, stored.checkedAt) });
    return rendered;
  }

  #assemble(): BodyParts {
    for (const b of this.#dirty) {
      const old = this.#blocks[b];
      const end = Math.min((b + 1) * BLOCK, this.#targets.length);
      const block: Buffer[] = [];
      for (let k = 0; k < 3; k++) {
        // Entries joined by ',': new texts encoded, unchanged ones copied from the old block.
        let length = -1;
        for (let i = b * BLOCK; i < end; i++) {
          const r = this.#rendered[i]!;
          if (r.bucket === k) length += 1 + (r.text !== undefined ? Buffer.byteLength(r.text) : r.size);
        }
        if (length < 0) { block.push(EMPTY); continue; }
        const buf = Buffer.allocUnsafe(length);
        let at = 0;
        for (let i = b * BLOCK; i < end; i++) {
          const r = this.#rendered[i]!;
          if (r.bucket !== k) continue;
          if (at) buf[at++] = 0x2c; // ','
          const size = r.text !== undefined ? buf.write(r.text, at) : old![k]!.copy(buf, at, r.at, r.at + r.size);
          r.at = at;
          r.size = size;
          at += size;
        }
        block.push(buf);
      }
      for (let i = b * BLOCK; i < end; i++) this.#rendered[i]!.text = undefined;
      this.#blocks[b] = block;
    }
    this.#dirty.clear();
    const parts: Buffer[] = [];
    const counts = this.#counts;
    for (let k = 0; k < 3; k++) {
      parts.push(Buffer.from(`${k ? '],' : '{'}"${BUCKETS[k]}_endpoints":[`));
      let first = true;
      for (const block of this.#blocks) {
        const part = block[k]!;
        if (!part.length) continue;
        if (!first) parts.push(COMMA);
        parts.push(part);
        first = false;
      }
    }
    parts.push(Buffer.from(`],"healthy_count":${counts[0]},"unhealthy_count":${counts[1]},"pending_count":${counts[2]}}`));
    let length = 0;
    for (const p of parts) length += p.length;
    return { parts, length };
  }
}

/** Which maintenance window covers a deployment now, and when the last one over it ended. */
function maintenanceKey(s: Snapshot, d: Deployment, now: number): string {
  const m = s.settings.status.maintenance;
  return `${m.covering(d, now)?.name ?? ''}\u0000${m.lastEnded(d, now) ?? ''}`;
}
