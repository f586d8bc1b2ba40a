import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeAbort } from '../../src/core/abort.js';
import { ProbeError } from '../../src/core/errors.js';
import { send } from '../../src/providers/answer.js';

/**
 * An answer is read whole through undici's dispatch API (providers/answer.ts `send`), not as a
 * stream (issue 18): the same caps, abort and error typing the stream read had.
 */
let server: Server;
let origin: string;
const agent = new Agent();
/** Requests the server saw, by path. */
const seen: string[] = [];

const routes: Record<string, (res: ServerResponse) => void> = {
  '/ok': (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"a":1}'); },
  '/chunks': (res) => { res.writeHead(200); res.write('ab'); setTimeout(() => res.end('cd'), 5); },
  '/big-ok': (res) => { res.writeHead(200); res.end('x'.repeat(100)); },
  '/big-error': (res) => { res.writeHead(500, { 'retry-after': '3' }); res.end('e'.repeat(100)); },
  '/early-hints': (res) => { res.writeEarlyHints({ link: '</a>; rel=preload' }); res.writeHead(201); res.end('done'); },
  '/stalls': (res) => { res.writeHead(200); res.write('partial'); },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url!);
    req.resume();
    routes[req.url!]!(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const get = (path: string, abort = new ProbeAbort(), maxOk = 64, maxError = 16, heard?: (s: number) => void) =>
  send(agent, { origin, path, method: 'GET', headers: {}, body: undefined }, abort, maxOk, maxError, heard && ((s) => heard(s)));

describe('send: one answer read whole', () => {
  it('gives the status, the lower-cased headers and the whole body, over several chunks', async () => {
    const ok = await get('/ok');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json');
    expect(ok.bytes.toString()).toBe('{"a":1}');
    expect((await get('/chunks')).bytes.toString()).toBe('abcd');
  });

  it('skips informational answers and tells the final status when the headers arrive', async () => {
    const heard: number[] = [];
    const res = await get('/early-hints', undefined, 64, 16, (s) => heard.push(s));
    expect(res.statusCode).toBe(201);
    expect(res.bytes.toString()).toBe('done');
    expect(heard).toEqual([201]);
  });

  it('a 2xx body over its cap fails as bad_response with its status; an error body is cut at its own cap', async () => {
    const err = await get('/big-ok').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err).toMatchObject({ errorType: 'bad_response', status: 200, message: 'response body larger than 64 bytes; read stopped' });
    const cut = await get('/big-error');
    expect(cut.statusCode).toBe(500);
    expect(cut.headers['retry-after']).toBe('3');
    expect(cut.bytes.toString()).toBe('e'.repeat(16));
  });

  it('an abort while the body is read ends the read as a timeout; an abort before sending sends nothing', async () => {
    const abort = new ProbeAbort();
    const pending = get('/stalls', abort, 1024).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    abort.abort(new ProbeError('timeout', 'Timeout exceeded', { status: 408 }));
    expect(await pending).toMatchObject({ errorType: 'timeout', status: 408 });

    const before = seen.length;
    const early = new ProbeAbort();
    early.abort(new ProbeError('timeout', 'Timeout exceeded', { status: 408 }));
    expect(await get('/ok', early).catch((e: unknown) => e)).toMatchObject({ errorType: 'timeout' });
    expect(seen.length).toBe(before);
  });
});
