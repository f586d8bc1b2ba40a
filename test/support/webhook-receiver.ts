import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
  /** The status it was answered with. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, answered or not, in arrival order. */
  received: Delivery[];
  /** Only those answered 2xx, per path. */
  accepted(path: string): Delivery[];
  /** Statuses to answer the next requests on a path with (then 200). */
  failNext(path: string, ...statuses: number[]): void;
  close(): Promise<void>;
}

/** A local webhook endpoint (Slack, Teams or generic JSON alike): records what it is sent. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Delivery[] = [];
  const queued = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const status = queued.get(path)?.shift() ?? 200;
      let body: any;
      try { body = JSON.parse(raw); } catch { body = undefined; }
      received.push({ path, headers: req.headers, raw, body, status });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    accepted: (path) => received.filter((d) => d.path === path && d.status < 300),
    failNext: (path, ...statuses) => queued.set(path, [...(queued.get(path) ?? []), ...statuses]),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
