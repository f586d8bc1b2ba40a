import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Telemetry } from '../../src/telemetry/telemetry.js';

/** One /metrics answer as serveMetrics wrote it: its parts by reference (not copied), and a way to end it as a socket would. */
export interface MetricsAnswer { parts: Buffer[]; text: () => string; close: () => void }

/** serveMetrics on a stand-in response; the answer stays open (its kept blocks held) until close(). */
export function serveMetricsAnswer(telemetry: Telemetry): Promise<MetricsAnswer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const listeners: Array<[string, () => void]> = [];
    const answer: MetricsAnswer = {
      parts,
      text: () => Buffer.concat(parts).toString(),
      close: () => { for (const ev of ['finish', 'close']) for (const [e, f] of listeners) if (e === ev) f(); },
    };
    const res = {
      statusCode: 0, closed: false, setHeader() {}, cork() {}, uncork() {},
      once(ev: string, f: () => void) { listeners.push([ev, f]); },
      write(b: Buffer) { parts.push(b); },
      end(b?: Buffer) { if (b) parts.push(b); resolve(answer); },
    };
    telemetry.serveMetrics({} as IncomingMessage, res as unknown as ServerResponse);
  });
}
