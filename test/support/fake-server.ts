import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The loopback HTTP server under each provider fake (fake-anthropic.ts, fake-gemini.ts, …): it
 * records every request exactly as it arrived and answers what the provider's handler says.
 */
export interface Recorded {
  method: string;
  /** Decoded path, e.g. /model/us.anthropic.claude-3-5-haiku-20241022-v1:0/converse. */
  path: string;
  /** The request target as sent on the wire (still percent-encoded, with its query). */
  rawTarget: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** Every header as sent, in order, names as written (for signature checks). */
  rawHeaders: string[];
  rawBody: Buffer;
  /** Parsed JSON body, when there was one. */
  body: any;
  at: number;
}

export type Reply =
  | { status: number; json?: unknown; text?: string; bytes?: Buffer; headers?: Record<string, string> }
  | 'hang'
  | 'reset';

export interface FakeServer {
  /** http://127.0.0.1:PORT */
  url: string;
  requests: Recorded[];
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeServer(handler: (req: Recorded) => Reply | Promise<Reply>): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const rawBody = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://fake');
        let body: any;
        if (rawBody.length) {
          try { body = JSON.parse(rawBody.toString('utf8')); } catch { body = undefined; }
        }
        const rec: Recorded = {
          method: req.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          rawTarget: req.url ?? '/',
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          rawBody,
          body,
          at: Date.now(),
        };
        requests.push(rec);
        const reply = await handler(rec);
        if (reply === 'hang') return;
        if (reply === 'reset') { req.socket.destroy(); return; }
        if (reply.bytes !== undefined) {
          res.writeHead(reply.status, { 'content-type': 'application/octet-stream', ...reply.headers });
          res.end(reply.bytes);
          return;
        }
        if (reply.text !== undefined) {
          res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
          res.end(reply.text);
          return;
        }
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.json === undefined ? '' : JSON.stringify(reply.json));
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reset: () => { requests.length = 0; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The behaviour a request asks for: the X-Fake-Behaviour header (extra_headers), else the model. */
export function behaviourOf(req: Recorded, model: string | undefined): string {
  return String(req.headers['x-fake-behaviour'] ?? model ?? 'ok');
}
