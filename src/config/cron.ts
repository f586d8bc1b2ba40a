/**
 * A cron-like schedule (five fields: minute hour day-of-month month day-of-week, as Vixie cron)
 * evaluated in an IANA time zone, for maintenance windows. Pure and dependency-free: local times
 * are converted with Intl, days are walked with calendar arithmetic.
 */
export interface CronSpec {
  readonly minute: readonly number[];
  readonly hour: readonly number[];
  readonly dom: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  readonly dow: ReadonlySet<number>;
  /** `*` in day-of-month / day-of-week: as in cron, when both are restricted either may match. */
  readonly domAny: boolean;
  readonly dowAny: boolean;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field { name: string; min: number; max: number; names?: readonly string[]; namesFrom?: number }
const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

/** A schedule, or the reason it is not one (naming the field, never echoing more than it). */
export function parseCron(expr: string): CronSpec | string {
  const text = MACROS[expr.trim().toLowerCase()] ?? expr.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week) or a macro like @daily, got ${parts.length}`;
  const sets: Set<number>[] = [];
  for (let i = 0; i < 5; i++) {
    const set = parseField(parts[i]!, FIELDS[i]!);
    if (typeof set === 'string') return set;
    sets.push(set);
  }
  const [minute, hour, dom, month, dow] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (dow.delete(7)) dow.add(0);
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { minute: sorted(minute), hour: sorted(hour), dom, month, dow, domAny: parts[2] === '*', dowAny: parts[4] === '*' };
}

function parseField(text: string, f: Field): Set<number> | string {
  const out = new Set<number>();
  const value = (v: string): number => {
    const i = f.names?.indexOf(v.toUpperCase()) ?? -1;
    return i >= 0 ? i + (f.namesFrom ?? 0) : /^\d+$/.test(v) ? Number(v) : NaN;
  };
  for (const part of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return `${f.name}: "${part.slice(0, 20)}" is not a value, range or step`;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    let lo = f.min;
    let hi = f.max;
    if (m[1] !== '*') {
      const [a, b] = m[1]!.split('-');
      lo = value(a!);
      hi = b === undefined ? (m[2] === undefined ? lo : f.max) : value(b);
    }
    if (!(lo >= f.min && hi <= f.max && lo <= hi && step >= 1)) return `${f.name}: "${part.slice(0, 20)}" is outside ${f.min}-${f.max}`;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Whether a local calendar day (month 1-12) matches the day fields. */
export function dayMatches(spec: CronSpec, y: number, mo: number, d: number): boolean {
  if (!spec.month.has(mo)) return false;
  const domOk = spec.dom.has(d);
  const dowOk = spec.dow.has(new Date(Date.UTC(y, mo - 1, d)).getUTCDay());
  if (spec.domAny && spec.dowAny) return true;
  if (spec.domAny) return dowOk;
  if (spec.dowAny) return domOk;
  return domOk || dowOk;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatIn(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatIn(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalTime { y: number; mo: number; d: number; h: number; mi: number; s: number }

/** The wall-clock time at instant `t` (epoch ms) in a time zone. */
export function localTime(t: number, timeZone: string): LocalTime {
  const p: Record<string, number> = {};
  for (const part of formatIn(timeZone).formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour! % 24, mi: p.minute!, s: p.second! };
}

/** The instant a wall-clock time happens in a time zone (a time skipped by DST lands after the gap). */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, timeZone: string, s = 0): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsetAt = (t: number) => {
    const l = localTime(t, timeZone);
    return Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi, l.s) - (t - (((t % 1000) + 1000) % 1000));
  };
  const first = offsetAt(wall);
  let t = wall - first;
  const second = offsetAt(t);
  if (second !== first) t = wall - second;
  return t;
}

/**
 * The latest start of the schedule at or before `t`, looking back at most `lookbackDays` days
 * (undefined when none). Walks local days backwards and, on a matching day, its times from the
 * latest; an hour of margin covers the repeated hour when clocks go back.
 */
export function latestStart(spec: CronSpec, timeZone: string, t: number, lookbackDays: number): number | undefined {
  const now = localTime(t, timeZone);
  for (let k = 0; k <= lookbackDays; k++) {
    const day = new Date(Date.UTC(now.y, now.mo - 1, now.d - k));
    const [y, mo, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    if (!dayMatches(spec, y, mo, d)) continue;
    for (let hi = spec.hour.length - 1; hi >= 0; hi--) {
      const h = spec.hour[hi]!;
      if (k === 0 && h > now.h + 1) continue;
      for (let mi = spec.minute.length - 1; mi >= 0; mi--) {
        const start = zonedToUtc(y, mo, d, h, spec.minute[mi]!, timeZone);
        if (start <= t) return start;
      }
    }
  }
  return undefined;
}
