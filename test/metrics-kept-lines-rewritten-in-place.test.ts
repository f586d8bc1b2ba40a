import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { buildSnapshot } from '../src/config/snapshot.js';
import { MemoryStore } from '../src/store/memory.js';
import { snapshotMetricSource } from '../src/telemetry/snapshot-source.js';
import { Telemetry } from '../src/telemetry/telemetry.js';
import { serveMetricsAnswer as scrape, type MetricsAnswer as Answer } from './support/metrics-answer.js';

const T = Date.parse('2026-12-02T12:00:00Z');
const N = 256;

const yaml = Array.from({ length: N }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "https://h${i % 3}.example/v1", api_key: sk-${i} }\n    model_info: { id: d${i} }\n`).join('');

describe('/metrics lines kept between scrapes', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['Date'] }); vi.setSystemTime(T); });
  afterEach(() => { vi.useRealTimers(); });
  const library = new PrometheusSerializer(undefined, false, undefined, false, true);

  it('are rewritten in their own memory once no earlier answer can hold them, and never under an answer still being sent', async () => {
    const s = buildSnapshot(parseConfig(`model_list:\n${yaml}general_settings:\n  background_health_checks: true\n  health_check_interval: 60\n`, 'm.yaml', {}), 0);
    const store = new MemoryStore(10);
    const telemetry = new Telemetry({ ...snapshotMetricSource(() => s, store), env: {} });
    let at = T;
    const probe = (i: number, latencyMs: number) => {
      at += 10;
      vi.setSystemTime(at);
      const r = { deploymentId: `d${i}`, healthy: true, startedAt: at - latencyMs, checkedAt: at, latencyMs, headers: {} };
      store.set(r);
      telemetry.recordProbe(s.byId.get(`d${i}`)!, r);
    };
    const checked = async () => {
      const answer = await scrape(telemetry);
      expect(answer.text()).toBe(library.serialize((await telemetry.prometheus.collect()).resourceMetrics));
      return answer;
    };
    const memoryOf = (answers: Answer[]) => new Set(answers.flatMap((a) => a.parts.map((p) => p.buffer)));

    for (let i = 0; i < N; i++) probe(i, 100 + i);
    // Written, then kept: the second scrape keeps every block it did not change.
    const first = await checked();
    first.close();
    const kept = await checked();
    kept.close();
    // d0's lines change (its block re-renders into the answer), then stay: kept again.
    probe(0, 5000);
    const changed = await checked();
    changed.close();
    const rekept = await checked();
    rekept.close();
    expect(rekept.text()).toContain('model_id="d0"');
    const before = memoryOf([kept, changed]);
    // Every segment of the answer lies in memory the two before it used: nothing new was allocated.
    expect(rekept.parts.filter((p) => !before.has(p.buffer))).toEqual([]);

    // An answer not yet sent holds its kept blocks: later scrapes must not write over them.
    const held = await checked();
    const heldText = held.text();
    probe(1, 7000);
    (await checked()).close();
    const after = await checked();
    after.close();
    expect(Buffer.concat(held.parts).toString()).toBe(heldText);
    // The block kept while `held` was open went to new memory.
    expect(after.parts.some((p) => !memoryOf([held]).has(p.buffer))).toBe(true);
    held.close();
    await telemetry.shutdown();
  });

  it('a block that changed is written into the memory it was kept in, not beside it in the answer', async () => {
    const s = buildSnapshot(parseConfig(`model_list:\n${yaml}general_settings:\n  background_health_checks: true\n  health_check_interval: 60\n`, 'm.yaml', {}), 0);
    const store = new MemoryStore(10);
    const telemetry = new Telemetry({ ...snapshotMetricSource(() => s, store), env: {} });
    const set = (i: number, latencyMs: number) => store.set({ deploymentId: `d${i}`, healthy: true, startedAt: T - latencyMs, checkedAt: T, latencyMs, headers: {} });
    for (let i = 0; i < N; i++) set(i, 100 + i);
    const scrapeChecked = async () => {
      const answer = await scrape(telemetry);
      expect(answer.text()).toBe(library.serialize((await telemetry.prometheus.collect()).resourceMetrics));
      answer.close();
      return answer;
    };
    const durationOfD0 = (a: Answer, seconds: string) => a.parts.find((p) => p.toString().includes(`llm_deployment_probe_duration_seconds{model_name="m0",model_id="d0"`) && p.toString().includes(`} ${seconds}\n`));
    await scrapeChecked();
    const kept = await scrapeChecked();
    const keptBlock = durationOfD0(kept, '0.1');
    expect(keptBlock).toBeDefined();
    set(0, 5000);
    const changed = await scrapeChecked();
    const changedBlock = durationOfD0(changed, '5');
    // The same memory, rewritten: its own segment, not a copy in the answer's chunks.
    expect(changedBlock?.buffer).toBe(keptBlock!.buffer);
    expect(changedBlock!.toString().startsWith('llm_deployment_probe_duration_seconds{')).toBe(true);
    await telemetry.shutdown();
  });
});
