import { parseCron, type CronSpec } from './cron.js';
import { envReference } from './env.js';
import { MaintenanceCalendar, MaintenanceWindow } from './maintenance.js';
import { durationMs, parseInstant, type RawStatusSettings } from './status-schema.js';

export type StatusPageMode = 'public' | 'private' | 'off';
export type NotificationType = 'webhook' | 'slack' | 'teams';

/** A webhook target with its URL and headers resolved: secrets, never shown anywhere. */
export interface NotificationTarget {
  /** Names it in logs and metrics (the URL never is). */
  readonly name: string;
  readonly type: NotificationType;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly sendResolved: boolean;
  /** The URL, its parts and the header values: redacted from any text about this target. */
  readonly secrets: readonly string[];
}

export interface StatusSettings {
  /** general_settings.status_page (default private: the master key, when one is set). */
  readonly page: StatusPageMode;
  readonly title: string;
  readonly notifications: readonly NotificationTarget[];
  /** How long changes are collected into one message. */
  readonly groupWaitMs: number;
  readonly maintenance: MaintenanceCalendar;
}

export const DEFAULT_GROUP_WAIT_S = 30;
export const DEFAULT_STATUS_TITLE = 'LLM status';

/**
 * The validated status keys (status-schema.ts) resolved: os.environ/ references of targets,
 * windows compiled. A target whose variable is unset is left out with a warning (the others
 * keep working), as an unset variable affects only its own deployment.
 */
export function statusSettings(raw: RawStatusSettings, env: NodeJS.ProcessEnv, warnings: string[]): StatusSettings {
  const notifications: NotificationTarget[] = [];
  (raw.notifications ?? []).forEach((t, i) => {
    const type = t.type ?? 'webhook';
    const name = t.name ?? `${type}-${i}`;
    const missing: string[] = [];
    const resolve = (v: string, key: string) => {
      const ref = envReference(v);
      if (ref === undefined) return v;
      const value = env[ref];
      if (!value) missing.push(`environment variable ${ref} (referenced by general_settings.notifications[${i}].${key}) is not set`);
      return value ?? '';
    };
    const url = resolve(t.url, 'url');
    const headers = Object.fromEntries(Object.entries(t.headers ?? {}).map(([k, v]) => [k, resolve(v, `headers.${k}`)]));
    if (!missing.length && !isHttpUrl(url)) missing.push(`general_settings.notifications[${i}].url: the variable's value is not an http(s) URL`);
    if (missing.length) {
      warnings.push(`notification target ${name}: ${missing.join('; ')}; it sends nothing`);
      return;
    }
    notifications.push(Object.freeze({ name, type, url, headers: Object.freeze(headers), sendResolved: t.send_resolved ?? true, secrets: Object.freeze(secretsOf(url, headers)) }));
  });
  const windows = (raw.maintenance_windows ?? []).map((w, i) => {
    const tz = w.timezone ?? 'UTC';
    const scope = { modelNames: w.model_names, modelIds: w.model_ids };
    const name = w.name ?? `window-${i}`;
    if (w.schedule !== undefined) {
      return new MaintenanceWindow(name, { kind: 'schedule', cron: parseCron(w.schedule) as CronSpec, durationMs: durationMs(w.duration)!, timeZone: tz }, scope);
    }
    return new MaintenanceWindow(name, { kind: 'fixed', start: parseInstant(w.start!, tz)!, end: parseInstant(w.end!, tz)! }, scope);
  });
  return {
    page: raw.status_page ?? 'private',
    title: raw.status_page_title ?? DEFAULT_STATUS_TITLE,
    notifications,
    groupWaitMs: (raw.notification_group_wait ?? DEFAULT_GROUP_WAIT_S) * 1000,
    maintenance: new MaintenanceCalendar(windows),
  };
}

function isHttpUrl(v: string): boolean {
  try { return ['http:', 'https:'].includes(new URL(v).protocol); } catch { return false; }
}

/** Every form of a target's secrets an error text might carry: the URL whole and in parts. */
function secretsOf(url: string, headers: Record<string, string>): string[] {
  const out = [url, ...Object.values(headers)];
  const u = new URL(url);
  if (u.pathname.length > 1) out.push(u.pathname + u.search, u.pathname);
  if (u.search) out.push(u.search.slice(1), ...[...u.searchParams.values()]);
  if (u.username) out.push(decodeURIComponent(u.username));
  if (u.password) out.push(decodeURIComponent(u.password));
  for (const v of Object.values(headers)) { const m = /^\s*\S+\s+(\S{4,})\s*$/.exec(v); if (m) out.push(m[1]!); }
  return out.filter((s) => s.length >= 4);
}
