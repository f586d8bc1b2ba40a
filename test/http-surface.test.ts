import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from './support/exporter.js';

/** What any caller of the HTTP surface gets: JSON errors, capped bodies, auth where configured. */
describe('the HTTP surface', () => {
  let ex: TestExporter;
  beforeAll(async () => {
    ex = await startExporter('model_list: []\ngeneral_settings:\n  master_key: sk-surface\n  metrics_auth: true\n');
  });
  afterAll(async () => { await ex.close(); });

  it('missing and wrong bearer keys get the same 401 JSON', async () => {
    const a = await fetch(`${ex.url}/health`);
    const b = await fetch(`${ex.url}/health`, { headers: { authorization: 'Bearer nope' } });
    const c = await fetch(`${ex.url}/health`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect([a.status, b.status, c.status]).toEqual([401, 401, 401]);
    const [ja, jb, jc] = await Promise.all([a.text(), b.text(), c.text()]);
    expect(ja).toBe(jb);
    expect(jb).toBe(jc);
    expect(a.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('puts /health/uptime and /health/spend behind the master key', async () => {
    for (const path of ['/health/uptime', '/health/spend']) {
      expect((await fetch(`${ex.url}${path}`)).status).toBe(401);
      expect((await fetch(`${ex.url}${path}`, { headers: { authorization: 'Bearer sk-surface' } })).status).toBe(200);
    }
  });

  it('puts /metrics behind the master key with metrics_auth', async () => {
    expect((await fetch(`${ex.url}/metrics`)).status).toBe(401);
    const ok = await fetch(`${ex.url}/metrics`, { headers: { authorization: 'Bearer sk-surface' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('llm_health_unhealthy_count');
  });

  it('caps request bodies with a 413 JSON answer', async () => {
    const res = await fetch(`${ex.url}/-/reload`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-surface', 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(200 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(413);
  });

  it('answers 413 to a GET carrying a large body too (issue 16, item 14)', async () => {
    const { request } = await import('node:http');
    const url = new URL(`${ex.url}/health/liveliness`);
    const body = Buffer.alloc(100 * 1024, 'x');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { 'content-length': body.length } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(413);
  });

  it('names the invalid query parameter in a 400 JSON answer', async () => {
    const res = await fetch(`${ex.url}/health/history?limit=abc`, { headers: { authorization: 'Bearer sk-surface' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe('limit');
  });

  it('answers unknown routes and methods with 404 JSON', async () => {
    for (const [method, path] of [['GET', '/nope'], ['DELETE', '/health'], ['GET', '/-/reload']]) {
      const res = await fetch(`${ex.url}${path}`, { method });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found');
    }
  });

  it('leaves readiness and liveliness open', async () => {
    expect((await fetch(`${ex.url}/health/readiness`)).status).toBe(200);
    expect((await fetch(`${ex.url}/health/liveliness`)).status).toBe(200);
  });
});
