import type { HealthEntry, HealthReport } from '../views/health-report.js';

/**
 * Characters a terminal acts on instead of printing: C0 and C1 controls (ESC sequences, BEL),
 * DEL, and the bidirectional overrides that reorder what is shown (U+202E). Text from upstreams
 * and configs reaches the CLI's output, so none of them may pass raw.
 */
// Beyond C0 (which JSON.stringify already escapes inside strings): DEL, C1 and bidi controls.
const NON_C0_CONTROLS = '\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const TERMINAL_CONTROLS = new RegExp(`[\\u0000-\\u001f${NON_C0_CONTROLS}]`, 'g');
const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `text` with every terminal control shown as a visible \uXXXX escape. */
export function printable(text: string): string {
  return text.replace(TERMINAL_CONTROLS, escaped);
}

/** JSON for a terminal: the controls JSON.stringify leaves raw become \u escapes (the same JSON); its own newlines stay. */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(new RegExp(`[${NON_C0_CONTROLS}]`, 'g'), escaped);
}

/** A human table of a /health answer, one row per deployment, unhealthy first. */
export function formatHealthTable(report: HealthReport): string {
  const rows: string[][] = [['STATUS', 'MODEL_NAME', 'MODEL', 'MODEL_ID', 'ERROR']];
  const row = (status: string, e: HealthEntry) => [
    status,
    String(e.model_name ?? ''),
    String(e.model ?? ''),
    String(e.model_id ?? '').slice(0, 12),
    e.error !== undefined ? String(e.error).replace(/\s+/g, ' ').slice(0, 100) : e.exception_status !== undefined ? `status ${String(e.exception_status)}` : '',
  ].map(printable);
  for (const e of report.unhealthy_endpoints) rows.push(row('UNHEALTHY', e));
  // An exporter older than pending entries answers without them.
  for (const e of report.pending_endpoints ?? []) rows.push(row('PENDING', e));
  for (const e of report.healthy_endpoints) rows.push(row('healthy', e));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.push('', `${report.healthy_count} healthy, ${report.unhealthy_count} unhealthy${report.pending_count ? `, ${report.pending_count} pending (not checked yet)` : ''}`);
  return lines.join('\n');
}
