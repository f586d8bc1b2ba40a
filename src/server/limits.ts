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
  /**
   * An answer the client has not taken within this after it was written is cut (its buffer is
   * freed): /metrics from its start, any other answer from its end() (a probing /health may
   * take its time to be written, never to be read).
   */
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
 * be cut by requestTimeoutMs anyway. Answers being read are not evicted, but each must be taken
 * within takeWithinMs.
 */
export function boundConnections(server: Server, max: number, takeWithinMs: number): { closeIdle(): void } {
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
    // A slow reader keeps its answer's bytes in memory and its connection out of eviction.
    const deadline = () => {
      const cut = setTimeout(() => res.destroy(), takeWithinMs);
      res.once('close', () => clearTimeout(cut));
    };
    // A handler that answered synchronously (before this listener ran) has already ended.
    if (res.writableEnded) deadline();
    else res.once('prefinish', deadline);
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
