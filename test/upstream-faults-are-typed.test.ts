import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const FAULTS: Array<[model: string, errorType: string, status: number, message: RegExp]> = [
  ['unauthorized', 'auth', 401, /^401: Incorrect API key provided/],
  ['not_found', 'not_found', 404, /^404: The model `not_found` does not exist/],
  ['rate_limited', 'rate_limited', 429, /^429: Rate limit reached/],
  ['server_error', 'server_error', 500, /^500: The server had an error/],
  ['hang', 'timeout', 408, /^Timeout exceeded$/],
  ['hang_body', 'timeout', 408, /^Timeout exceeded$/],
  ['reset', 'connection', 503, /connection reset/],
  ['reset_body', 'connection', 503, /connection reset/],
  ['not_json', 'bad_response', 200, /not valid JSON/],
  ['huge', 'bad_response', 200, /larger than 1048576 bytes/],
  ['error_200', 'bad_response', 200, /upstream model crashed/],
  ['no_choices', 'bad_response', 200, /without choices/],
];

describe('every upstream fault ends as that deployment unhealthy, with its error type', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  let report: any;
  let port: number;
  beforeAll(async () => {
    up = await startFakeUpstream();
    port = await closedPort();
    const entries = FAULTS.map(([m]) => `  - model_name: ${m}\n    litellm_params: { model: openai/${m}, api_base: ${up.openaiBase} }\n    model_info: { id: ${m}, health_check_timeout: 0.4 }\n`);
    ex = await startExporter(`model_list:
${entries.join('')}  - model_name: healthy
    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase} }
    model_info: { id: healthy }
  - model_name: refused
    litellm_params: { model: openai/gpt-4o, api_base: "http://127.0.0.1:${port}/v1" }
    model_info: { id: refused }
  - model_name: unresolvable
    litellm_params: { model: openai/gpt-4o, api_base: "http://no-such-host.invalid/v1" }
    model_info: { id: unresolvable, health_check_timeout: 5 }
  - model_name: mystery
    litellm_params: { model: mystery/model-x }
    model_info: { id: mystery }
`);
    const started = Date.now();
    report = await (await fetch(`${ex.url}/health`)).json();
    report.elapsedMs = Date.now() - started;
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  const entry = (id: string) => report.unhealthy_endpoints.find((e: { model_id: string }) => e.model_id === id) ?? report.healthy_endpoints.find((e: { model_id: string }) => e.model_id === id);

  it.each(FAULTS)('%s → %s', (model, errorType, status, message) => {
    const e = entry(model);
    expect(e).toMatchObject({ error_type: errorType, exception_status: status });
    expect(e.error).toMatch(message);
  });

  it('429 reports the Retry-After delay', () => {
    expect(entry('rate_limited').retry_after_s).toBe(20);
  });

  it('connection refused and an unresolvable host are connection errors', () => {
    expect(entry('refused')).toMatchObject({ error_type: 'connection', error: 'connection refused', exception_status: 503 });
    expect(entry('unresolvable')).toMatchObject({ error_type: 'connection', exception_status: 503 });
    expect(entry('unresolvable').error).toMatch(/DNS|request failed/);
  });

  it('an unknown provider prefix without api_base is a config error naming the prefix', () => {
    expect(entry('mystery')).toMatchObject({ error_type: 'config', error: expect.stringContaining('unknown provider "mystery"') });
  });

  it('the healthy deployment stays healthy beside them, and hangs end at their timeout', () => {
    expect(report.healthy_endpoints.map((e: { model_id: string }) => e.model_id)).toEqual(['healthy']);
    expect(report.unhealthy_count).toBe(FAULTS.length + 3);
    expect(report.elapsedMs).toBeLessThan(5000);
  });

  it('the exporter keeps serving after all of it', async () => {
    const res = await fetch(`${ex.url}/health?model_id=healthy`);
    expect(res.status).toBe(200);
    expect((await fetch(`${ex.url}/health/liveliness`)).status).toBe(200);
  });
});
