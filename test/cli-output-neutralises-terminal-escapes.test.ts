import { describe, expect, it } from 'vitest';
import { formatHealthTable, printable, printableJson } from '../src/cli/format.js';
import type { HealthReport } from '../src/views/health-report.js';

/** Issue 16, item 11: an upstream error with ESC sequences, BEL or U+202E was printed raw by --once and --health. */
const hostile = 'boom \u001b[2J\u001b[31mred\u0007 \u202egnp.exe \u009b31m';
const report: HealthReport = {
  healthy_endpoints: [],
  unhealthy_endpoints: [{ model: 'openai/x\u001b]0;title\u0007', model_id: 'id', model_name: 'm', error: hostile, exception_status: 500 }],
  pending_endpoints: [],
  healthy_count: 0,
  unhealthy_count: 1,
  pending_count: 0,
};
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('CLI output', () => {
  it('shows terminal controls as visible escapes in the table', () => {
    const table = formatHealthTable(report);
    expect(table).not.toMatch(RAW_CONTROL);
    expect(table).toContain('\\u001b[2J');
    expect(table).toContain('\\u202e');
    expect(table).toContain('\\u0007');
  });

  it('keeps --json valid JSON with the same values, and no raw control in it', () => {
    const text = printableJson(report);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(text)).toEqual(report);
  });

  it('leaves ordinary text, including non-Latin scripts, as it is', () => {
    expect(printable('gpt-4o — 東京 región')).toBe('gpt-4o — 東京 región');
  });
});
