import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/server/http.js';
import { DEFAULT_SERVER_LIMITS } from '../src/server/limits.js';
import { createLogger } from '../src/cli/logger.js';
import type { Views } from '../src/views/index.js';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { boundConnections } from '../src/server/limits.js';
import { afterEach, describe, expect, it } from 'vitest';
import { exporterForTest } from './support/exporter.js';

/**
 * Issue 16, items 2 and 3. Clients that trickle a request body one byte every 5 s held 20,000
 * connections until the process ran out of file descriptors (liveliness unanswered); 200 clients
 * reading /metrics at 1 KB/s held 2.4 GB. The limits are injected small here so the attack and
 * its end fit in a test; the defaults (src/server/limits.ts) are the same mechanism, larger.
 */
const LIMITS = { maxConnections: 20, requestTimeoutMs: 1_000, headersTimeoutMs: 1_000, maxConcurrentScrapes: 2, scrapeDeadlineMs: 1_500 };

const open: Socket[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
});

function deployments(n: number): string {
  return `model_list:\n${Array.from({ length: n }, (_, i) =>
    `  - model_name: group-${i % 50}\n    litellm_params: { model: openai/gpt-4o-mini-${i}, api_base: "http://127.0.0.1:9/v${i}", api_key: k }\n    model_info: { id: dep-${i} }\n`).join('')}`;
}

/** A raw connection that sends `head` and then one more byte every `everyMs` until closed. */
function trickle(url: string, head: string, everyMs: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    open.push(socket);
    socket.on('error', () => {});
    socket.resume();
    socket.once('connect', () => {
      const started = Date.now();
      socket.write(head);
      const timer = setInterval(() => { if (socket.writable) socket.write('a'); }, everyMs);
      const closed = new Promise<number>((r) => socket.once('close', () => { clearInterval(timer); r(Date.now() - started); }));
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

const slowBody = 'POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n';
const slowHeaders = 'GET /health/liveliness HTTP/1.1\r\nHost: x\r\n';

describe('slow clients', () => {
  it('a body trickled one byte at a time is cut off after the request timeout', async () => {
    const ex = await exporterForTest('model_list: []\n', { serverLimits: LIMITS });
    const { closed } = await trickle(ex.url, slowBody, 100);
    const ms = await closed;
    expect(ms).toBeGreaterThanOrEqual(900);
    // Timeout plus Node's checking interval, with room for a loaded machine; unbounded before.
    expect(ms).toBeLessThan(8_000);
  });

  it('headers trickled one byte at a time are cut off too', async () => {
    const ex = await exporterForTest('model_list: []\n', { serverLimits: LIMITS });
    const { closed } = await trickle(ex.url, slowHeaders, 100);
    expect(await closed).toBeLessThan(8_000);
  });

  it('many slow connections stay under the connection bound, and liveliness answers throughout', async () => {
    const ex = await exporterForTest('model_list: []\n', { serverLimits: LIMITS });
    const attackers = [];
    for (let i = 0; i < 3 * LIMITS.maxConnections; i++) attackers.push(await trickle(ex.url, i % 2 ? slowBody : slowHeaders, 200));
    const server = ex.app.server.server;
    const connections = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
    expect(connections).toBeLessThanOrEqual(LIMITS.maxConnections);
    // The oldest were closed to make room, not the newcomers.
    const firstClosed = await Promise.race([attackers[0]!.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
    expect(firstClosed).toBe(true);
    for (let i = 0; i < 5; i++) {
      const live = await fetch(`${ex.url}/health/liveliness`);
      expect(live.status).toBe(200);
      attackers.push(await trickle(ex.url, slowBody, 200));
    }
  });
});

describe('slow /metrics readers', () => {
  /**
   * The /metrics route on the real server with a stand-in exposition of 80 MB: loopback's socket
   * buffers here take up to 32 MB + 4 MB from a reader that stopped reading, so a real exposition
   * small enough for a test would be absorbed whole and prove nothing.
   */
  const EXPOSITION = Buffer.alloc(80 * 1024 * 1024, '#');
  let server: FastifyInstance | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  /**
   * The deadline must also let a reader that does read take all 80 MB through fetch on a loaded
   * 2-core machine (at 1.5 s one was cut at 75 MB under test-under-load).
   */
  const SCRAPE_LIMITS = { ...LIMITS, scrapeDeadlineMs: 4_000 };

  /**
   * A bare server whose /metrics sends EXPOSITION; `firstClosed(n)` resolves once the first n
   * answers it served have closed (the writable side says finished for a stalled reader too:
   * the socket holds the bytes, so only the order tells the stalled answers apart).
   */
  async function metricsServer(): Promise<{ url: string; firstClosed: (n: number) => Promise<void> }> {
    const closes: Promise<void>[] = [];
    const views = {
      metricsKey: () => undefined,
      serveMetrics: (_req: IncomingMessage, res: ServerResponse) => {
        closes.push(new Promise((r) => res.once('close', () => r())));
        res.end(EXPOSITION);
      },
    } as unknown as Views;
    server = buildServer(views, createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() })), { ...DEFAULT_SERVER_LIMITS, ...SCRAPE_LIMITS });
    const url = (await server.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
    return { url, firstClosed: async (n) => { await Promise.all(closes.slice(0, n)); } };
  }

  /** Asks for /metrics on a raw socket and stops reading after the first bytes; drain() reads the rest. */
  async function stalledScrape(url: string): Promise<{ status: Promise<string>; drain: () => Promise<number> }> {
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    open.push(socket);
    socket.on('error', () => {});
    await new Promise((r) => socket.once('connect', r));
    let received = 0;
    socket.on('data', (c: Buffer) => { received += c.length; });
    const status = new Promise<string>((r) => socket.once('data', (c: Buffer) => { socket.pause(); r(String(c).split('\r\n')[0]!); }));
    const ended = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    return { status, drain: async () => { socket.resume(); await ended; return received; } };
  }

  it('hold at most maxConcurrentScrapes answers, are cut at the deadline, and scrapes work again after', async () => {
    const { url, firstClosed } = await metricsServer();
    const started = Date.now();
    const stalled = [];
    for (let i = 0; i < SCRAPE_LIMITS.maxConcurrentScrapes; i++) stalled.push(await stalledScrape(url));
    for (const s of stalled) expect(await s.status).toBe('HTTP/1.1 200 OK');
    const refused = await fetch(`${url}/metrics`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.text()).toContain('too many concurrent scrapes');

    // The slots come back when the deadline cuts the stalled answers (the next scrape gets 200).
    let again: Response;
    for (;;) {
      again = await fetch(`${url}/metrics`);
      if (again.status !== 503) break;
      await again.text();
      expect(Date.now() - started).toBeLessThan(30_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(SCRAPE_LIMITS.scrapeDeadlineMs - 100);
    expect(again.status).toBe(200);
    // Read the new answer at once: it has a deadline of its own.
    const body = again.arrayBuffer();
    // One cut frees the slot the new scrape took; the other stalled answer is cut at its own
    // deadline, which on a loaded machine may come after the new scrape was let in.
    await firstClosed(SCRAPE_LIMITS.maxConcurrentScrapes);
    // The reader that reads gets all of it; the stalled ones got a cut answer, then the end.
    expect((await body).byteLength).toBe(EXPOSITION.length);
    for (const s of stalled) expect(await s.drain()).toBeLessThan(EXPOSITION.length);
  }, 60_000);
});

// Found in review: an answer being read was never evicted and had no deadline, so slow readers of
// a large /health held connections and memory past the bounds. The mechanism on a bare server
// (the exporter's own answers are too small to outgrow loopback's socket buffers in a test).
describe('slow readers of any answer', () => {
  it('are cut when they have not taken the answer within the deadline', async () => {
    // More than loopback's socket buffers here take from a reader that stopped (32 MB + 4 MB).
    const body = Buffer.alloc(80 * 1024 * 1024, 'x');
    const server = createServer((_req, res) => res.end(body));
    boundConnections(server, 10, 500);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const serverSide = new Promise<number>((r) => server.once('connection', (s: Socket) => s.once('close', () => r(Date.now()))));
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      open.push(socket);
      socket.on('error', () => {});
      let received = 0;
      socket.on('data', (c: Buffer) => { received += c.length; });
      socket.once('data', () => socket.pause());
      const started = Date.now();
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      // The server closes its side when the deadline passes, though the client never read on.
      const closedAt = await serverSide;
      expect(closedAt - started).toBeGreaterThanOrEqual(400);
      expect(closedAt - started).toBeLessThan(10_000);
      socket.resume();
      await new Promise((r) => socket.once('close', r));
      expect(received).toBeLessThan(body.length);
    } finally {
      server.close();
    }
  });
});
