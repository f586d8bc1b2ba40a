import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../../src/providers/client.js';
import { exporterForTest, type TestExporter } from '../support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { freePort } from '../support/tools.js';

/**
 * Every way an upstream can fail ends as that one deployment unhealthy, with a typed error and
 * an exception_status, while the exporter keeps answering.
 */
const TIMEOUT_S = 0.3;

let up: FakeUpstream;
let closedPort: number;
let ex: TestExporter | undefined;
beforeAll(async () => {
  up = await startFakeUpstream();
  closedPort = await freePort();
});
afterAll(async () => { await up.close(); });
// Cleared before each test, once the last test's exporter has closed (exporterForTest).
beforeEach(() => { up.reset(); });

type Entry = Record<string, any>;

const entriesOf = (report: any): Entry[] => [...report.healthy_endpoints, ...report.unhealthy_endpoints];

/** One deployment of `model` on the fake (OpenAI wire format), probed through GET /health. */
async function probeFault(model: string, litellmParams?: string, timeoutS = TIMEOUT_S): Promise<{ entry: Entry; report: any; elapsedMs: number }> {
  const params = litellmParams ?? `{ model: openai/${model}, api_base: ${up.openaiBase} }`;
  ex = await exporterForTest(`model_list:
  - model_name: ${model}
    litellm_params: ${params}
    model_info: { id: ${model}, health_check_timeout: ${timeoutS} }
general_settings: { health_check_min_interval: 0 }
`);
  const t0 = Date.now();
  const res = await fetch(`${ex.url}/health`);
  const elapsedMs = Date.now() - t0;
  expect(res.status).toBe(200);
  const report: any = await res.json();
  expect(report.healthy_count).toBe(0);
  expect(report.unhealthy_count).toBe(1);
  return { entry: report.unhealthy_endpoints[0], report, elapsedMs };
}

/** The process still serves: liveliness answers and a second /health probes again. */
async function stillServing(): Promise<void> {
  expect((await fetch(`${ex!.url}/health/liveliness`)).status).toBe(200);
  const again = await fetch(`${ex!.url}/health`);
  expect(again.status).toBe(200);
  expect(((await again.json()) as any).unhealthy_count).toBe(1);
}

describe('an upstream fault makes its deployment unhealthy with a typed error', () => {
  it('401 unauthorized → auth / 401 with the provider message', async () => {
    const { entry } = await probeFault('unauthorized');
    expect(entry).toMatchObject({ error_type: 'auth', exception_status: 401 });
    expect(entry.error).toMatch(/^401: Incorrect API key provided/);
    expect(up.count('unauthorized')).toBe(1);
    await stillServing();
    expect(up.count('unauthorized')).toBe(2);
  });

  it('404 → not_found / 404 carrying the provider’s own message', async () => {
    const { entry } = await probeFault('not_found');
    expect(entry).toMatchObject({
      error_type: 'not_found',
      exception_status: 404,
      error: '404: The model `not_found` does not exist or you do not have access to it.',
    });
    await stillServing();
  });

  it('429 → rate_limited / 429 with retry_after_s from Retry-After', async () => {
    const { entry } = await probeFault('rate_limited');
    expect(entry).toMatchObject({ error_type: 'rate_limited', exception_status: 429, retry_after_s: 20 });
    expect(entry.error).toMatch(/^429: Rate limit reached/);
    await stillServing();
  });

  it('500 → server_error / 500', async () => {
    const { entry } = await probeFault('server_error');
    expect(entry).toMatchObject({ error_type: 'server_error', exception_status: 500 });
    expect(entry.error).toMatch(/^500: The server had an error/);
    expect(entry.retry_after_s).toBeUndefined();
    await stillServing();
  });

  it('no answer at all → timeout "Timeout exceeded" / 408 at health_check_timeout', async () => {
    const { entry, elapsedMs } = await probeFault('hang');
    expect(entry).toMatchObject({ error_type: 'timeout', error: 'Timeout exceeded', exception_status: 408 });
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 20);
    expect(elapsedMs).toBeLessThan(TIMEOUT_S * 1000 + 1500);
    await stillServing();
  });

  it('headers then a stalled body → timeout: the deadline covers the body read', async () => {
    const { entry, elapsedMs } = await probeFault('hang_body');
    expect(entry).toMatchObject({ error_type: 'timeout', error: 'Timeout exceeded', exception_status: 408 });
    expect(elapsedMs).toBeLessThan(TIMEOUT_S * 1000 + 1500);
    await stillServing();
  });

  it('socket reset before any answer → connection', async () => {
    const { entry } = await probeFault('reset');
    expect(entry).toMatchObject({ error_type: 'connection', exception_status: 503 });
    expect(entry.error).toMatch(/connection reset/);
    await stillServing();
  });

  it('socket reset in the middle of the body → connection', async () => {
    const { entry } = await probeFault('reset_body');
    expect(entry).toMatchObject({ error_type: 'connection', exception_status: 503 });
    expect(entry.error).toMatch(/connection reset/);
    await stillServing();
  });

  it('200 with a body that is not JSON → bad_response', async () => {
    const { entry } = await probeFault('not_json');
    expect(entry).toMatchObject({ error_type: 'bad_response', exception_status: 200 });
    expect(entry.error).toMatch(/not valid JSON/);
    await stillServing();
  });

  it('a 50 MB body → bad_response naming the byte cap, well within the timeout', async () => {
    const { entry, elapsedMs } = await probeFault('huge');
    expect(entry.error_type).toBe('bad_response');
    expect(entry.error).toContain(`larger than ${DEFAULT_MAX_RESPONSE_BYTES} bytes`);
    expect(typeof entry.exception_status).toBe('number');
    expect(elapsedMs).toBeLessThan(TIMEOUT_S * 1000 + 1500);
    await stillServing();
  });

  it('200 carrying an error object → bad_response with the upstream message', async () => {
    const { entry } = await probeFault('error_200');
    expect(entry).toMatchObject({ error_type: 'bad_response', exception_status: 200 });
    expect(entry.error).toContain('upstream model crashed');
    await stillServing();
  });

  it('200 with a null choice → bad_response, never healthy', async () => {
    const { entry } = await probeFault('null_choice');
    expect(entry.error_type).toBe('bad_response');
    expect(entry.error).toMatch(/without a choice object/);
  });

  it('200 with an empty choices array → bad_response', async () => {
    const { entry } = await probeFault('no_choices');
    expect(entry.error_type).toBe('bad_response');
    expect(entry.error).toMatch(/without choices/);
    await stillServing();
  });

  it('connection refused (api_base on a closed port) → connection', async () => {
    const { entry } = await probeFault('refused', `{ model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:${closedPort}/v1" }`);
    expect(entry).toMatchObject({ error_type: 'connection', error: 'connection refused', exception_status: 503 });
    await stillServing();
  });

  it('an unresolvable host → connection (DNS)', async () => {
    const { entry } = await probeFault('unresolvable', '{ model: openai/gpt-4o-mini, api_base: "http://no-such-host.invalid/v1" }', 5);
    expect(entry).toMatchObject({ error_type: 'connection', exception_status: 503 });
    expect(entry.error).toMatch(/DNS|request failed/);
    await stillServing();
  });

  it('an unknown provider prefix without api_base → config error naming the prefix, no request sent', async () => {
    const { entry } = await probeFault('mystery', '{ model: mystery/model-x }');
    expect(entry.error_type).toBe('config');
    expect(entry.error).toContain('unknown provider "mystery"');
    expect(entry.custom_llm_provider).toBe('mystery');
    expect(up.requests).toHaveLength(0);
    await stillServing();
  });
});

describe('faulty deployments beside a healthy one', () => {
  const FAULTS = ['unauthorized', 'not_found', 'rate_limited', 'server_error', 'hang', 'hang_body', 'reset', 'reset_body', 'not_json', 'huge', 'error_200', 'no_choices'];

  it('the healthy deployment stays healthy and every faulty one ends, typed, within its timeout', async () => {
    const faulty = FAULTS.map((m) => `  - model_name: ${m}
    litellm_params: { model: openai/${m}, api_base: ${up.openaiBase} }
    model_info: { id: ${m}, health_check_timeout: ${TIMEOUT_S} }
`).join('');
    ex = await exporterForTest(`model_list:
${faulty}  - model_name: refused
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:${closedPort}/v1" }
    model_info: { id: refused, health_check_timeout: ${TIMEOUT_S} }
  - model_name: mystery
    litellm_params: { model: mystery/model-x }
    model_info: { id: mystery, health_check_timeout: ${TIMEOUT_S} }
  - model_name: healthy
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${up.openaiBase} }
    model_info: { id: healthy, health_check_timeout: ${TIMEOUT_S} }
  - model_name: healthy-azure
    litellm_params: { model: azure/ok, api_base: ${up.url}, api_version: "2024-06-01" }
    model_info: { id: healthy-azure, health_check_timeout: ${TIMEOUT_S} }
`);
    const t0 = Date.now();
    const res = await fetch(`${ex.url}/health`);
    const elapsedMs = Date.now() - t0;
    expect(res.status).toBe(200);
    const report: any = await res.json();

    // All probes run side by side (cap 16), so the round ends about one timeout later.
    expect(elapsedMs).toBeLessThan(TIMEOUT_S * 1000 + 2000);
    expect(report.healthy_endpoints.map((e: Entry) => e.model_id).sort()).toEqual(['healthy', 'healthy-azure']);
    expect(report.unhealthy_count).toBe(FAULTS.length + 2);

    const byId = new Map(entriesOf(report).map((e) => [e.model_id as string, e]));
    const expected: Record<string, [string, number | undefined]> = {
      unauthorized: ['auth', 401],
      not_found: ['not_found', 404],
      rate_limited: ['rate_limited', 429],
      server_error: ['server_error', 500],
      hang: ['timeout', 408],
      hang_body: ['timeout', 408],
      reset: ['connection', 503],
      reset_body: ['connection', 503],
      not_json: ['bad_response', 200],
      huge: ['bad_response', undefined],
      error_200: ['bad_response', 200],
      no_choices: ['bad_response', undefined],
      refused: ['connection', 503],
      mystery: ['config', undefined],
    };
    for (const [id, [type, status]] of Object.entries(expected)) {
      const e = byId.get(id);
      expect(e, id).toBeDefined();
      expect(e!.error_type, id).toBe(type);
      expect(typeof e!.exception_status, id).toBe('number');
      if (status !== undefined) expect(e!.exception_status, id).toBe(status);
      expect(e!.error, id).toBeTruthy();
    }
    expect(byId.get('rate_limited')!.retry_after_s).toBe(20);

    // And it keeps serving: a targeted re-probe of the healthy one answers at once.
    const again = await fetch(`${ex.url}/health?model_id=healthy`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).healthy_count).toBe(1);
  });
});
