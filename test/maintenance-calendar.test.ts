import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { parseConfig } from '../src/config/load.js';
import { latestStart, localTime, parseCron, zonedToUtc, type CronSpec } from '../src/config/cron.js';

/** Maintenance windows as configured: the schedule, time zones and DST, what each covers. */
const cron = (s: string) => parseCron(s) as CronSpec;
const at = (iso: string) => Date.parse(iso);

function calendar(windows: string, models = ['gpt', 'claude']) {
  const list = models.map((m) => `  - model_name: ${m}\n    litellm_params: { model: openai/${m} }\n    model_info: { id: ${m} }\n`).join('');
  const c = parseConfig(`model_list:\n${list}general_settings:\n  maintenance_windows:\n${windows}`, 'c.yaml', {});
  const byId = new Map(c.deployments.map((d) => [d.id, d]));
  return { cal: c.settings.status.maintenance, d: (id: string) => byId.get(id)!, warnings: c.warnings };
}

function configErrors(windows: string): string[] {
  try {
    parseConfig(`model_list: []\ngeneral_settings:\n  maintenance_windows:\n${windows}`, 'c.yaml', {});
    return [];
  } catch (err) {
    return (err as ConfigError).issues as string[];
  }
}

describe('cron-like schedules', () => {
  it('parses fields, ranges, steps, lists, names and macros', () => {
    expect(cron('*/15 2-4 * * MON-FRI')).toMatchObject({ minute: [0, 15, 30, 45], hour: [2, 3, 4], dowAny: false, domAny: true });
    expect([...cron('0 3 * * sun,7').dow]).toEqual([0]);
    expect(cron('@weekly')).toMatchObject({ minute: [0], hour: [0] });
    expect(cron('5/20 * * jan,Dec *')).toMatchObject({ minute: [5, 25, 45] });
    expect([...cron('5/20 * * jan,Dec *').month]).toEqual([1, 12]);
    for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', 'x * * * *', '5-1 * * * *', '*/0 * * * *']) {
      expect(typeof parseCron(bad), bad).toBe('string');
    }
  });

  it('finds the latest start in a time zone, across a DST change', () => {
    // 03:00 Berlin every Sunday: CET (+1) in winter, CEST (+2) in summer.
    const sunday3 = cron('0 3 * * SUN');
    expect(latestStart(sunday3, 'Europe/Berlin', at('2026-03-25T12:00:00Z'), 32)).toBe(at('2026-03-22T02:00:00Z'));
    expect(latestStart(sunday3, 'Europe/Berlin', at('2026-04-01T12:00:00Z'), 32)).toBe(at('2026-03-29T01:00:00Z'));
    // Just before and at the start.
    expect(latestStart(sunday3, 'Europe/Berlin', at('2026-03-29T00:59:59Z'), 32)).toBe(at('2026-03-22T02:00:00Z'));
    expect(latestStart(sunday3, 'Europe/Berlin', at('2026-03-29T01:00:00Z'), 32)).toBe(at('2026-03-29T01:00:00Z'));
    // Nothing within the lookback.
    expect(latestStart(cron('0 0 29 2 *'), 'UTC', at('2026-06-01T00:00:00Z'), 32)).toBeUndefined();
    expect(localTime(at('2026-07-01T22:30:00Z'), 'America/New_York')).toMatchObject({ y: 2026, mo: 7, d: 1, h: 18, mi: 30 });
    expect(zonedToUtc(2026, 7, 1, 18, 30, 'America/New_York')).toBe(at('2026-07-01T22:30:00Z'));
  });
});

describe('general_settings.maintenance_windows', () => {
  it('a fixed window covers its deployments from start until end, in its time zone', () => {
    const { cal, d } = calendar('    - { name: upgrade, start: "2026-12-01 02:00", end: "2026-12-01T04:00:00", timezone: Europe/Berlin, model_names: [gpt] }\n');
    expect(cal.covering(d('gpt'), at('2026-12-01T00:59:59Z'))).toBeUndefined();
    expect(cal.covering(d('gpt'), at('2026-12-01T01:00:00Z'))).toEqual({ name: 'upgrade', until: at('2026-12-01T03:00:00Z') });
    expect(cal.covering(d('gpt'), at('2026-12-01T03:00:00Z'))).toBeUndefined();
    expect(cal.covering(d('claude'), at('2026-12-01T02:00:00Z'))).toBeUndefined();
    expect(cal.lastEnded(d('gpt'), at('2026-12-01T05:00:00Z'))).toBe(at('2026-12-01T03:00:00Z'));
    expect(cal.overlaps(d('gpt'), at('2026-12-01T00:00:00Z'), at('2026-12-01T01:00:00Z'))).toBe(false);
    expect(cal.overlaps(d('gpt'), at('2026-12-01T02:00:00Z'), at('2026-12-01T03:00:00Z'))).toBe(true);
    expect(cal.scopes(d('claude'))).toBe(false);
  });

  it('a scheduled window recurs with its duration; without model_names it covers every deployment', () => {
    const { cal, d } = calendar('    - { name: nightly, schedule: "30 1 * * *", duration: 1h30m }\n');
    expect(cal.covering(d('claude'), at('2026-05-05T01:29:59Z'))).toBeUndefined();
    expect(cal.covering(d('claude'), at('2026-05-05T02:59:59Z'))).toEqual({ name: 'nightly', until: at('2026-05-05T03:00:00Z') });
    expect(cal.covering(d('gpt'), at('2026-05-05T03:00:00Z'))).toBeUndefined();
    expect(cal.activeKey(at('2026-05-05T02:00:00Z'))).not.toBe(cal.activeKey(at('2026-05-05T04:00:00Z')));
  });

  it('names the key of every mistake, and never quotes a value', () => {
    expect(configErrors('    - { schedule: "0 3 * * *" }\n')).toEqual([expect.stringMatching(/^general_settings\.maintenance_windows\[0\]\.duration: /)]);
    expect(configErrors('    - { start: "2026-12-01T04:00:00Z", end: "2026-12-01T02:00:00Z" }\n')).toEqual(['general_settings.maintenance_windows[0].end: must be after start']);
    expect(configErrors('    - { start: "tomorrow", end: "2026-12-01T02:00:00Z" }\n')[0]).toMatch(/maintenance_windows\[0\]\.start: needs a start/);
    expect(configErrors('    - { schedule: "0 25 * * *", duration: 60 }\n')).toEqual(['general_settings.maintenance_windows[0].schedule: hour: "25" is outside 0-23']);
    expect(configErrors('    - { schedule: "@daily", duration: 2h, timezone: Mars/Olympus }\n')[0]).toMatch(/maintenance_windows\[0\]\.timezone: unknown time zone/);
    expect(configErrors('    - { schedule: "@daily", duration: 2h, model_name: [gpt] }\n')[0]).toMatch(/maintenance_windows\[0\]/);
    expect(configErrors('    - { model_names: [gpt] }\n')).toEqual(['general_settings.maintenance_windows[0]: give either start and end, or schedule and duration']);
  });
});
