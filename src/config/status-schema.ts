import { z } from 'zod';
import { isTimeZone, parseCron, zonedToUtc } from './cron.js';
import { bool, num } from './coerce.js';
import { envReference } from './env.js';
import { MAX_WINDOW_MS } from './maintenance.js';

/**
 * The general_settings keys of the status page, notifications and maintenance windows (issue 20),
 * spread into generalSettingsSchema. Exporter only: LiteLLM does not read them. An empty key (YAML
 * null) is a key not written, as elsewhere. Their entries are strict objects: a misspelt
 * `model_name` on a maintenance window must not silently cover every deployment, and a misspelt
 * header must not silently send none.
 */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90`, `"90"` (seconds), `"90m"`, `"1h30m"`, `"2d"` in ms; undefined when not a duration. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v * 1000 : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  if (!/^(\d+(\.\d+)?\s*[smhd]\s*)+$/.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)\s*([smhd])/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

const isHttpUrl = (v: string) => { try { return ['http:', 'https:'].includes(new URL(v).protocol); } catch { return false; } };
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

export const notificationTargetSchema = z.strictObject({
  /** Names the target in logs and the llm_notification_* series (default `<type>-<index>`). */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." and "-" only (at most 64)').optional(),
  type: z.enum(['webhook', 'slack', 'teams']).optional(),
  // Never quoted in an error: a webhook URL is a secret (Slack's and Teams' carry their token).
  url: z.string().min(1).refine((v) => envReference(v) !== undefined || isHttpUrl(v), 'must be an http(s) URL or os.environ/NAME'),
  headers: z.record(z.string().regex(HEADER_NAME, 'not a header name'), z.string()).optional(),
  send_resolved: bool.optional(),
});

const instant = z.union([z.string().min(1), z.date()]);

export const maintenanceWindowSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  start: instant.optional(),
  end: instant.optional(),
  /** Cron-like: minute hour day-of-month month day-of-week, or @daily, @weekly, … */
  schedule: z.string().min(1).max(200).optional(),
  duration: z.union([z.number(), z.string()]).optional(),
  timezone: z.string().min(1).refine(isTimeZone, 'unknown time zone (an IANA name such as Europe/Berlin, or UTC)').optional(),
  model_names: z.array(z.string().min(1)).min(1).optional(),
  model_ids: z.array(z.union([z.string().min(1), z.number()]).transform(String)).min(1).optional(),
}).superRefine((w, ctx) => {
  const fixed = w.start !== undefined || w.end !== undefined;
  if (fixed === (w.schedule !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'give either start and end, or schedule and duration', path: [] });
    return;
  }
  const tz = w.timezone ?? 'UTC';
  if (fixed) {
    const start = w.start === undefined ? undefined : parseInstant(w.start, tz);
    const end = w.end === undefined ? undefined : parseInstant(w.end, tz);
    if (start === undefined) ctx.addIssue({ code: 'custom', message: 'needs a start: an ISO 8601 time like 2026-12-01T02:00:00Z (without an offset: in timezone)', path: ['start'] });
    if (end === undefined) ctx.addIssue({ code: 'custom', message: 'needs an end: an ISO 8601 time like 2026-12-01T04:00:00Z (without an offset: in timezone)', path: ['end'] });
    if (start !== undefined && end !== undefined && end <= start) ctx.addIssue({ code: 'custom', message: 'must be after start', path: ['end'] });
    if (w.duration !== undefined) ctx.addIssue({ code: 'custom', message: 'goes with schedule; a window with start and end has its length already', path: ['duration'] });
    return;
  }
  const cron = parseCron(w.schedule!);
  if (typeof cron === 'string') ctx.addIssue({ code: 'custom', message: cron, path: ['schedule'] });
  const ms = durationMs(w.duration);
  if (ms === undefined || ms < 60_000 || ms > MAX_WINDOW_MS) {
    ctx.addIssue({ code: 'custom', message: 'a schedule needs a duration between 1 minute and 31 days: seconds, or like 90m, 2h, 1h30m, 1d', path: ['duration'] });
  }
});

/**
 * An instant written as ISO 8601: with `Z` or an offset as written; without one, a wall-clock
 * time in `timeZone` (`2026-12-01 02:00`, `2026-12-01T02:00:00`). Undefined when not a time.
 */
export function parseInstant(v: string | Date, timeZone: string): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  const s = v.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(s) && /^\d{4}-\d{2}-\d{2}[T ]/.test(s)) {
    const t = Date.parse(s.replace(' ', 'T'));
    return Number.isNaN(t) ? undefined : t;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x))) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || sec! > 59) return undefined;
  return zonedToUtc(y!, mo!, d!, h!, mi!, timeZone, sec!);
}

export const STATUS_SETTINGS_SHAPE = {
  /**
   * `/` and `/status`, the status JSON and the badges: public, private (master key) or off. YAML
   * 1.1 (PyYAML, as LiteLLM reads the file) makes a bare `off` the boolean false: that is off too.
   */
  status_page: z.preprocess((v) => (v === false ? 'off' : v), z.enum(['public', 'private', 'off'])).nullish(),
  status_page_title: z.string().min(1).max(100).nullish(),
  notifications: z.array(notificationTargetSchema).max(50).refine(
    (ts) => { const names = ts.map((t) => t.name).filter(Boolean); return new Set(names).size === names.length; },
    'target names must be unique',
  ).nullish(),
  /** Seconds changes are collected before one message goes out (grouping an outage). */
  notification_group_wait: num.pipe(z.number().min(0).max(3600)).nullish(),
  maintenance_windows: z.array(maintenanceWindowSchema).max(1000).nullish(),
};

const statusObject = z.looseObject(STATUS_SETTINGS_SHAPE);
export type RawStatusSettings = z.infer<typeof statusObject>;
