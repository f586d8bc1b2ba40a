import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { run } from './tools.js';

/** A self-signed certificate for 127.0.0.1 and localhost, made now by the openssl CLI. */
export interface TestCert {
  certFile: string;
  certPem: string;
  keyPem: string;
  /** Epoch ms of notAfter, read back from the certificate. */
  notAfter: number;
}

/** A certificate valid for `days` from now (openssl req -x509 -days N: notAfter = now + N days). */
export async function makeCert(days: number, cn = 'fake-llm.test'): Promise<TestCert> {
  const dir = await mkdtemp(join(tmpdir(), 'lhe-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const r = await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', `/CN=${cn}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  if (r.code !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  const certPem = await readFile(certFile, 'utf8');
  return { certFile, certPem, keyPem: await readFile(keyFile, 'utf8'), notAfter: Date.parse(new X509Certificate(certPem).validTo) };
}

export interface TlsRequest { method: string; url: string; headers: IncomingMessage['headers']; body: any }

/** What the handler answers: a JSON body with optional headers, after an optional promise. */
export type TlsReply = { status?: number; json: unknown; headers?: Record<string, string> } | Promise<{ status?: number; json: unknown; headers?: Record<string, string> }>;

export interface FakeTlsUpstream {
  /** https://127.0.0.1:PORT */
  url: string;
  /** https://127.0.0.1:PORT/v1 */
  openaiBase: string;
  requests: TlsRequest[];
  close(): Promise<void>;
}

/** An OpenAI-style chat answer, as a healthy upstream gives it. */
export function chatAnswer(model: unknown = 'gpt-4o') {
  return { id: 'chatcmpl-tls', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }] };
}

/**
 * An HTTPS fake upstream with `cert`; by default every request gets a healthy chat answer.
 * `handler` may answer otherwise (echo what it was sent, wait for the test, …).
 */
export async function startFakeTlsUpstream(cert: TestCert, handler: (req: TlsRequest) => TlsReply = (req) => ({ json: chatAnswer(req.body?.model) })): Promise<FakeTlsUpstream> {
  const requests: TlsRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: any;
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = undefined; }
      const rec = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      requests.push(rec);
      void Promise.resolve(handler(rec)).then((reply) => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify(reply.json));
      });
    });
  });
  server.on('secureConnection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    openaiBase: `${url}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
