import type { App } from '../app.js';
import type { HealthReport } from '../views/health-report.js';
import type { ProbeReport } from '../views/probe.js';
import { formatHealthTable, printable, printableJson } from './format.js';

/**
 * `--probe MODEL_ID [--debug] [--json]`: one probe of one deployment, now, as GET /health/probe
 * makes it; with --debug, the redacted trace of its requests. MODEL_ID may be the 12-character
 * prefix the tables show. Exit 0 healthy, 1 not, 2 no such deployment (or no trace allowed).
 */
export async function probeCommand(app: App, asked: string, o: { debug: boolean; json: boolean }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const ids = app.deployments.map((d) => d.id);
  const matches = ids.includes(asked) ? [asked] : ids.filter((id) => id.startsWith(asked));
  if (matches.length !== 1) {
    err.write(`--probe: ${matches.length ? `"${printable(asked)}" is the start of ${matches.length} model_ids; give more of it` : `no deployment with model_id "${printable(asked)}"`}\n`);
    return 2;
  }
  const answer = await app.onDemand.probe({ model_id: matches[0]!, debug: o.debug });
  if (!('model_id' in answer.body)) {
    err.write(`--probe: ${printable(answer.body.error.message)}\n`);
    return 2;
  }
  const report = answer.body;
  out.write(`${o.json ? printableJson(report) : formatProbe(report)}\n`);
  return report.status === 'healthy' ? 0 : 1;
}

/** The probe's /health entry as the one row of a table, then each traced request. */
export function formatProbe(r: ProbeReport): string {
  const one: HealthReport = {
    healthy_endpoints: r.status === 'healthy' ? [r.result] : [],
    unhealthy_endpoints: r.status === 'unhealthy' ? [r.result] : [],
    pending_endpoints: r.status === 'pending' ? [r.result] : [],
    healthy_count: Number(r.status === 'healthy'),
    unhealthy_count: Number(r.status === 'unhealthy'),
    pending_count: Number(r.status === 'pending'),
  };
  const lines = formatHealthTable(one).split('\n').slice(0, 2);
  if (r.result.degraded) lines.push(`degraded: slower than its health_check_latency_threshold (${String(r.result.latency_ms ?? '?')} ms)`);
  if (r.note) lines.push(r.note);
  for (const c of r.trace?.requests ?? []) lines.push('', ...formatCall(c));
  return lines.map(printable).join('\n');
}

function formatCall(c: Record<string, any>): string[] {
  const lines = [`${c.method} ${c.url}${c.query ? `?${c.query}` : ''}`];
  const conn = c.connection;
  if (conn) {
    const tls = conn.tls ? `, ${conn.tls.version ?? 'TLS'}, certificate ${conn.tls.subject ?? '?'} (issuer ${conn.tls.issuer ?? '?'}) expires ${conn.tls.cert_expires_at ?? '?'} (in ${conn.tls.cert_expires_in_days ?? '?'} days)` : '';
    lines.push(`  connected to ${conn.remote_address ?? '?'}:${conn.remote_port ?? '?'}${tls}`);
  }
  for (const [k, v] of Object.entries(c.request_headers ?? {})) lines.push(`  > ${k}: ${String(v)}`);
  if (c.status !== undefined) lines.push(`  < ${c.status}`);
  for (const [k, v] of Object.entries(c.response_headers ?? {})) lines.push(`  < ${k}: ${String(v)}`);
  if (c.body !== undefined) lines.push(`  body (${c.body_bytes} bytes${c.body_truncated ? ', first 1 KB shown' : ''}): ${String(c.body).replace(/\s*\n\s*/g, ' ')}`);
  const t = c.timings_ms ?? {};
  const names: Array<[string, string]> = [['dns', 'dns'], ['connect', 'connect'], ['tls', 'tls'], ['first_byte', 'first byte'], ['total', 'total']];
  lines.push(`  timings: ${names.filter(([k]) => t[k] !== undefined).map(([k, label]) => `${label} ${t[k]} ms`).join(', ')}`);
  if (c.error) lines.push(`  error: ${c.error}`);
  return lines;
}
