import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * A fake LLM provider on loopback speaking the OpenAI and Azure OpenAI wire formats, including
 * their error bodies. The model (OpenAI: body.model; Azure: the deployment in the path) picks
 * the behaviour, so one server plays healthy and failing deployments side by side:
 *
 *   ok | unauthorized | not_found | rate_limited | server_error | hang | hang_body | reset |
 *   reset_body | not_json | huge | error_200 | no_choices | null_choice | slow (answers after `slowMs`)
 *
 * Any other model name answers like `ok`: each path gets its endpoint's real success shape
 * (chat, completions, responses, embeddings, images, audio, batches, rerank, moderations,
 * models, videos (the list, and a queued job), Mistral-style OCR, and the realtime websocket's
 * session.created). Mode-specific models: `empty` answers
 * 200 `{}`, `policy` refuses an image edit for content policy, `text_audio` answers speech
 * with text/plain, `length` returns an empty chat answer cut by max_tokens, `ws_reject`
 * refuses the realtime handshake. An `X-Fake-Behaviour` request header picks the behaviour for
 * calls that name no model. When `apiKey` is set, a request without that key gets a 401
 * whose message echoes the key it received, the worst case for leaks.
 */
export const BEHAVIOURS = [
  'ok', 'unauthorized', 'not_found', 'rate_limited', 'server_error', 'hang', 'hang_body', 'reset',
  'reset_body', 'not_json', 'huge', 'error_200', 'no_choices', 'slow', 'empty', 'policy', 'text_audio',
  'length', 'ws_reject', 'null_choice',
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
  /** Epoch ms when the request arrived, and when its answer ended (undefined while open). */
  at: number;
  endedAt?: number;
  /** Fields of a multipart body: strings, or files with name, type and bytes. */
  form?: Record<string, string | { filename: string; type: string; bytes: Buffer }>;
}

export interface FakeUpstream {
  url: string;
  /** http://127.0.0.1:PORT/v1, the api_base for OpenAI-style deployments. */
  openaiBase: string;
  requests: RecordedRequest[];
  /** Requests per model since start (or the last reset). */
  count(model: string): number;
  /** Behaviours set at run time per model (an outage that starts and ends): model → behaviour. */
  behaviourOf: Map<string, Behaviour>;
  /** Requests open at once: now, and the most since the last reset. */
  open: number;
  maxOpen: number;
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
  let lastJsonMode = false;
  const fake = { open: 0, maxOpen: 0 } as FakeUpstream;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { void handle(req, res, Buffer.concat(chunks)); });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const model = url.searchParams.get('model') ?? url.searchParams.get('deployment') ?? undefined;
    requests.push({ at: Date.now(), method: 'WS', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: undefined, rawBody: Buffer.alloc(0), dialect: url.pathname.startsWith('/openai/') ? 'azure' : 'openai', model });
    const keyOk = opts.apiKey === undefined || req.headers.authorization === `Bearer ${opts.apiKey}` || req.headers['api-key'] === opts.apiKey;
    if (!keyOk || model === 'ws_reject' || !/\/realtime$/.test(url.pathname)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ type: 'session.created', event_id: 'event_1', session: { id: 'sess_1', model } }));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const azure = /^\/openai\/deployments\/([^/]+)\//.exec(url.pathname);
    let body: any;
    const contentType = req.headers['content-type'] ?? '';
    if (contentType.includes('json') && rawBody.length) {
      try { body = JSON.parse(rawBody.toString('utf8')); } catch { body = undefined; }
    }
    let form: RecordedRequest['form'];
    if (contentType.startsWith('multipart/form-data')) {
      form = {};
      const fd = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': contentType }, body: rawBody }).formData();
      for (const [k, v] of fd) {
        form[k] = typeof v === 'string' ? v : { filename: (v as File).name, type: v.type, bytes: Buffer.from(await v.arrayBuffer()) };
      }
    }
    const model = azure ? decodeURIComponent(azure[1]!) : typeof body?.model === 'string' ? body.model : typeof form?.model === 'string' ? form.model : undefined;
    lastJsonMode = body?.response_format?.type === 'json_object';
    const record: RecordedRequest = {
      at: Date.now(),
      form,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      rawBody,
      dialect: azure || url.pathname.startsWith('/openai/') ? 'azure' : 'openai',
      model,
    };
    requests.push(record);
    fake.open++;
    fake.maxOpen = Math.max(fake.maxOpen, fake.open);
    res.on('close', () => { fake.open--; record.endedAt = Date.now(); });

    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };

    if (azure || url.pathname.startsWith('/openai/')) {
      // Azure's v1 API (/openai/v1/…: videos) takes no api-version.
      if (!url.searchParams.get('api-version') && !url.pathname.startsWith('/openai/v1/')) {
        return json(404, { error: { code: '404', message: 'Resource not found' } });
      }
      if (opts.apiKey !== undefined && req.headers['api-key'] !== opts.apiKey) {
        return json(401, { error: { code: '401', message: `Access denied due to invalid subscription key ${String(req.headers['api-key'])} or wrong API endpoint.` } });
      }
    } else if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      const got = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      return json(401, { error: { message: `Incorrect API key provided: ${got}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    }

    // The model picks the behaviour; an X-Fake-Behaviour header (extra_headers) overrides it,
    // for calls that name no model (batch lists).
    const asked = String(req.headers['x-fake-behaviour'] ?? (model !== undefined ? fake.behaviourOf.get(model) : undefined) ?? model ?? '');
    const behaviour = (BEHAVIOURS as readonly string[]).includes(asked) ? (asked as Behaviour) : 'ok';
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
      case 'null_choice':
        return json(200, { id: 'chatcmpl-1', object: 'chat.completion', choices: [null] }, headers);
      case 'slow':
        setTimeout(() => json(200, chatCompletion(model), headers), opts.slowMs ?? 200);
        return;
      case 'empty':
        return json(200, {}, headers);
      case 'length':
        return json(200, { ...chatCompletion(model), choices: [{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'length' }] }, headers);
      case 'policy':
        return json(400, { error: { message: 'Your request was rejected as a result of our safety system.', type: 'invalid_request_error', param: null, code: 'content_policy_violation' } });
      default:
        return success(req.method ?? 'GET', url.pathname, model, behaviour, res, json, headers);
    }
  }

  /** The real success shape of each endpoint. */
  function success(method: string, path: string, model: string | undefined, behaviour: Behaviour, res: ServerResponse, json: (s: number, p: unknown, h?: Record<string, string>) => void, headers: Record<string, string>) {
    const created = Math.floor(Date.now() / 1000);
    if (path.endsWith('/chat/completions')) {
      const answer = chatCompletion(model);
      // JSON mode answers JSON, as the real API does.
      if (lastJsonMode) answer.choices[0]!.message.content = '{"ok":true}';
      return json(200, answer, headers);
    }
    if (path.endsWith('/completions')) return json(200, { id: 'cmpl-1', object: 'text_completion', created, model, choices: [{ text: ' pong', index: 0, finish_reason: 'stop' }] }, headers);
    if (path.endsWith('/responses')) return json(200, { id: 'resp_1', object: 'response', status: 'completed', model, output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'pong' }] }] }, headers);
    if (path.endsWith('/embeddings')) return json(200, { object: 'list', model, data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0093, 0.0157] }], usage: { prompt_tokens: 1, total_tokens: 1 } }, headers);
    if (path.endsWith('/images/generations') || path.endsWith('/images/edits')) return json(200, { created, data: [{ url: 'https://images.example/probe.png' }] }, headers);
    if (path.endsWith('/audio/transcriptions')) return json(200, { text: 'ping' }, headers);
    if (path.endsWith('/audio/speech')) {
      res.writeHead(200, { 'content-type': behaviour === 'text_audio' ? 'text/plain' : 'audio/mpeg', ...headers });
      res.end(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(512, 0x11)]));
      return;
    }
    if (path.endsWith('/videos') && method === 'GET') return json(200, { object: 'list', data: [], first_id: null, last_id: null, has_more: false }, headers);
    if (path.endsWith('/videos')) return json(200, { id: 'video_fake1', object: 'video', model, status: 'queued', progress: 0, created_at: created, seconds: '4', size: '720x1280' }, headers);
    if (path.endsWith('/ocr')) return json(200, { pages: [{ index: 0, markdown: 'ping', images: [], dimensions: { dpi: 200, height: 2200, width: 1700 } }], model, usage_info: { pages_processed: 1, doc_size_bytes: 400 } }, headers);
    if (path.endsWith('/batches')) return json(200, { object: 'list', data: [], first_id: null, last_id: null, has_more: false }, headers);
    if (path.endsWith('/rerank')) return json(200, { id: 'rr-1', results: [{ index: 0, relevance_score: 0.98 }], meta: {} }, headers);
    if (path.endsWith('/moderations')) return json(200, { id: 'modr-1', model, results: [{ flagged: false, categories: {}, category_scores: {} }] }, headers);
    if (path.endsWith('/models')) return json(200, { object: 'list', data: [{ id: 'gpt-4o', object: 'model', owned_by: 'system' }] }, headers);
    return json(404, { error: { message: `Invalid URL (${path})`, type: 'invalid_request_error', param: null, code: null } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  Object.assign(fake, {
    url,
    openaiBase: `${url}/v1`,
    requests,
    count: (model: string) => requests.filter((r) => r.model === model).length,
    behaviourOf: new Map<string, Behaviour>(),
    reset: () => { requests.length = 0; fake.maxOpen = fake.open; },
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  });
  return fake;
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
