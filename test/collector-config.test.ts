import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { otlpSettings } from '../src/telemetry/otlp-settings.js';

const read = () => readFile(join(PACKAGE_ROOT, 'otel-collector.yaml'), 'utf8');

/** The commented-out block that starts with `#   <name>:` at `indent`, uncommented (the comment's own indent kept). */
function commentedBlock(text: string, name: string, indent: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `${indent}# ${name}:`);
  expect(start, `a commented "${name}:" block`).toBeGreaterThanOrEqual(0);
  const block: string[] = [];
  for (const l of lines.slice(start)) {
    if (!l.startsWith(`${indent}#`)) break;
    block.push(l.slice(indent.length + 2));
  }
  return block.join('\n');
}

/**
 * No collector binary installs here, so this checks the file's wiring the way otelcol validates
 * it: one way in for metrics (OTLP), the other (scraping /metrics) described and kept valid as a
 * commented alternative, never both at once.
 */
describe('otel-collector.yaml', () => {
  it('takes metrics and traces by OTLP only, through memory_limiter and batch to debug', async () => {
    const c = parse(await read());
    expect(Object.keys(c.receivers)).toEqual(['otlp']);
    expect(c.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(Object.keys(c.exporters)).toEqual(['debug']);
    const { traces, metrics } = c.service.pipelines;
    expect(traces.receivers).toEqual(['otlp']);
    expect(metrics.receivers).toEqual(['otlp']);
    for (const p of [traces, metrics]) {
      expect(p.processors[0]).toBe('memory_limiter'); // must come first
      expect(p.processors).toContain('batch');
      for (const name of [...p.receivers, ...p.processors, ...p.exporters]) {
        expect({ name, defined: name in { ...c.receivers, ...c.processors, ...c.exporters } }).toEqual({ name, defined: true });
      }
    }
  });

  it('says so in its header, and how to switch to the alternative', async () => {
    const header = (await read()).split('\nreceivers:')[0]!;
    expect(header).toContain('One way in: OTLP');
    expect(header).toContain('never both');
    expect(header).toContain('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  });

  it('keeps the alternative, a prometheus receiver scraping the exporter, valid once uncommented', async () => {
    const receiver = parse(commentedBlock(await read(), 'prometheus', '  ')).prometheus;
    const job = receiver.config.scrape_configs[0];
    expect(job.job_name).toBe('llm-health-exporter'); // the alert rules' job
    expect(job.static_configs[0].targets).toEqual(['localhost:4000']);
  });

  it('the switch it describes sends traces only: with just the traces endpoint no metric is pushed', () => {
    const s = otlpSettings({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, () => {});
    expect(s).toMatchObject({ tracesUrl: 'http://collector:4318/v1/traces', metricsUrl: undefined });
  });

  it('keeps the prometheusremotewrite and otlphttp examples as comments', async () => {
    const text = await read();
    expect(parse(commentedBlock(text, 'prometheusremotewrite', '  ')).prometheusremotewrite.endpoint).toMatch(/\/api\/v1\/write$/);
    expect(text).toMatch(/^\s*# otlphttp:/m);
  });
});
