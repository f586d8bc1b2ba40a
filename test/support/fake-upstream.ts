import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake LLM provider on loopback speaking the OpenAI and Azure OpenAI wire formats, including
 * their error bodies. The model (OpenAI: body.model; Azure: the deployment in the path) picks
 * the behaviour, so one server plays healthy and failing deployments side by side:
 *
 *   ok | unauthorized | not_found | rate_limited | server_error | hang | hang_body | reset |
 *   reset_body | not_json | huge | error_200 | no_choices | slow (answers after `slowMs`)
 *
 * Any other model name answers like `ok`. When `apiKey` is set, a request without that key
 * gets a 401 whose message echoes the key it received, the worst case for leaks.
 */
export const BEHAVIOURS = [
  'ok', 'unauthorized', 'not_found', 'rate_limited', 'server_error', 'hang', 'hang_body', 'reset',
  'reset_body', 'not_json', 'huge', 'error_200', 'no_choices', 'slow',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, when there was one. */
  body: any;
  rawBody: Buffer;
  /** 'openai' or 'azure', from the path. */
  dialect: 'openai' | 'azure';
  /** The model or Azure deployment named by the request. */
  model: string | undefined;
}

export interface FakeUpstream {
  url: string;
  /** http://127.0.0.1:PORT/v1, the api_base for OpenAI-style deployments. */
  openaiBase: string;
  requests: RecordedRequest[];
  /** Requests per model since start (or the last reset). */
  count(model: string): number;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeUpstreamOptions {
  apiKey?: string;
  slowMs?: number;
  retryAfterS?: number;
}

export async function startFakeUpstream(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const azure = /^\/openai\/deployments\/([^/]+)\//.exec(url.pathname);
    let body: any;
    if ((req.headers['content-type'] ?? '').includes('json') && rawBody.length) {
      try { body = JSON.parse(rawBody.toString('utf8')); } catch { body = undefined; }
    }
    const model = azure ? decodeURIComponent(azure[1]!) : typeof body?.model === 'string' ? body.model : undefined;
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      rawBody,
      dialect: azure || url.pathname.startsWith('/openai/') ? 'azure' : 'openai',
      model,
    });

    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };

    if (azure) {
      if (!url.searchParams.get('api-version')) {
        return json(404, { error: { code: '404', message: 'Resource not found' } });
      }
      if (opts.apiKey !== undefined && req.headers['api-key'] !== opts.apiKey) {
        return json(401, { error: { code: '401', message: `Access denied due to invalid subscription key ${String(req.headers['api-key'])} or wrong API endpoint.` } });
      }
    } else if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      const got = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      return json(401, { error: { message: `Incorrect API key provided: ${got}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    }

    const behaviour = (BEHAVIOURS as readonly string[]).includes(model ?? '') ? (model as Behaviour) : 'ok';
    const headers: Record<string, string> = azure
      ? { 'x-ms-region': 'East US', 'x-ratelimit-remaining-requests': '99', 'x-ratelimit-remaining-tokens': '9000' }
      : { 'x-ratelimit-remaining-requests': '4999', 'x-ratelimit-remaining-tokens': '159000', 'x-request-id': 'req_fake' };

    switch (behaviour) {
      case 'unauthorized':
        return json(401, { error: { message: 'Incorrect API key provided: sk-****. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      case 'not_found':
        return json(404, { error: { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' } });
      case 'rate_limited':
        return json(429, { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, { 'retry-after': String(opts.retryAfterS ?? 20) });
      case 'server_error':
        return json(500, { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } });
      case 'hang':
        return; // never answers; the client's timeout must end it
      case 'hang_body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"id":"chatcmpl-1","choices":[');
        return; // headers and half a body, then nothing
      case 'reset':
        req.socket.destroy();
        return;
      case 'reset_body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"id":"chatcmpl-1",', () => req.socket.destroy());
        return;
      case 'not_json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html><body>502 Bad Gateway</body></html>');
        return;
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const filler = Buffer.alloc(1024 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < 50 && res.write(filler)) sent++;
          if (sent < 50 && !res.destroyed) res.once('drain', pump);
          else res.end();
        };
        res.write('{"pad":"');
        pump();
        return;
      }
      case 'error_200':
        return json(200, { error: { message: 'upstream model crashed', type: 'server_error' } });
      case 'no_choices':
        return json(200, { id: 'chatcmpl-1', object: 'chat.completion', choices: [] }, headers);
      case 'slow':
        setTimeout(() => json(200, chatCompletion(model), headers), opts.slowMs ?? 200);
        return;
      default:
        return json(200, chatCompletion(model), headers);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openaiBase: `${url}/v1`,
    requests,
    count: (model) => requests.filter((r) => r.model === model).length,
    reset: () => { requests.length = 0; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

function chatCompletion(model: string | undefined) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: model ?? 'unknown',
    choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
  };
}
