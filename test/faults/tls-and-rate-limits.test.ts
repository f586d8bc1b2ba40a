import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter } from '../support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';

/** A self-signed TLS upstream made in the test (openssl), answering like OpenAI's chat API. */
let server: Server;
let base: string;
let certPath: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lhe-tls-'));
  certPath = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', certPath,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(certPath) }, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function entryFor(params: string, general = '') {
  const ex = await startExporter(`model_list:\n  - model_name: m\n    litellm_params: ${params}\n    model_info: { health_check_timeout: 5 }\n${general}`, { listen: false });
  try {
    const report = await ex.app.once();
    return [...report.healthy_endpoints, ...report.unhealthy_endpoints][0] as Record<string, unknown>;
  } finally {
    await ex.close();
  }
}

describe('TLS', () => {
  it('a self-signed certificate fails verification: unhealthy, connection, TLS failure', async () => {
    const e = await entryFor(`{ model: openai/gpt-4o, api_base: "${base}" }`);
    expect(e).toMatchObject({ error_type: 'connection', exception_status: 503 });
    expect(e.error).toMatch(/^TLS failure: .*SELF_SIGNED/);
  });

  it('ssl_verify: false accepts it', async () => {
    expect((await entryFor(`{ model: openai/gpt-4o, api_base: "${base}", ssl_verify: false }`)).error).toBeUndefined();
  });

  it('ssl_certificate (or ssl_verify: <path>) trusts that CA and still verifies', async () => {
    expect((await entryFor(`{ model: openai/gpt-4o, api_base: "${base}", ssl_certificate: "${certPath}" }`)).error).toBeUndefined();
    expect((await entryFor(`{ model: openai/gpt-4o, api_base: "${base}", ssl_verify: "${certPath}" }`)).error).toBeUndefined();
  });

  it('an unreadable CA file is that deployment\'s config error naming the key', async () => {
    const e = await entryFor(`{ model: openai/gpt-4o, api_base: "${base}", ssl_certificate: /nonexistent/ca.pem }`);
    expect(e).toMatchObject({ error_type: 'config', error: 'model_list[0].litellm_params.ssl_certificate: cannot read /nonexistent/ca.pem: ENOENT' });
  });
});

describe('429 with Retry-After', () => {
  let up: FakeUpstream;
  beforeAll(async () => { up = await startFakeUpstream({ retryAfterS: 7 }); });
  afterAll(async () => { await up.close(); });

  it('is rate_limited with the retry delay by default', async () => {
    const e = await entryFor(`{ model: openai/rate_limited, api_base: "${up.openaiBase}" }`);
    expect(e).toMatchObject({ error_type: 'rate_limited', exception_status: 429, retry_after_s: 7 });
  });

  it('counts healthy with health_check_rate_limited_as_healthy, and says it was rate limited', async () => {
    const e = await entryFor(`{ model: openai/rate_limited, api_base: "${up.openaiBase}" }`, 'general_settings: { health_check_rate_limited_as_healthy: true }');
    expect(e.error).toBeUndefined();
    expect(e.details).toEqual({ rate_limited: true });
  });
});
