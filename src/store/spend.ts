import type { ProbeSpend } from '../core/usage.js';

/** What a deployment's probes spent over some time. */
export interface SpendTotals {
  /** Probes whose calls were answered (a failed call bills nothing). */
  probes: number;
  /** Of those, probes whose cost is unknown (no price, or the answer did not say what was used). */
  unpriced: number;
  inputTokens: number;
  outputTokens: number;
  /** USD of the priced probes. */
  costUsd: number;
}

/** A day's totals (UTC date, YYYY-MM-DD). */
export interface DaySpend extends SpendTotals {
  day: string;
}

/** Days of spend kept per deployment (a month and a day). */
export const SPEND_DAYS = 31;

export const emptyTotals = (): SpendTotals => ({ probes: 0, unpriced: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });

export function dayOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;
/** The last day formatted for a ledger, shared: one "YYYY-MM-DD" string for every deployment's day, not 10,000. */
let lastDay = { number: NaN, text: '' };
function sharedDayOf(epochMs: number): string {
  const number = Math.floor(epochMs / DAY_MS);
  if (number !== lastDay.number) lastDay = { number, text: dayOf(epochMs) };
  return lastDay.text;
}

export function addSpend(t: SpendTotals, s: ProbeSpend): void {
  t.probes++;
  if (s.costUsd === null) t.unpriced++;
  else t.costUsd += s.costUsd;
  t.inputTokens += s.usage.inputTokens ?? 0;
  t.outputTokens += s.usage.outputTokens ?? 0;
}

export function sumSpend(list: readonly SpendTotals[]): SpendTotals {
  const t = emptyTotals();
  for (const x of list) {
    t.probes += x.probes;
    t.unpriced += x.unpriced;
    t.inputTokens += x.inputTokens;
    t.outputTokens += x.outputTokens;
    t.costUsd += x.costUsd;
  }
  return t;
}

/**
 * One deployment's spend: per UTC day for the last 31 days (persisted, so /health/spend survives
 * restarts), and since the process started (the metric counters).
 */
export class SpendLedger {
  #days: DaySpend[] = [];
  /**
   * The day the last probe went to and its number (UTC days since the epoch, a small integer:
   * epoch-ms bounds were two boxed doubles): most probes land there, no date formatting. Fields
   * of the ledger rather than an object of their own, and each day a literal of all its fields
   * (a spread gave it a separate property array): with the first day's list sized to one, ~250
   * bytes less per deployment (10,000 deployments: ~2.5 MB).
   */
  #current: DaySpend | undefined;
  #currentDay = 0;
  readonly sinceStart: SpendTotals = emptyTotals();

  /** Days oldest first. */
  get days(): readonly DaySpend[] { return this.#days; }

  /** Adds one probe's spend at `at`; returns the day it went to. */
  add(at: number, s: ProbeSpend): DaySpend {
    addSpend(this.sinceStart, s);
    const c = this.#current;
    if (c && Math.floor(at / DAY_MS) === this.#currentDay) {
      addSpend(c, s);
      return c;
    }
    const day = sharedDayOf(at);
    let d = this.#days.find((x) => x.day === day);
    if (!d) {
      d = { day, probes: 0, unpriced: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
      if (!this.#days.length) this.#days = [d];
      else {
        this.#days.push(d);
        this.#days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
        const oldest = dayOf(at - (SPEND_DAYS - 1) * DAY_MS);
        this.#days = this.#days.filter((x) => x.day >= oldest);
      }
    }
    addSpend(d, s);
    this.#current = d;
    this.#currentDay = Math.floor(at / DAY_MS);
    return d;
  }

  /** Days read back from the database (start-up). */
  restore(days: readonly DaySpend[]): void {
    this.#days = [...days].map((d) => ({ ...d })).sort((a, b) => (a.day < b.day ? -1 : 1)).slice(-SPEND_DAYS);
    this.#current = undefined;
  }
}
