import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { buildSnapshot } from '../src/config/snapshot.js';
import type { Connections } from '../src/providers/agents.js';
import { prepare } from '../src/providers/prepared.js';
import { MemoryStore } from '../src/store/memory.js';
import { DeploymentSeries } from '../src/telemetry/deployment-series.js';
import { snapshotMetricSource } from '../src/telemetry/snapshot-source.js';

// %HaveSameMap: whether V8 gave two objects one hidden class. Copies made by spreading
// (`{ ...base, window }`, `Object.freeze({ ...headers })`) got one each past a few dozen
// deployments: ~250 bytes of map and descriptors apiece, ~25 MB of heap at 10,000 deployments.
setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const yaml = (n: number) => `model_list:\n${Array.from({ length: n }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "https://h${i}.example/v1", api_key: sk-x }\n    model_info: { id: d${i} }\n`).join('')}general_settings:\n  background_health_checks: true\n`;

describe('objects kept per deployment', () => {
  it('series labels: one hidden class per label set across deployments', () => {
    const s = buildSnapshot(parseConfig(yaml(3), 'm.yaml', {}), 0);
    const store = new MemoryStore(10);
    const now = Date.now();
    for (const d of s.deployments) {
      store.set({ deploymentId: d.id, healthy: true, startedAt: now - 60_000, checkedAt: now - 30_000, latencyMs: 5, headers: {}, spend: { usage: { inputTokens: 8, outputTokens: 1 }, costUsd: null } });
      store.set({ deploymentId: d.id, healthy: false, errorType: 'server_error', error: 'no', status: 503, startedAt: now - 10, checkedAt: now, latencyMs: 5, headers: {}, spend: { usage: { inputTokens: 8, outputTokens: 1 }, costUsd: null } });
    }
    const byKeys = new Map<string, object[]>();
    const series = new DeploymentSeries(snapshotMetricSource(() => s, store));
    series.walk(s.deployments, now, {
      series: (_family, i, labels) => {
        // The objects the OTel producer hands on (the /metrics text keeps none of them).
        const attributes = series.attributesOf(s.deployments, i, labels);
        const keys = Object.keys(attributes).join(',') + (attributes.window ? `:${String(attributes.window)}` : '') + (attributes.direction ? `:${String(attributes.direction)}` : '') + (attributes.error_type !== undefined ? `:${String(attributes.error_type)}` : '');
        const seen = byKeys.get(keys) ?? [];
        if (!seen.includes(attributes)) seen.push(attributes);
        byKeys.set(keys, seen);
      },
    });
    const labelSets = [...byKeys.keys()];
    // The base labels, each uptime window, both directions and both outcomes were walked.
    expect(labelSets.some((k) => k.includes(',window:'))).toBe(true);
    expect(labelSets.some((k) => k.includes(',direction:'))).toBe(true);
    expect(labelSets.some((k) => k.includes(',error_type:server_error'))).toBe(true);
    for (const [keys, objects] of byKeys) {
      expect(objects, keys).toHaveLength(3);
      expect([haveSameMap(objects[0]!, objects[1]!), haveSameMap(objects[0]!, objects[2]!)], keys).toEqual([true, true]);
    }
  });

  it('prices and prepared request headers: one hidden class across deployments', () => {
    const s = buildSnapshot(parseConfig(yaml(60), 'm.yaml', {}), 0);
    const [first, ...rest] = s.deployments;
    expect(rest.filter((d) => !haveSameMap(first!.prices, d.prices)).map((d) => d.id)).toEqual([]);
    const headersOf = (i: number) => {
      const wire = { method: 'POST' as const, url: new URL(`https://h${i}.example/v1/chat/completions`), headers: { accept: 'application/json', authorization: `Bearer sk-${i}`, 'openai-organization': `org-${i}`, 'content-type': 'application/json' }, body: '{}' };
      return prepare(s.deployments[i]!, 'chat', {}, wire, undefined, {} as Connections)!.headers;
    };
    const headers = s.deployments.map((_, i) => headersOf(i));
    expect(headers.flatMap((h, i) => (haveSameMap(headers[0]!, h) ? [] : [i]))).toEqual([]);
    expect(headers[7]).toEqual({ accept: 'application/json', authorization: 'Bearer sk-7', 'openai-organization': 'org-7', 'content-type': 'application/json' });
    expect(Object.isFrozen(headers[7])).toBe(true);
  });
});
