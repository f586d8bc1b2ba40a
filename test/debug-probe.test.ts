import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from './support/exporter.js';
import { chatAnswer, makeCert, startFakeTlsUpstream, type FakeTlsUpstream, type TestCert } from './support/fake-tls.js';

/**
 * GET /health/probe?model_id=ID&debug=true against an HTTPS fake whose certificate (made by
 * openssl at test time) expires in 5 days: one probe now, with its trace; the certificate's
 * expiry in the trace, in /health and (test/prometheus-metrics-contract.test.ts) in /metrics.
 */
const DAY = 86_400_000;
const KEY = 'sk-master-debug';
const auth = { authorization: `Bearer ${KEY}` };

describe('GET /health/probe', () => {
  let cert: TestCert;
  let up: FakeTlsUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    cert = await makeCert(5);
    up = await startFakeTlsUpstream(cert, (req) => ({ json: chatAnswer(req.body?.model), headers: { 'x-request-id': 'req-1', 'x-ratelimit-remaining-tokens': '99' } }));
    const port = new URL(up.url).port;
    ex = await startExporter(`
model_list:
  - model_name: secure
    litellm_params: { model: openai/gpt-4o, api_base: "https://localhost:${port}/v1", api_key: sk-upstream-key-1, ssl_certificate: ${cert.certFile} }
    model_info: { id: secure }
  - model_name: by-address
    litellm_params: { model: openai/gpt-4o-mini, api_base: "${up.openaiBase}", api_key: sk-upstream-key-1, ssl_certificate: ${cert.certFile} }
    model_info: { id: by-address }
general_settings:
  master_key: ${KEY}
  health_check_min_interval: 600
`);
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  const probe = (query: string, headers: Record<string, string> = auth) => fetch(`${ex.url}/health/probe?${query}`, { headers });

  it('runs one probe now and answers its trace: address, TLS, request, answer, body and timings', async () => {
    const res = await probe('model_id=secure&debug=true');
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body).toMatchObject({ model_id: 'secure', model_name: 'secure', model: 'openai/gpt-4o', probed: true, status: 'healthy' });
    expect(body.note).toBeUndefined();
    expect(up.requests).toHaveLength(1);
    const [call] = body.trace.requests;
    expect(call).toMatchObject({ operation: 'chat', method: 'POST', url: `https://localhost:${new URL(up.url).port}/v1/chat/completions`, status: 200 });
    expect(call.request_headers).toMatchObject({ authorization: '[REDACTED]', 'content-type': 'application/json' });
    expect(call.response_headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'req-1', 'x-ratelimit-remaining-tokens': '99' });
    expect(JSON.parse(call.body).choices[0].message.content).toBe('pong');
    expect(call.body_bytes).toBe(Buffer.byteLength(call.body));
    // A host name: resolved (DNS timed), connected to the address it resolved to.
    expect(call.connection.remote_address).toBe('127.0.0.1');
    expect(call.connection.remote_port).toBe(Number(new URL(up.url).port));
    expect(call.connection.tls.version).toMatch(/^TLSv1\.[23]$/);
    expect(call.connection.tls.subject).toBe('fake-llm.test');
    expect(Date.parse(call.connection.tls.cert_expires_at)).toBe(cert.notAfter);
    expect(call.connection.tls.cert_expires_in_days).toBeGreaterThan(4.9);
    expect(call.connection.tls.cert_expires_in_days).toBeLessThanOrEqual(5);
    const t = call.timings_ms;
    expect(Object.keys(t).sort()).toEqual(['connect', 'dns', 'first_byte', 'tls', 'total']);
    for (const v of Object.values(t)) expect(v).toBeGreaterThanOrEqual(0);
    expect(t.first_byte).toBeGreaterThanOrEqual(t.dns + t.connect + t.tls - 1);
    expect(t.total).toBeGreaterThanOrEqual(t.first_byte);
    // The /health entry of the result, with the certificate's expiry.
    expect(body.result).toMatchObject({ model_id: 'secure', tls_cert_expires_at: new Date(cert.notAfter).toISOString() });
  });

  it('an IP address has no DNS phase', async () => {
    const body: any = await (await probe('model_id=by-address&debug=true')).json();
    expect(Object.keys(body.trace.requests[0].timings_ms).sort()).toEqual(['connect', 'first_byte', 'tls', 'total']);
  });

  it('is held to health_check_min_interval: 429, Retry-After, the last result, no new probe', async () => {
    const before = up.requests.length;
    const res = await probe('model_id=secure&debug=true');
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
    const body: any = await res.json();
    expect(body).toMatchObject({ probed: false, status: 'healthy' });
    expect(body.note).toContain('health_check_min_interval is 600s');
    expect(body.trace).toBeUndefined();
    expect(body.result.cached).toBe(true);
    expect(up.requests.length).toBe(before);
  });

  it('shows the certificate expiry in /health entries (details on)', async () => {
    const health: any = await (await fetch(`${ex.url}/health`, { headers: auth })).json();
    for (const e of health.healthy_endpoints) expect(Date.parse(e.tls_cert_expires_at)).toBe(cert.notAfter);
    expect(Date.parse(health.healthy_endpoints[0].tls_cert_expires_at) - Date.now()).toBeLessThan(5 * DAY);
  });

  it('needs the master key and a known model_id', async () => {
    expect((await probe('model_id=secure&debug=true', {})).status).toBe(401);
    const missing = await probe('model_id=nope&debug=true');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.param).toBe('model_id');
    expect((await probe('debug=true')).status).toBe(400);
  });
});

describe('GET /health/probe with health_check_details: false', () => {
  it('refuses a trace (403) and probes nothing; the probe without one shows the trimmed entry', async () => {
    const cert = await makeCert(5);
    const up = await startFakeTlsUpstream(cert);
    const ex = await startExporter(`
model_list:
  - model_name: secure
    litellm_params: { model: openai/gpt-4o, api_base: "${up.openaiBase}", ssl_certificate: ${cert.certFile} }
    model_info: { id: secure }
general_settings:
  health_check_details: false
`);
    try {
      const refused = await fetch(`${ex.url}/health/probe?model_id=secure&debug=true`);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as any).error.message).toContain('health_check_details');
      expect(up.requests).toHaveLength(0);
      const plain: any = await (await fetch(`${ex.url}/health/probe?model_id=secure`)).json();
      expect(plain).toMatchObject({ probed: true, status: 'healthy' });
      expect(plain.trace).toBeUndefined();
      expect(plain.result).toEqual({ model: 'openai/gpt-4o', model_id: 'secure', model_name: 'secure' });
    } finally {
      await ex.close();
      await up.close();
    }
  });
});
