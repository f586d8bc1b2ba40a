import { connect, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { closeWhenTestEnds, exporterForTest } from './support/exporter.js';
import { startFakeUpstream } from './support/fake-upstream.js';
import { waitFor } from './support/tools.js';

const N = 300; // entries in several 64-entry blocks: a body of many pieces, well over a socket's 16 KB write mark

/** Reads one HTTP/1.1 answer off `socket` (framed by its content-length); `head`: no body expected. */
function readAnswer(socket: Socket, pending: { buf: Buffer }, head: boolean): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const tryParse = () => {
      const end = pending.buf.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const [statusLine, ...lines] = pending.buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = head ? 0 : Number(headers['content-length']);
      if (pending.buf.length < end + 4 + length) return false;
      const body = pending.buf.subarray(end + 4, end + 4 + length);
      pending.buf = pending.buf.subarray(end + 4 + length);
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: Buffer.from(body) });
      return true;
    };
    if (tryParse()) return;
    const onData = (chunk: Buffer) => {
      pending.buf = Buffer.concat([pending.buf, chunk]);
      if (tryParse()) { socket.off('data', onData); socket.off('error', reject); }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

it('sends the background /health answer whole, framed by its content-length, on a kept-alive connection (GET, HEAD, GET)', async () => {
  const up = closeWhenTestEnds(await startFakeUpstream());
  const list = Array.from({ length: N }, (_, i) => `  - model_name: m${i}\n    litellm_params: { model: openai/gpt-4o, api_base: ${up.openaiBase}, api_key: sk-test }\n    model_info: { id: d${i} }\n`).join('');
  const ex = await exporterForTest(`model_list:\n${list}general_settings:\n  background_health_checks: true\n  health_check_interval: 300\n  health_check_details: true\n`);
  await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200, 20_000, 'first round');

  const { port } = new URL(ex.url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  try {
    const pending = { buf: Buffer.alloc(0) };
    const ask = (method: 'GET' | 'HEAD', path = '/health') => {
      socket.write(`${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
      return readAnswer(socket, pending, method === 'HEAD');
    };
    const first = await ask('GET');
    const head = await ask('HEAD');
    const second = await ask('GET');

    for (const answer of [first, second]) {
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers.connection).toBe('keep-alive');
      const body = JSON.parse(answer.body.toString('utf8'));
      expect(body.healthy_count).toBe(N);
      expect(body.healthy_endpoints.map((e: { model_id: string }) => e.model_id)).toEqual(Array.from({ length: N }, (_, i) => `d${i}`));
    }
    expect(first.body.length).toBeGreaterThan(64 * 1024);
    // Nothing changed between the two: the same bytes, and HEAD announces their length without them.
    expect(second.body.equals(first.body)).toBe(true);
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(first.body.length);
    // Nothing left over after the three answers: a fourth request's answer starts right where they
    // ended (stray body bytes after HEAD would come first and break its status line).
    expect(pending.buf.length).toBe(0);
    const after = await ask('GET', '/health/liveliness');
    expect(after.status).toBe(200);
    expect(pending.buf.length).toBe(0);
  } finally {
    socket.destroy();
  }
});
