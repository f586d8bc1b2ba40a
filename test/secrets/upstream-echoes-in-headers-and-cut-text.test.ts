import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter } from '../support/exporter.js';

/**
 * Issue 16, items 6 and 7: an upstream that echoes the key into the headers /health reports, and
 * a plain-text error whose 300-character cut falls inside the echoed key.
 */
const KEY = 'sk-canaryEchoKey0123456789abcdefghijklmnop';
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (req.url?.includes('/echo-headers/') || String(req.headers['x-case']) === 'headers') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': `leak:Bearer ${key}`, 'x-ms-region': key });
      res.end(JSON.stringify({ choices: [{ message: { content: 'pong' }, finish_reason: 'stop' }] }));
      return;
    }
    // The key starts 10 characters before the 300-character cut.
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`${'x'.repeat(290)}${key} trailing`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('an upstream echoing the key', () => {
  it('into reported headers: never shown in /health or /health/latest', async () => {
    const ex = await startExporter(`model_list:
  - model_name: echo
    litellm_params: { model: openai/gpt-4o, api_base: "${base}", api_key: ${KEY}, extra_headers: { x-case: headers } }
`);
    try {
      const text = await (await fetch(`${ex.url}/health`)).text();
      expect(JSON.parse(text).healthy_count).toBe(1);
      expect(text).toContain('x-ratelimit-remaining-requests');
      expect(text).not.toContain(KEY.slice(0, 12));
      expect(await (await fetch(`${ex.url}/health/latest`)).text()).not.toContain(KEY.slice(0, 12));
    } finally {
      await ex.close();
    }
  });

  it('into a plain-text error cut at 300 characters: no piece of it survives the cut', async () => {
    const ex = await startExporter(`model_list:
  - model_name: cut
    litellm_params: { model: openai/gpt-4o, api_base: "${base}", api_key: ${KEY} }
`, { logLevel: 'trace' });
    try {
      const body: any = await (await fetch(`${ex.url}/health`)).json();
      const e = body.unhealthy_endpoints[0];
      expect(e.error_type).toBe('server_error');
      expect(e.error).toContain('[REDACTED]');
      for (const text of [JSON.stringify(body), ex.logs()]) expect(text).not.toContain(KEY.slice(0, 10));
    } finally {
      await ex.close();
    }
  });
});
