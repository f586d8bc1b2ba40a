import type { HealthEntry, HealthReport } from '../views/health-report.js';

/** A human table of a /health answer, one row per deployment, unhealthy first. */
export function formatHealthTable(report: HealthReport): string {
  const rows: string[][] = [['STATUS', 'MODEL_NAME', 'MODEL', 'MODEL_ID', 'ERROR']];
  const row = (status: string, e: HealthEntry) => [
    status,
    String(e.model_name ?? ''),
    String(e.model ?? ''),
    String(e.model_id ?? '').slice(0, 12),
    e.error !== undefined ? String(e.error).replace(/\s+/g, ' ').slice(0, 100) : e.exception_status !== undefined ? `status ${String(e.exception_status)}` : '',
  ];
  for (const e of report.unhealthy_endpoints) rows.push(row('UNHEALTHY', e));
  // An exporter older than pending entries answers without them.
  for (const e of report.pending_endpoints ?? []) rows.push(row('PENDING', e));
  for (const e of report.healthy_endpoints) rows.push(row('healthy', e));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.push('', `${report.healthy_count} healthy, ${report.unhealthy_count} unhealthy${report.pending_count ? `, ${report.pending_count} pending (not checked yet)` : ''}`);
  return lines.join('\n');
}
