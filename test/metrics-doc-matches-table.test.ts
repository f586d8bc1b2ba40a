import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import {
  REGENERATE_COMMAND, alertRules, blockMarkers, generatedBlock, metricsDocBlocks, renderMetricsReference, withGeneratedBlocks,
} from '../src/telemetry/metrics-doc.js';
import { METRIC_LIST, prometheusLabelName } from '../src/telemetry/metrics.js';

const read = (path: string) => readFile(join(PACKAGE_ROOT, path), 'utf8');

describe('docs/metrics.md', () => {
  it('has the generated blocks as src/telemetry/metrics.ts and the alert rules render them', async () => {
    const doc = await read('docs/metrics.md');
    const blocks = metricsDocBlocks(await read('alerts/llm-health.rules.yml'));
    for (const [name, expected] of Object.entries(blocks)) {
      const actual = generatedBlock(doc, name);
      expect(actual, `docs/metrics.md has no "${name}" block: add the markers ${blockMarkers(name).start} … ${blockMarkers(name).end}`).toBeDefined();
      expect(actual, `docs/metrics.md's "${name}" block is out of date: run \`${REGENERATE_COMMAND}\` to regenerate it`).toBe(expected);
    }
  });

  it('explains every alert of the rules file with its real for-duration and severity', async () => {
    const doc = await read('docs/metrics.md');
    const rules = alertRules(await read('alerts/llm-health.rules.yml'));
    expect(rules).toHaveLength(8);
    const sections = [...doc.matchAll(/^### `(\w+)`$/gm)].map((m) => m[1]);
    expect(sections).toEqual(rules.map((r) => r.alert));
    for (const r of rules) {
      const section = doc.slice(doc.indexOf(`### \`${r.alert}\``)).split(/\n### /)[0]!;
      for (const part of ['**Means:**', '**Expression in words:**', '**What to do:**']) expect(section, r.alert).toContain(part);
      expect(section, r.alert).toContain(`**For / severity:** ${r.for}, \`${r.labels?.severity}\``);
    }
  });
});

describe('the metrics reference', () => {
  const reference = renderMetricsReference();

  it('has one row per metric with both names, type and unit, and every label explained', () => {
    for (const m of METRIC_LIST) {
      const row = reference.split('\n').find((line) => line.startsWith(`| \`${m.prometheus}\` |`));
      expect(row, m.prometheus).toBeDefined();
      expect(row).toContain(m.otlp ? `| \`${m.otlp}\` |` : '| — (the OTLP resource) |');
      expect(row).toContain(`| ${m.type} | ${m.unit ? `\`${m.unit}\`` : '—'} |`);
      for (const label of m.labels) {
        expect(reference).toContain(`| \`${prometheusLabelName(label.attribute)}\` | \`${label.attribute}\` |`);
      }
    }
  });

  it('escapes what would break a table row', () => {
    const text = renderMetricsReference([{
      prometheus: 'x', otlp: 'x', type: 'gauge', unit: '', emittedBy: 'exporter', help: 'a | b\nc', labels: [{ attribute: 'k', help: 'd|e' }],
    }]);
    expect(text).toContain('| a \\| b c |');
    expect(text).toContain('| d\\|e |');
  });
});

describe('generated blocks', () => {
  const { start, end } = blockMarkers('b');

  it('are replaced between their markers, leaving the prose around them', () => {
    const doc = `intro\n${start}\nold\n${end}\noutro\n`;
    const updated = withGeneratedBlocks(doc, { b: 'new\nlines' });
    expect(updated).toBe(`intro\n${start}\nnew\nlines\n${end}\noutro\n`);
    expect(generatedBlock(updated, 'b')).toBe('new\nlines');
    expect(withGeneratedBlocks(updated, { b: 'new\nlines' })).toBe(updated);
  });

  it('must have their markers', () => {
    expect(() => withGeneratedBlocks('no markers', { b: 'x' })).toThrow(start);
    expect(generatedBlock('no markers', 'b')).toBeUndefined();
  });
});
