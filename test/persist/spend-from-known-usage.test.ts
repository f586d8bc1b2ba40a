import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf, usageOf } from '../../src/core/usage.js';
import { parseFleetRecord } from '../../src/fleet/record.js';
import { SPEND_DAYS, SpendLedger } from '../../src/store/spend.js';
import { exporterForTest } from '../support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { startFakeAnthropic } from '../support/fake-anthropic.js';
import { startFakeCohere } from '../support/fake-cohere.js';
import { startFakeGemini } from '../support/fake-gemini.js';
import { byName, parsePromText } from '../support/prom-text.js';
import { waitFor } from '../support/tools.js';

/** Every chat answer of the fake says: 9 prompt tokens, 16 completion tokens (max_tokens 16 spent). */
const USAGE = { prompt_tokens: 9, completion_tokens: 16 };
/** LiteLLM's table: gpt-4o-mini at $0.15 / $0.60 per million tokens. */
const MINI = 9 * 0.15e-6 + 16 * 0.6e-6;

let up: FakeUpstream;
beforeAll(async () => { up = await startFakeUpstream({ usage: USAGE }); });
afterAll(async () => { await up.close(); });

describe('usage and cost of one call (pure)', () => {
  it('reads each unit from the answer (or what was sent) and prices it like LiteLLM', () => {
    const chat = usageOf('chat', {}, { usage: { prompt_tokens: 9, completion_tokens: 16 } })!;
    expect(chat).toEqual({ inputTokens: 9, outputTokens: 16 });
    expect(costOf(chat, { input_cost_per_token: 1.5e-7, output_cost_per_token: 6e-7 })).toBeCloseTo(MINI, 15);
    expect(costOf(usageOf('responses', {}, { usage: { input_tokens: 3, output_tokens: 5 } })!, { input_cost_per_token: 1, output_cost_per_token: 2 })).toBe(13);
    const image = usageOf('image_generation', { size: '256x256' }, { data: [{ url: 'x' }] })!;
    expect(costOf(image, { input_cost_per_pixel: 2.4414e-7, output_cost_per_pixel: 0 })).toBeCloseTo(65_536 * 2.4414e-7, 12);
    expect(costOf(image, { output_cost_per_image: 0.04 })).toBe(0.04);
    expect(costOf(usageOf('audio_speech', { input: 'ping' }, undefined)!, { input_cost_per_character: 0.000015 })).toBeCloseTo(4 * 0.000015, 15);
    expect(costOf(usageOf('audio_transcription', new FormData(), { text: 'x', usage: { type: 'duration', seconds: 2 } })!, { input_cost_per_second: 0.0001 })).toBeCloseTo(0.0002, 15);
    expect(costOf(usageOf('rerank', {}, { meta: { billed_units: { search_units: 1 } } })!, { input_cost_per_query: 0.002 })).toBe(0.002);
    expect(costOf(usageOf('ocr', {}, { usage_info: { pages_processed: 1 } })!, { ocr_cost_per_page: 0.001 })).toBe(0.001);
    expect(costOf(usageOf('models_list', undefined, { data: [] })!, {})).toBe(0);
  });

  it('goes to the UTC day of each probe, across midnight and out of order, keeping 31 days', () => {
    const l = new SpendLedger();
    const midnight = Date.UTC(2026, 10, 30);
    const s = { usage: { inputTokens: 1, outputTokens: 2 }, costUsd: 0.5 };
    l.add(midnight - 1, s);
    l.add(midnight, s);
    l.add(midnight + 1000, s);
    l.add(midnight - 5000, { usage: {}, costUsd: null }); // a late fleet result for the day before
    expect(l.days.map((d) => [d.day, d.probes, d.unpriced, d.costUsd])).toEqual([['2026-11-29', 2, 1, 0.5], ['2026-11-30', 2, 0, 1]]);
    expect(l.sinceStart).toEqual({ probes: 4, unpriced: 1, inputTokens: 3, outputTokens: 6, costUsd: 1.5 });
    for (let i = 1; i <= 40; i++) l.add(midnight + i * 86_400_000, s);
    expect(l.days).toHaveLength(SPEND_DAYS);
    expect(l.days[SPEND_DAYS - 1]!.day).toBe('2027-01-09');
  });

  it('travels in fleet records, validated: unknown fields dropped, a cost that is not a number is unknown', () => {
    const base = { deploymentId: 'a', healthy: true, startedAt: 1, checkedAt: 2, latencyMs: 1, headers: {} };
    const ok = parseFleetRecord(JSON.stringify({ ...base, spend: { usage: { inputTokens: 9, outputTokens: 16, apiKey: 'sk-x' }, costUsd: 1e-5 } }), 'a');
    expect(ok.ok && ok.result.spend).toEqual({ usage: { inputTokens: 9, outputTokens: 16 }, costUsd: 1e-5 });
    const odd = parseFleetRecord(JSON.stringify({ ...base, spend: { usage: {}, costUsd: 'free' } }), 'a');
    expect(odd.ok && odd.result.spend).toEqual({ usage: {}, costUsd: null });
  });

  it('says unknown (null), never 0, without a price or when the answer does not say what it used', () => {
    expect(costOf({ inputTokens: 9, outputTokens: 16 }, {})).toBeNull();
    expect(costOf({ images: 1, pixels: 65_536 }, { input_cost_per_token: 1e-6 })).toBeNull();
    expect(usageOf('chat', {}, { choices: [] })).toBeUndefined();
  });
});

describe('/health/spend and the spend metrics, from fake upstreams with known usage', () => {

  const entry = (name: string, model: string, info = '') => `  - model_name: ${name}\n    litellm_params: { model: ${model}, api_base: ${up.openaiBase} }\n    model_info: { id: ${name}${info} }\n`;
  const yaml = () => `model_list:
${entry('mini', 'openai/gpt-4o-mini')}${entry('embed', 'openai/text-embedding-3-small')}${entry('image', 'openai/dall-e-2')}${entry('speech', 'openai/tts-1')}${entry('whisper', 'openai/whisper-1')}${entry('own-price', 'openai/my-private-model', ', input_cost_per_token: 0.001, output_cost_per_token: 0.002')}${entry('no-price', 'openai/my-unpriced-model')}${entry('down', 'openai/server_error')}${entry('free', 'openai/gpt-4o', ', health_check_probe: models_list')}general_settings:
  background_health_checks: true
  health_check_interval: 3600
`;

  it('per deployment equals the arithmetic, "unknown" without a price, and the month projects at one probe per interval', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lhe-spend-'));
    let ex = await exporterForTest(yaml(), { dataDir: dir });
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200, 15_000);
    const body: any = await (await fetch(`${ex.url}/health/spend`)).json();
    const d = (id: string) => body.deployments.find((x: { model_id: string }) => x.model_id === id);
    const expected: Record<string, number> = {
      mini: MINI,
      embed: 1 * 2e-8, // the fake's embeddings usage: 1 prompt token
      image: 65_536 * 2.4414e-7, // 256-x-256/dall-e-2, priced per pixel
      speech: 'ping'.length * 0.000015, // tts-1, per character sent
      whisper: 1 * 0.0001, // whisper-1, the 1 second the answer reports
      'own-price': 9 * 0.001 + 16 * 0.002, // model_info prices override
      free: 0,
    };
    for (const [id, cost] of Object.entries(expected)) {
      expect({ id, probes: d(id).probes, priced: d(id).priced }).toEqual({ id, probes: 1, priced: true });
      expect(d(id).cost_usd).toBeCloseTo(cost, 10);
      expect(d(id).probes_per_month).toBe(720);
      expect(d(id).projected_month_usd).toBeCloseTo(720 * cost, 8);
      expect(d(id).per_day).toHaveLength(1);
    }
    expect(d('mini')).toMatchObject({ input_tokens: 9, output_tokens: 16 });
    expect(d('no-price')).toMatchObject({ priced: false, probes: 1, input_tokens: 9, output_tokens: 16, cost_usd: 'unknown', cost_per_probe_usd: 'unknown', projected_month_usd: 'unknown' });
    expect(d('no-price').per_day[0].cost_usd).toBe('unknown');
    // A failed call bills nothing: no probe counted. Its model has no price either: unknown, not 0.
    expect(d('down')).toMatchObject({ probes: 0, priced: false, cost_usd: 'unknown' });
    const known = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(body.total.known_cost_usd).toBeCloseTo(known, 10);
    expect(body.total).toMatchObject({ probes: 8, unpriced_probes: 1, unknown_cost_deployments: 2, unknown_projections: 2 });
    expect(body.per_day).toHaveLength(1);

    const samples = parsePromText(await (await fetch(`${ex.url}/metrics`)).text());
    const cost = byName(samples, 'llm_deployment_probe_cost_usd_total');
    expect(cost.find((s) => s.labels.model_id === 'mini')!.value).toBeCloseTo(MINI, 12);
    expect(cost.find((s) => s.labels.model_id === 'no-price')).toBeUndefined(); // unknown: no series, never 0
    const tokens = byName(samples, 'llm_deployment_probe_tokens_total').filter((s) => s.labels.model_id === 'mini');
    expect(Object.fromEntries(tokens.map((s) => [s.labels.direction, s.value]))).toEqual({ input: 9, output: 16 });

    // The days persist: after a restart, the same spend (and nothing probed again).
    await ex.close();
    up.reset();
    ex = await exporterForTest(yaml(), { dataDir: dir });
    const again: any = await (await fetch(`${ex.url}/health/spend?model_id=mini`)).json();
    expect(again.deployments[0].cost_usd).toBeCloseTo(MINI, 12);
    expect(again.deployments[0].per_day).toEqual(d('mini').per_day);
    expect(up.requests.filter((r) => r.model === 'gpt-4o-mini')).toHaveLength(0);
  });

  it("checks the docs' arithmetic: 20 chat deployments at 300 s make 240 calls and ~6,000 tokens an hour, $1.89 a month at gpt-4o-mini", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const ex = await exporterForTest(`model_list:\n${names.map((n) => entry(n, 'openai/gpt-4o-mini')).join('')}general_settings:\n  background_health_checks: true\n  health_check_interval: 300\n`);
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200, 15_000);
    const body: any = await (await fetch(`${ex.url}/health/spend`)).json();
    const callsPerHour = body.deployments.reduce((n: number, d: any) => n + d.probes_per_month / 720, 0);
    const tokensPerHour = body.deployments.reduce((n: number, d: any) => n + (d.probes_per_month / 720) * ((d.input_tokens + d.output_tokens) / d.probes), 0);
    expect(callsPerHour).toBe(240);
    expect(tokensPerHour).toBe(6000);
    expect(body.total.known_projected_month_usd).toBeCloseTo(20 * 8640 * MINI, 8);
    expect(body.total.known_projected_month_usd).toBeCloseTo(1.89, 2);
  });

  it("reads the native providers' usage (Anthropic, Gemini, Cohere) through their translation", async () => {
    const [anth, gem, co] = await Promise.all([startFakeAnthropic({ apiKey: 'sk-ant-x' }), startFakeGemini({ apiKey: 'AIza-x' }), startFakeCohere({ apiKey: 'co-x' })]);
    try {
      const ex = await exporterForTest(`model_list:
  - model_name: claude
    litellm_params: { model: anthropic/claude-3-haiku-20240307, api_base: "${anth.url}", api_key: sk-ant-x }
    model_info: { id: claude }
  - model_name: gemini
    litellm_params: { model: gemini/gemini-2.0-flash, api_base: "${gem.url}", api_key: AIza-x }
    model_info: { id: gemini }
  - model_name: command
    litellm_params: { model: cohere/command-r, api_base: "${co.url}", api_key: co-x }
    model_info: { id: command }
`);
      await fetch(`${ex.url}/health`);
      const body: any = await (await fetch(`${ex.url}/health/spend`)).json();
      const d = (id: string) => body.deployments.find((x: { model_id: string }) => x.model_id === id);
      // The fakes' usage: Anthropic 8 in / 2 out; Gemini 1 / 1; Cohere bills 1 / 1 (of 65 / 1 tokens).
      expect(d('claude')).toMatchObject({ input_tokens: 8, output_tokens: 2 });
      expect(d('claude').cost_usd).toBeCloseTo(8 * 2.5e-7 + 2 * 1.25e-6, 14);
      expect(d('gemini')).toMatchObject({ input_tokens: 1, output_tokens: 1 });
      expect(d('gemini').cost_usd).toBeCloseTo(1e-7 + 4e-7, 14);
      expect(d('command')).toMatchObject({ input_tokens: 1, output_tokens: 1 });
      expect(d('command').cost_usd).toBeCloseTo(1.5e-7 + 6e-7, 14);
    } finally {
      await Promise.all([anth.close(), gem.close(), co.close()]);
    }
  });

  it('needs the master key, and 404s an unknown model', async () => {
    const ex = await exporterForTest(`model_list:\n${entry('mini', 'openai/gpt-4o-mini')}general_settings:\n  master_key: sk-spend\n`);
    expect((await fetch(`${ex.url}/health/spend`)).status).toBe(401);
    expect((await fetch(`${ex.url}/health/spend?model=nope`, { headers: { authorization: 'Bearer sk-spend' } })).status).toBe(404);
  });
});
