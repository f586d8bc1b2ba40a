import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What one client may hold of the process: connections, time to send a request, scrapes. */
export interface ServerLimits {
  /** Open connections; past it, the oldest one that is not being answered is closed. */
  maxConnections: number;
  /** Headers and body must arrive within this (a GET API: legitimate requests take ms). */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** /metrics answers being written at once; more get 503 (each is the whole exposition). */
  maxConcurrentScrapes: number;
  /** A /metrics answer not taken by the client within this is cut (its buffer is freed). */
  scrapeDeadlineMs: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxConnections: 1024,
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  maxConcurrentScrapes: 4,
  scrapeDeadlineMs: 60_000,
};

/**
 * Keeps open connections at limits.maxConnections without refusing newcomers: a client that
 * opens connections and trickles bytes would otherwise hold every file descriptor, and
 * /health/liveliness would go unanswered. Closing the oldest connection that is not mid-answer
 * lets a quick request (a kubelet's probe, a scrape) always get in; the slow ones were going to
 * be cut by requestTimeoutMs anyway.
 */
export function boundConnections(server: Server, max: number): { closeIdle(): void } {
  /** Insertion order is age; the value is the answer being written on it, if any. */
  const open = new Map<Socket, ServerResponse | undefined>();
  server.on('connection', (socket: Socket) => {
    if (open.size >= max) {
      for (const [old, res] of open) {
        if (res && res.headersSent && !res.writableFinished) continue;
        open.delete(old);
        old.destroy();
        break;
      }
    }
    open.set(socket, undefined);
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req, res: ServerResponse) => {
    const socket = req.socket as Socket;
    if (!open.has(socket)) return;
    open.set(socket, res);
    res.once('finish', () => { if (open.get(socket) === res) open.set(socket, undefined); });
  });
  return {
    /**
     * Closes every connection not being answered, for shutdown. Node's server.close() ends idle
     * keep-alive connections but waits for one that never sent a request: a browser's
     * speculative preconnect (the status page) held shutdown for as long as the browser liked.
     */
    closeIdle() {
      for (const [socket, res] of open) if (!res) socket.destroy();
    },
  };
}
