import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/core/result.js';
import { healthEntrySchema, healthReportSchema } from '../../src/server/routes/health.js';
import { HealthBody, type BodyParts, type EntrySerializer } from '../../src/views/health-body.js';
import { healthAnswer, selectHealthTargets } from '../../src/views/health.js';
import { result, viewsOf } from './support.js';
import { prng } from '../support/prng.js';

const T = Date.parse('2026-11-30T12:00:00Z');

/** The /health route's own serialisers: the whole report (200 schema) and one entry. */
let serializeReport: (body: unknown) => string;
let serializeEntry: EntrySerializer;
beforeAll(async () => {
  const app = Fastify();
  app.get('/', { schema: { response: { 200: healthReportSchema } } }, (_req, reply) => {
    serializeReport = reply.getSerializationFunction('200') as typeof serializeReport;
    serializeEntry = reply.compileSerializationSchema(healthEntrySchema) as EntrySerializer;
    return reply.send({});
  });
  await app.inject('/');
  await app.close();
});

/** A body's pieces joined, as the client receives them; the length it announces must match. */
function text(b: BodyParts): string {
  const joined = Buffer.concat(b.parts);
  expect(joined.length).toBe(b.length);
  return joined.toString();
}

/** What the route served before entries were cached: the whole answer, serialised at once. */
function fromScratch(v: ReturnType<typeof viewsOf>, now: number): string {
  const sel = selectHealthTargets(v.s, {});
  if ('notFound' in sel) throw new Error('no targets');
  return serializeReport(healthAnswer(v.s, v.store, now, sel).body);
}

const ids = Array.from({ length: 9 }, (_, i) => `d${i}`);
/** `plain`: no strategy router and no maintenance window (answers then follow the store's change list). */
function config(details: boolean, plain = false) {
  const list = ids.map((id, i) => `  - model_name: ${i === 8 ? 'maint' : i === 4 ? 'g1-ünï-模型' : `g${i % 3}`}\n    litellm_params: { model: openai/gpt-4o, api_base: "https://h${i}.example/v1?key=querysecret", api_key: sk-canary-${i} }\n    model_info: { id: ${id}${i === 7 ? ', disable_background_health_check: true' : ''} }\n`).join('');
  const router = '  - model_name: auto\n    litellm_params:\n      model: auto_router/complexity_router\n      complexity_router_config: { tiers: { SIMPLE: g0, COMPLEX: g1 } }\n    model_info: { id: router }\n';
  const windows = plain ? '' : `  maintenance_windows:
    - { name: upgrade, start: "${new Date(T + 100_000).toISOString()}", end: "${new Date(T + 160_000).toISOString()}", model_names: [maint] }
`;
  return `model_list:\n${list}${plain ? '' : router}general_settings:
  background_health_checks: true
  health_check_interval: 60
  health_check_details: ${details}
  health_check_staleness_threshold: 90
  health_check_latency_threshold: 2
  health_check_failure_threshold: 2
${windows}`;
}


function randomResult(rand: () => number, id: string, now: number, prev: ProbeResult | undefined): ProbeResult {
  const healthy = rand() < 0.6;
  const failures = healthy ? 0 : (prev?.consecutiveFailures ?? 0) + 1;
  const extra: Partial<ProbeResult> = {
    latencyMs: Math.round(rand() * 4000) / 1.7,
    consecutiveFailures: failures,
    verdict: healthy ? 'healthy' : failures >= 2 ? 'unhealthy' : 'pending',
    ...(rand() < 0.2 ? { restored: true } : {}),
    ...(rand() < 0.3 ? { headers: { 'x-ratelimit-remaining-requests': String(Math.floor(rand() * 100)) } } : {}),
    ...(rand() < 0.2 ? { details: { note: 'a "quoted"\nline, ünï 模型 🙂', n: 3 } } : {}),
  };
  return result(id, now - Math.floor(rand() * 5000), healthy, extra);
}

describe('the /health body kept entry by entry', () => {
  for (const [details, plain] of [[true, false], [false, false], [true, true], [false, true]] as const) {
    it(`equals the from-scratch answer after every step of random probe sequences (details ${details}${plain ? ', no router or window' : ''})`, () => {
      for (let seed = 1; seed <= 30; seed++) {
        const rand = prng(seed);
        const v = viewsOf(config(details, plain));
        const body = new HealthBody(serializeEntry);
        let now = T;
        for (let step = 0; step < 60; step++) {
          const x = rand();
          if (x < 0.45) {
            const id = ids[Math.floor(rand() * ids.length)]!;
            v.store.set(randomResult(rand, id, now, v.store.get(id)));
          } else if (x < 0.5) {
            v.store.delete(ids[Math.floor(rand() * ids.length)]!);
          } else if (x < 0.8) {
            // Small steps cross the age and staleness edges to the millisecond, large ones cross windows.
            now += rand() < 0.5 ? Math.floor(rand() * 1500) : Math.floor(rand() * 60_000);
          }
          const got = text(body.body(v.s, v.store, now));
          expect(got, `seed ${seed}, step ${step}`).toBe(fromScratch(v, now));
        }
        for (const secret of ['sk-canary', 'querysecret']) expect(text(body.body(v.s, v.store, now))).not.toContain(secret);
      }
    });
  }

  it('follows a config reload, and agrees at the exact instant a result turns stale and its shown age ticks', () => {
    const v = viewsOf(config(true));
    const body = new HealthBody(serializeEntry);
    v.store.set(result('d0', T, true));
    for (const dt of [0, 90_000, 90_001, 90_499, 90_500, 91_499, 91_500]) {
      expect(text(body.body(v.s, v.store, T + dt)), `+${dt} ms`).toBe(fromScratch(v, T + dt));
    }
    const reloaded = { ...viewsOf(config(false)), store: v.store };
    expect(text(body.body(reloaded.s, v.store, T))).toBe(fromScratch(reloaded, T));
  });

  it('re-renders only the entry whose result landed, and serves the same bytes while nothing changed', () => {
    const v = viewsOf(config(true, true));
    const rendered: string[] = [];
    const body = new HealthBody((e) => { rendered.push(String(e.model_id)); return serializeEntry(e); });
    for (const id of ids) v.store.set(result(id, T, true));
    const first = body.body(v.s, v.store, T + 1000);
    expect(rendered).toHaveLength(ids.length);
    rendered.length = 0;
    expect(body.body(v.s, v.store, T + 2000)).toBe(first);
    expect(rendered).toEqual([]);
    v.store.set(result('d3', T + 2000, false));
    const next = body.body(v.s, v.store, T + 2500);
    expect(rendered).toEqual(['d3']);
    expect(JSON.parse(text(next))).toMatchObject({ healthy_count: ids.length - 1, unhealthy_count: 1 });
    expect(text(next)).toBe(fromScratch(v, T + 2500));
  });
});

describe('the store says which entries changed', () => {
  it('lists the ids set or deleted since a version, and nothing it no longer knows', () => {
    const v = viewsOf(config(true));
    const from = v.store.version;
    v.store.set(result('d1', T, true));
    v.store.set(result('d2', T, true));
    v.store.delete('d1');
    expect(v.store.changedSince(from)).toEqual(['d1', 'd2', 'd1']);
    expect(v.store.changedSince(v.store.version)).toEqual([]);
    const before = v.store.version;
    for (let i = 0; i < 5000; i++) v.store.set(result('d3', T + i, true));
    expect(v.store.changedSince(before)).toBeUndefined(); // too far behind: read every entry
    v.store.historySize = 3; // every entry changes
    expect(v.store.changedSince(v.store.version - 1)).toBeUndefined();
  });

  it('keeps the body right when more changes landed than the store remembers', () => {
    const v = viewsOf(config(true));
    const body = new HealthBody(serializeEntry);
    body.body(v.s, v.store, T);
    for (let i = 0; i < 5000; i++) v.store.set(result(ids[i % ids.length]!, T + i, i % 7 !== 0));
    expect(text(body.body(v.s, v.store, T + 5000))).toBe(fromScratch(v, T + 5000));
  });
});
