import { parse } from 'yaml';
import { DEPLOYMENT_LABELS, METRIC_LIST, prometheusLabelName, type LabelSpec, type MetricSpec } from './metrics.js';

/**
 * The generated parts of docs/metrics.md: the metrics reference, rendered from the metrics table,
 * and the alert summary, rendered from alerts/llm-health.rules.yml. Pure functions of their
 * inputs; scripts/gen-docs.mjs writes them into the file, and a test checks the file is current.
 */

export const REGENERATE_COMMAND = 'npm run docs';

/** Each generated block of docs/metrics.md sits between the two markers of its name. */
export function blockMarkers(name: string): { start: string; end: string } {
  return { start: `<!-- generated: ${name} (${REGENERATE_COMMAND}; do not edit) -->`, end: `<!-- end generated: ${name} -->` };
}

const code = (s: string) => `\`${s}\``;
/** Table cells cannot hold '|' or line breaks. */
const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
const DEPLOYMENT_ATTRIBUTES = new Set<string>(DEPLOYMENT_LABELS.map((l) => l.attribute));

function labelsCell(m: MetricSpec): string {
  const attributes = m.labels.map((l) => l.attribute);
  const deployment = DEPLOYMENT_LABELS.every((l) => attributes.includes(l.attribute));
  const rest = m.labels.filter((l) => !deployment || !DEPLOYMENT_ATTRIBUTES.has(l.attribute)).map((l) => code(prometheusLabelName(l.attribute)));
  const parts = [...(deployment ? ['[deployment labels](#labels)'] : []), ...rest, ...(m.moreLabels ? [m.moreLabels] : [])];
  return parts.length ? parts.join(', ') : '—';
}

function helpCell(m: MetricSpec): string {
  const notes = [
    ...(m.onlyWhen ? [`Series: ${m.onlyWhen}.`] : []),
    ...(m.type === 'histogram' ? [`Buckets: ${m.buckets.join(', ')}.`] : []),
    ...(m.emittedBy === 'otel-library' ? ['Written by the OTel Prometheus exporter itself.'] : []),
  ];
  return [m.help, ...notes.map((n) => `<br>*${n}*`)].join('');
}

/** The metrics reference: one row per metric, then every label explained. */
export function renderMetricsReference(metrics: readonly MetricSpec[] = METRIC_LIST): string {
  const rows = metrics.map((m) => [
    code(m.prometheus), m.otlp ? code(m.otlp) : '— (the OTLP resource)', m.type, m.unit ? code(m.unit) : '—', labelsCell(m), helpCell(m),
  ].map(cell).join(' | '));

  const labels = new Map<string, { label: LabelSpec; on: string[] }>();
  for (const m of metrics) {
    for (const label of m.labels) {
      const seen = labels.get(label.attribute) ?? { label, on: [] };
      seen.on.push(m.prometheus);
      labels.set(label.attribute, seen);
    }
  }
  // The deployment labels first: most metrics carry them.
  const byDeploymentFirst = [...labels.values()].sort((a, b) => Number(DEPLOYMENT_ATTRIBUTES.has(b.label.attribute)) - Number(DEPLOYMENT_ATTRIBUTES.has(a.label.attribute)));
  const labelRows = byDeploymentFirst.map(({ label, on }) => [
    code(prometheusLabelName(label.attribute)),
    code(label.attribute),
    DEPLOYMENT_ATTRIBUTES.has(label.attribute) ? 'every per-deployment metric' : on.map(code).join(', '),
    label.help + (label.onlyWhen ? ` *Only when ${label.onlyWhen}.*` : ''),
  ].map(cell).join(' | '));

  return [
    '| Prometheus name | OTLP name | type | unit | labels | help |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
    '',
    '### Labels',
    '',
    `The deployment labels are ${DEPLOYMENT_LABELS.map((l) => code(l.attribute)).join(', ')}; they identify one entry of \`model_list\`.`,
    '',
    '| Prometheus label | OTLP attribute | on | meaning |',
    '|---|---|---|---|',
    ...labelRows.map((r) => `| ${r} |`),
  ].join('\n');
}

interface AlertRule { alert: string; expr: string; for?: string; labels?: { severity?: string } }

/** The alert rules file as a table: alert, severity, for, expression. */
export function renderAlertSummary(rulesYaml: string): string {
  const rules = alertRules(rulesYaml);
  return [
    '| alert | severity | for | expression |',
    '|---|---|---|---|',
    ...rules.map((r) => `| ${[`[${code(r.alert)}](#${r.alert.toLowerCase()})`, r.labels?.severity ?? '—', r.for ?? '—', code(r.expr.trim())].map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The alerting rules of a Prometheus rules file, in file order. */
export function alertRules(rulesYaml: string): AlertRule[] {
  const doc = parse(rulesYaml) as { groups: Array<{ rules: Array<Partial<AlertRule>> }> };
  return doc.groups.flatMap((g) => g.rules).filter((r): r is AlertRule => typeof r.alert === 'string');
}

/** docs/metrics.md's generated blocks, by name. */
export function metricsDocBlocks(rulesYaml: string): Record<string, string> {
  return { 'metrics table': renderMetricsReference(), 'alert summary': renderAlertSummary(rulesYaml) };
}

/** The text between a block's markers, or undefined when the markers are missing. */
export function generatedBlock(doc: string, name: string): string | undefined {
  const { start, end } = blockMarkers(name);
  const from = doc.indexOf(start);
  const to = doc.indexOf(end, from);
  if (from < 0 || to < 0) return undefined;
  return doc.slice(from + start.length, to).replace(/^\n/, '').replace(/\n$/, '');
}

/** The document with each named block's content replaced (the markers must be there). */
export function withGeneratedBlocks(doc: string, blocks: Record<string, string>): string {
  let out = doc;
  for (const [name, content] of Object.entries(blocks)) {
    const { start, end } = blockMarkers(name);
    const from = out.indexOf(start);
    const to = out.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`no "${start}" … "${end}" markers in the document`);
    out = `${out.slice(0, from + start.length)}\n${content}\n${out.slice(to)}`;
  }
  return out;
}
