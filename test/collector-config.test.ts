import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../src/core/meta.js';

/** No collector binary installs here, so this checks the file's wiring the way otelcol validates it. */
describe('otel-collector.yaml', () => {
  it('wires an OTLP receiver and a prometheus receiver through memory_limiter and batch to debug', async () => {
    const c = parse(await readFile(join(PACKAGE_ROOT, 'otel-collector.yaml'), 'utf8'));
    expect(Object.keys(c.receivers).sort()).toEqual(['otlp', 'prometheus']);
    expect(c.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    const job = c.receivers.prometheus.config.scrape_configs[0];
    expect(job.job_name).toBe('llm-health-exporter');
    expect(job.static_configs[0].targets).toEqual(['localhost:4000']);
    expect(Object.keys(c.exporters)).toEqual(['debug']);
    const { traces, metrics } = c.service.pipelines;
    expect(traces.receivers).toEqual(['otlp']);
    expect(metrics.receivers).toEqual(['otlp', 'prometheus']);
    for (const p of [traces, metrics]) {
      expect(p.processors[0]).toBe('memory_limiter'); // must come first
      expect(p.processors).toContain('batch');
      for (const name of [...p.receivers, ...p.processors, ...p.exporters]) {
        expect({ name, defined: name in { ...c.receivers, ...c.processors, ...c.exporters } }).toEqual({ name, defined: true });
      }
    }
  });

  it('keeps the prometheusremotewrite and otlphttp examples as comments', async () => {
    const text = await readFile(join(PACKAGE_ROOT, 'otel-collector.yaml'), 'utf8');
    expect(text).toMatch(/^\s*# prometheusremotewrite:/m);
    expect(text).toMatch(/^\s*# otlphttp:/m);
  });
});
