import { behaviourOf, startFakeServer, type FakeServer, type Reply } from './fake-server.js';

/**
 * A fake Cohere API v2 (docs.cohere.com/v2/reference) on loopback: `POST /v2/chat`,
 * `POST /v2/embed`, `POST /v2/rerank`, `GET /v1/models`, bearer auth. Errors are
 * `{"id", "message"}` with the documented statuses: 400, 401 ("invalid api token", "no api key
 * supplied"), 402, 404, 429, 499, 500.
 *
 * The body's model (or X-Fake-Behaviour) picks the behaviour: ok | length | empty | failed |
 * not_found | payment | rate_limited | server_error | hang.
 */
const err = (status: number, message: string, headers: Record<string, string> = {}): Reply => ({
  status,
  json: { id: '4f6a-fake', message },
  headers,
});

export async function startFakeCohere(opts: { apiKey?: string } = {}): Promise<FakeServer> {
  return startFakeServer((req) => {
    const auth = req.headers.authorization;
    if (opts.apiKey !== undefined) {
      if (!auth) return err(401, 'no api key supplied');
      if (auth !== `Bearer ${opts.apiKey}`) return err(401, 'invalid api token');
    }
    const model: string | undefined = req.body?.model;
    switch (behaviourOf(req, model)) {
      case 'not_found': return err(404, `model '${model}' not found, make sure the correct model ID was used and that you have access to the model.`);
      case 'payment': return err(402, 'Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue');
      case 'rate_limited': return err(429, 'You are using a Trial key, which is limited to 10 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at \'https://dashboard.cohere.com/api-keys\'. Contact us on \'https://discord.gg/XW44jPfYJu\' or email us at support@cohere.com with any questions');
      case 'server_error': return err(500, 'internal server error, this has been reported to our developers');
      case 'hang': return 'hang';
    }
    if (req.method === 'GET' && req.path === '/v1/models') {
      return { status: 200, json: { models: [{ name: 'command-r-plus-08-2024', endpoints: ['generate', 'chat', 'summarize'], finetuned: false, context_length: 128000 }], next_page_token: '' } };
    }
    if (req.method !== 'POST' || !['/v2/chat', '/v2/embed', '/v2/rerank'].includes(req.path)) return err(404, `the requested resource could not be found`);
    if (typeof model !== 'string') return err(400, 'invalid request: model is required');
    const behaviour = behaviourOf(req, model);
    const meta = { api_version: { version: '2' }, billed_units: { input_tokens: 1, output_tokens: 1 } };
    if (req.path === '/v2/chat') {
      if (!Array.isArray(req.body.messages) || req.body.messages.length === 0) return err(400, 'invalid request: messages must be at least 1 item');
      if (behaviour === 'empty') return { status: 200, json: { id: 'c-1', finish_reason: 'COMPLETE', usage: meta } };
      if (behaviour === 'failed') return { status: 200, json: { id: 'c-1', finish_reason: 'ERROR', message: { role: 'assistant', content: [] }, usage: meta } };
      const length = behaviour === 'length';
      return { status: 200, json: { id: 'c-1', finish_reason: length ? 'MAX_TOKENS' : 'COMPLETE', message: { role: 'assistant', content: length ? [] : [{ type: 'text', text: 'pong' }] }, usage: { billed_units: { input_tokens: 1, output_tokens: 1 }, tokens: { input_tokens: 65, output_tokens: 1 } } } };
    }
    if (req.path === '/v2/embed') {
      if (!Array.isArray(req.body.texts)) return err(400, 'invalid request: texts is required');
      if (!req.body.input_type) return err(400, 'invalid request: valid input_type must be provided with the provided model');
      if (behaviour === 'empty') return { status: 200, json: { id: 'e-1', embeddings: {}, texts: req.body.texts, meta } };
      return { status: 200, json: { id: 'e-1', embeddings: { float: [[0.016296387, -0.008354187, -0.04699707]] }, texts: req.body.texts, meta } };
    }
    if (!req.body.query || !Array.isArray(req.body.documents)) return err(400, 'invalid request: query and documents are required');
    if (behaviour === 'empty') return { status: 200, json: { id: 'r-1', results: [], meta } };
    return { status: 200, json: { id: 'r-1', results: [{ index: 0, relevance_score: 0.9 }], meta } };
  });
}
