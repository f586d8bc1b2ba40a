import { WebSocket, type Agent } from 'undici';
import { ProbeError } from '../core/errors.js';
import type { ProviderResponse } from '../core/operation.js';

/**
 * Opens a realtime websocket, waits for the server's first event (OpenAI and Azure send
 * `session.created` unprompted), and closes: proves the endpoint, the key and the model without
 * generating anything.
 */
export function firstWebSocketEvent(url: URL, headers: Record<string, string>, signal: AbortSignal, dispatcher: Agent): Promise<ProviderResponse> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { headers, dispatcher });
    } catch (err) {
      reject(new ProbeError('config', `invalid realtime URL: ${(err as Error).message}`));
      return;
    }
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      try { ws.close(); } catch { /* already closed */ }
      fn();
    };
    const onAbort = () => done(() => reject(new ProbeError('timeout', 'Timeout exceeded', { status: 408 })));
    signal.addEventListener('abort', onAbort, { once: true });
    ws.addEventListener('message', (ev) => done(() => {
      const text = typeof ev.data === 'string' ? ev.data : Buffer.from(ev.data as ArrayBuffer).toString('utf8');
      let json: unknown;
      try { json = JSON.parse(text); } catch {
        reject(new ProbeError('bad_response', 'realtime: first event is not JSON'));
        return;
      }
      const err = (json as { type?: string; error?: { message?: string } }).type === 'error' ? (json as { error?: { message?: string } }).error : undefined;
      if (err) reject(new ProbeError('bad_response', `realtime error event: ${err.message ?? 'no message'}`));
      else resolve({ status: 101, contentType: 'application/json', json, bytes: Buffer.from(text), headers: {} });
    }));
    ws.addEventListener('error', () => done(() => reject(new ProbeError('connection', 'realtime websocket handshake failed (bad key, model or endpoint)', { status: 503 }))));
    ws.addEventListener('close', (ev) => done(() => reject(new ProbeError('connection', `realtime websocket closed before any event (code ${ev.code})`, { status: 503 }))));
  });
}
