import { behaviourOf, startFakeServer, type FakeServer, type Recorded, type Reply } from './fake-server.js';

/**
 * A fake Gemini API (Google AI Studio, ai.google.dev/api) on loopback:
 * `POST /v1beta/models/{model}:generateContent`, `:batchEmbedContents` and `:embedContent`,
 * `GET /v1beta/models`, the key in `x-goog-api-key` (or `?key=`, which Google accepts too). Errors are google.rpc.Status
 * bodies `{"error":{"code","message","status","details"}}`: a wrong key is 400 INVALID_ARGUMENT
 * with reason API_KEY_INVALID, a missing key 403 PERMISSION_DENIED, quota 429
 * RESOURCE_EXHAUSTED with a RetryInfo retryDelay, 404 NOT_FOUND, 500 INTERNAL, 503 UNAVAILABLE.
 *
 * The model in the path (or X-Fake-Behaviour) picks the behaviour: ok | length | empty |
 * not_found | forbidden | rate_limited | server_error | overloaded | echo_url | echo_key | hang.
 * `echo_url` answers 400 with the request URL in its message, the key added as `?key=` (Google's
 * other way to send it), and `echo_key` quotes the key itself: the worst cases for leaks, to
 * prove redaction.
 */
export const GEMINI_MODELS = [
  { name: 'models/gemini-2.0-flash', version: '2.0', displayName: 'Gemini 2.0 Flash', inputTokenLimit: 1048576, outputTokenLimit: 8192, supportedGenerationMethods: ['generateContent', 'countTokens'] },
  { name: 'models/text-embedding-004', version: '004', displayName: 'Text Embedding 004', inputTokenLimit: 2048, outputTokenLimit: 1, supportedGenerationMethods: ['embedContent'] },
];

const status = (code: number, s: string, message: string, details?: unknown[]): Reply => ({
  status: code,
  json: { error: { code, message, status: s, ...(details ? { details } : {}) } },
});

function keyOf(req: Recorded): string | undefined {
  return req.query.key ?? (req.headers['x-goog-api-key'] as string | undefined);
}

export async function startFakeGemini(opts: { apiKey?: string } = {}): Promise<FakeServer> {
  return startFakeServer((req) => {
    const key = keyOf(req);
    if (opts.apiKey !== undefined) {
      if (!key) return status(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
      if (key !== opts.apiKey) {
        return status(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
        ]);
      }
    }
    const m = /^\/v1(?:beta)?\/models\/([^:/]+):(generateContent|embedContent|batchEmbedContents)$/.exec(req.path);
    const model = m?.[1];
    switch (behaviourOf(req, model)) {
      case 'not_found': return status(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`);
      case 'forbidden': return status(403, 'PERMISSION_DENIED', 'Permission denied: Consumer has been suspended.');
      case 'rate_limited': return status(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' },
      ]);
      case 'server_error': return status(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
      case 'overloaded': return status(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
      case 'echo_url': return status(400, 'INVALID_ARGUMENT', `Invalid request to http://fake${req.rawTarget}${req.rawTarget.includes('?') ? '&' : '?'}key=${key ?? ''}`);
      case 'echo_key': return status(400, 'INVALID_ARGUMENT', `API key ${key ?? ''} is not enabled for this project.`);
      case 'hang': return 'hang';
    }
    if (req.method === 'GET' && /^\/v1(beta)?\/models$/.test(req.path)) return { status: 200, json: { models: GEMINI_MODELS } };
    if (!m || req.method !== 'POST') return status(404, 'NOT_FOUND', `Requested entity was not found.`);
    if (!req.body) return status(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    const behaviour = behaviourOf(req, model);
    if (m[2] === 'batchEmbedContents') {
      const first = Array.isArray(req.body.requests) ? req.body.requests[0] : undefined;
      if (!first?.content?.parts?.length) return status(400, 'INVALID_ARGUMENT', '* BatchEmbedContentsRequest.requests[0].content: contents is not specified');
      if (first.model !== `models/${model}`) return status(400, 'INVALID_ARGUMENT', `* BatchEmbedContentsRequest.requests[0].model: model names a different model (${String(first.model)})`);
      return { status: 200, json: behaviour === 'empty' ? { embeddings: [{}] } : { embeddings: [{ values: [0.013168523, -0.008711934, -0.046782676] }] } };
    }
    if (m[2] === 'embedContent') {
      if (!req.body.content?.parts?.length) return status(400, 'INVALID_ARGUMENT', '* EmbedContentRequest.content: contents is not specified');
      return { status: 200, json: behaviour === 'empty' ? { embedding: {} } : { embedding: { values: [0.013168523, -0.008711934, -0.046782676] } } };
    }
    if (!Array.isArray(req.body.contents) || req.body.contents.length === 0) return status(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified');
    if (behaviour === 'empty') return { status: 200, json: { promptFeedback: { blockReason: 'OTHER' }, usageMetadata: { promptTokenCount: 1, totalTokenCount: 1 }, modelVersion: model } };
    const candidate = behaviour === 'length'
      ? { content: { role: 'model' }, finishReason: 'MAX_TOKENS', index: 0 }
      : { content: { parts: [{ text: 'pong' }], role: 'model' }, finishReason: 'STOP', avgLogprobs: -0.01, index: 0 };
    return { status: 200, json: { candidates: [candidate], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 }, modelVersion: model, responseId: 'resp-fake' } };
  });
}
