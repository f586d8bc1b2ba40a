import { behaviourOf, startFakeServer, type FakeServer, type Reply } from './fake-server.js';

/**
 * A fake Anthropic API on loopback (docs.anthropic.com/en/api): `POST /v1/messages` and
 * `GET /v1/models`, `x-api-key` and `anthropic-version` required, and its error bodies
 * `{"type":"error","error":{"type","message"},"request_id"}` with their statuses (400
 * invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
 * 429 rate_limit_error with retry-after, 500 api_error, 529 overloaded_error). Success answers
 * carry the anthropic-ratelimit-* headers.
 *
 * The model (or an X-Fake-Behaviour header) picks the behaviour: ok | length | empty |
 * unauthorized | forbidden | not_found | rate_limited | server_error | overloaded | bad_request |
 * hang. With `apiKey` set, any other x-api-key (or bearer key) gets the real 401.
 */
export const ANTHROPIC_RATE_HEADERS = {
  'anthropic-ratelimit-requests-limit': '50',
  'anthropic-ratelimit-requests-remaining': '49',
  'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:01Z',
  'anthropic-ratelimit-tokens-limit': '40000',
  'anthropic-ratelimit-tokens-remaining': '39000',
  'anthropic-ratelimit-tokens-reset': '2026-01-01T00:00:01Z',
};

const error = (status: number, type: string, message: string, headers: Record<string, string> = {}): Reply => ({
  status,
  json: { type: 'error', error: { type, message }, request_id: 'req_011CFake' },
  headers: { 'request-id': 'req_011CFake', ...headers },
});

export async function startFakeAnthropic(opts: { apiKey?: string; retryAfterS?: number } = {}): Promise<FakeServer> {
  return startFakeServer((req) => {
    if (!req.headers['anthropic-version']) return error(400, 'invalid_request_error', 'anthropic-version: header is required');
    // The key as x-api-key, or (API versions from 2026-10-21 on, as SDK 1.x sends it) a bearer.
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (opts.apiKey !== undefined && (req.headers['x-api-key'] ?? bearer) !== opts.apiKey) return error(401, 'authentication_error', 'invalid x-api-key');
    const model: string | undefined = req.body?.model;
    switch (behaviourOf(req, model)) {
      case 'unauthorized': return error(401, 'authentication_error', 'invalid x-api-key');
      case 'forbidden': return error(403, 'permission_error', 'Your API key does not have permission to use the specified resource.');
      case 'not_found': return error(404, 'not_found_error', `model: ${model}`);
      case 'rate_limited': return error(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': String(opts.retryAfterS ?? 30), ...ANTHROPIC_RATE_HEADERS, 'anthropic-ratelimit-tokens-remaining': '0' });
      case 'server_error': return error(500, 'api_error', 'Internal server error');
      case 'overloaded': return error(529, 'overloaded_error', 'Overloaded');
      case 'bad_request': return error(400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API.');
      case 'hang': return 'hang';
    }
    if (req.method === 'GET' && req.path === '/v1/models') {
      return { status: 200, json: { data: [{ type: 'model', id: 'claude-sonnet-4-20250514', display_name: 'Claude Sonnet 4', created_at: '2025-05-22T00:00:00Z' }], has_more: false, first_id: 'claude-sonnet-4-20250514', last_id: 'claude-sonnet-4-20250514' }, headers: { 'request-id': 'req_011CFake' } };
    }
    if (req.method !== 'POST' || req.path !== '/v1/messages') return error(404, 'not_found_error', 'Not found');
    if (!String(req.headers['content-type']).startsWith('application/json')) return error(400, 'invalid_request_error', 'Invalid request: content-type must be application/json');
    if (typeof req.body?.max_tokens !== 'number') return error(400, 'invalid_request_error', 'max_tokens: Field required');
    if (!Array.isArray(req.body?.messages) || req.body.messages.length === 0) return error(400, 'invalid_request_error', 'messages: Field required');
    const behaviour = behaviourOf(req, model);
    const message = {
      id: 'msg_01Fake',
      type: 'message',
      role: 'assistant',
      model,
      content: behaviour === 'length' ? [] : [{ type: 'text', text: 'pong' }],
      stop_reason: behaviour === 'length' ? 'max_tokens' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 8, output_tokens: behaviour === 'length' ? req.body.max_tokens : 2 },
    };
    if (behaviour === 'empty') return { status: 200, json: { id: 'msg_01Fake', type: 'message', role: 'assistant', model }, headers: ANTHROPIC_RATE_HEADERS };
    return { status: 200, json: message, headers: { 'request-id': 'req_011CFake', ...ANTHROPIC_RATE_HEADERS } };
  });
}
