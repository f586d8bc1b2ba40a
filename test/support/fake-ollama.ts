import { behaviourOf, startFakeServer, type FakeServer, type Reply } from './fake-server.js';

/**
 * A fake Ollama server (github.com/ollama/ollama/blob/main/docs/api.md) on loopback:
 * `POST /api/chat`, `POST /api/generate`, `POST /api/embed`, `GET /api/tags`. Without
 * `stream: false` it streams NDJSON, as Ollama does. Errors are `{"error": "…"}`: 404 for a
 * model not pulled, 400 for a bad body, 500 when the runner dies, 503 when its queue is full;
 * with `apiKey` set (a proxy or Ollama's cloud in front), 401 `unauthorized` without that bearer.
 *
 * The body's model (or X-Fake-Behaviour) picks the behaviour: ok | length | empty |
 * not_found | runner_died | busy | hang.
 */
const err = (status: number, error: string): Reply => ({ status, json: { error } });

export async function startFakeOllama(opts: { apiKey?: string } = {}): Promise<FakeServer> {
  return startFakeServer((req) => {
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) return err(401, 'unauthorized');
    const model: string | undefined = req.body?.model;
    switch (behaviourOf(req, model)) {
      case 'not_found': return err(404, `model "${model}" not found, try pulling it first`);
      case 'runner_died': return err(500, 'llama runner process has terminated: signal: killed');
      case 'busy': return err(503, 'server busy, please try again.  maximum pending requests exceeded');
      case 'hang': return 'hang';
    }
    if (req.method === 'GET' && req.path === '/api/tags') {
      return { status: 200, json: { models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest', modified_at: '2025-01-01T00:00:00Z', size: 2019393189, digest: 'a80c4f17acd5', details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' } }] } };
    }
    if (req.method !== 'POST' || !['/api/chat', '/api/generate', '/api/embed'].includes(req.path)) return { status: 404, text: '404 page not found' };
    if (!req.body) return err(400, 'unexpected EOF');
    if (typeof model !== 'string' || !model) return err(400, 'model is required');
    const behaviour = behaviourOf(req, model);
    const created_at = new Date().toISOString();
    const timings = { total_duration: 5043500667, load_duration: 5025959, prompt_eval_count: 26, prompt_eval_duration: 325953000, eval_count: 2, eval_duration: 4709213000 };
    if (req.path === '/api/embed') {
      if (req.body.input === undefined) return err(400, 'invalid input type');
      return { status: 200, json: { model, embeddings: behaviour === 'empty' ? [] : [[0.010071029, -0.0017594862, 0.05007221]], total_duration: 14143917, load_duration: 1019500, prompt_eval_count: 1 } };
    }
    if (req.body.stream !== false) {
      // Ollama streams by default: NDJSON, one object per token.
      return { status: 200, text: `${JSON.stringify({ model, created_at, message: { role: 'assistant', content: 'po' }, done: false })}\n`, headers: { 'content-type': 'application/x-ndjson' } };
    }
    const doneReason = behaviour === 'length' ? 'length' : 'stop';
    const text = behaviour === 'length' ? '' : 'pong';
    if (req.path === '/api/chat') {
      if (!Array.isArray(req.body.messages)) return err(400, 'messages is required');
      if (behaviour === 'empty') return { status: 200, json: { model, created_at, done: true, done_reason: 'stop', ...timings } };
      return { status: 200, json: { model, created_at, message: { role: 'assistant', content: text }, done_reason: doneReason, done: true, ...timings } };
    }
    if (behaviour === 'empty') return { status: 200, json: { model, created_at, done: true, ...timings } };
    return { status: 200, json: { model, created_at, response: text, done: true, done_reason: doneReason, context: [1, 2, 3], ...timings } };
  });
}
