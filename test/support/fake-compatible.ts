import { behaviourOf, startFakeServer, type FakeServer, type Recorded, type Reply } from './fake-server.js';

/**
 * Fakes of the OpenAI-compatible providers, one server per provider, each under its documented
 * base path, with its auth header and its own error bodies (which differ: xAI's `error` is a
 * string, vLLM's message is top level, Mistral's 401 is `{message, request_id}`, Perplexity's
 * 401 is an HTML page from its proxy, Azure AI's is `{error: {code, message, status}}`).
 * Success answers are OpenAI's shapes; Together's model list is a bare array, as Together sends it.
 *
 * The X-Fake-Behaviour header (extra_headers), else the JSON body's model, picks the behaviour:
 * ok | empty | unauthorized | not_found | rate_limited | server_error | hang. With `apiKey` set, a
 * request without that key gets the provider's 401.
 */
export type CompatibleProvider =
  | 'groq' | 'mistral' | 'deepseek' | 'together_ai' | 'fireworks_ai' | 'openrouter' | 'xai' | 'perplexity'
  | 'hosted_vllm' | 'lm_studio' | 'azure_ai' | 'voyage';

interface Profile {
  /** Where the provider's OpenAI routes live, e.g. /openai/v1 at Groq. */
  basePath: string;
  /** How the key arrives. */
  auth: 'bearer' | 'api-key';
  /** Answer headers on success (rate limits where the provider sends them). */
  headers?: Record<string, string>;
  unauthorized: Reply;
  notFound: (model: string) => Reply;
  rateLimited: Reply;
  serverError: Reply;
  /** Together answers GET /models with a bare array. */
  bareModelList?: boolean;
}

const openAiError = (status: number, message: string, type: string, code: string | number | null, headers?: Record<string, string>): Reply =>
  ({ status, json: { error: { message, type, param: null, code } }, ...(headers ? { headers } : {}) });

export const PROFILES: Record<CompatibleProvider, Profile> = {
  groq: {
    basePath: '/openai/v1', auth: 'bearer',
    headers: { 'x-ratelimit-remaining-requests': '14399', 'x-ratelimit-remaining-tokens': '5990', 'x-groq-region': 'us-east-1' },
    unauthorized: openAiError(401, 'Invalid API Key', 'invalid_request_error', 'invalid_api_key'),
    notFound: (m) => openAiError(404, `The model \`${m}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'),
    rateLimited: openAiError(429, 'Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Used 5990, Requested 100. Please try again in 900ms.', 'tokens', 'rate_limit_exceeded', { 'retry-after': '1' }),
    serverError: openAiError(500, 'Internal Server Error', 'internal_server_error', null),
  },
  mistral: {
    basePath: '/v1', auth: 'bearer',
    unauthorized: { status: 401, json: { message: 'Unauthorized', request_id: '3c6f2d0e-fake' } },
    notFound: (m) => ({ status: 400, json: { object: 'error', message: `Invalid model: ${m}`, type: 'invalid_model', param: null, code: '1500' } }),
    rateLimited: { status: 429, json: { message: 'Requests rate limit exceeded', request_id: '3c6f2d0e-fake' } },
    serverError: { status: 500, json: { object: 'error', message: 'Service unavailable.', type: 'internal_server_error', param: null, code: '3000' } },
  },
  deepseek: {
    basePath: '', auth: 'bearer',
    unauthorized: openAiError(401, 'Authentication Fails, Your api key: ****0001 is invalid', 'authentication_error', 'invalid_request_error'),
    notFound: () => openAiError(400, 'Model Not Exist', 'invalid_request_error', 'invalid_request_error'),
    rateLimited: openAiError(429, 'Rate Limit Reached', 'rate_limit_error', 'rate_limit_error'),
    serverError: openAiError(503, 'Server Overloaded', 'server_error', 'server_error'),
  },
  together_ai: {
    basePath: '/v1', auth: 'bearer', bareModelList: true,
    headers: { 'x-ratelimit-remaining': '99' },
    unauthorized: openAiError(401, 'Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.', 'invalid_request_error', 'invalid_api_key'),
    notFound: (m) => openAiError(404, `Unable to access model ${m}. Please visit https://api.together.ai/models to view the list of supported models.`, 'invalid_request_error', 'model_not_available'),
    rateLimited: openAiError(429, 'You have been rate limited. Please try again later.', 'rate_limit', 'rate_limit_exceeded'),
    serverError: openAiError(500, 'Internal server error', 'server_error', null),
  },
  fireworks_ai: {
    basePath: '/inference/v1', auth: 'bearer',
    unauthorized: { status: 401, json: { error: { object: 'error', type: 'invalid_request_error', message: 'The API key you provided is invalid.' } } },
    notFound: (m) => ({ status: 404, json: { error: { object: 'error', type: 'invalid_request_error', code: 'NOT_FOUND', message: `Model not found, inaccessible, and/or not deployed: ${m}` } } }),
    rateLimited: { status: 429, json: { error: { object: 'error', type: 'invalid_request_error', message: 'rate limit exceeded, please try again later' } } },
    serverError: { status: 500, json: { error: { object: 'error', type: 'internal_server_error', message: 'server had an error while processing your request' } } },
  },
  openrouter: {
    basePath: '/api/v1', auth: 'bearer',
    unauthorized: { status: 401, json: { error: { message: 'No auth credentials found', code: 401 } } },
    notFound: (m) => ({ status: 400, json: { error: { message: `${m} is not a valid model ID`, code: 400 }, user_id: 'user_fake' } }),
    rateLimited: { status: 429, json: { error: { message: 'Rate limit exceeded: free-models-per-min. ', code: 429, metadata: { headers: { 'X-RateLimit-Limit': '20' } } } } },
    serverError: { status: 502, json: { error: { message: 'Provider returned error', code: 502, metadata: { provider_name: 'Fake' } } } },
  },
  xai: {
    basePath: '/v1', auth: 'bearer',
    unauthorized: { status: 400, json: { code: 'Client specified an invalid argument', error: 'Incorrect API key provided: xa***01. You can obtain an API key from https://console.x.ai.' } },
    notFound: (m) => ({ status: 404, json: { code: 'Some requested entity was not found', error: `The model ${m} does not exist or your team does not have access to it.` } }),
    rateLimited: { status: 429, json: { code: 'Some resource has been exhausted', error: 'Your team has either used all available credits or reached its monthly spending limit.' } },
    serverError: { status: 500, json: { code: 'Internal error', error: 'Service temporarily unavailable. The model is at capacity.' } },
  },
  perplexity: {
    basePath: '', auth: 'bearer',
    unauthorized: { status: 401, text: '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>openresty/1.25.3.1</center>\r\n</body>\r\n</html>\r\n', headers: { 'content-type': 'text/html' } },
    notFound: (m) => ({ status: 400, json: { error: { message: `Invalid model '${m}'. Permitted models can be found in the documentation at https://docs.perplexity.ai/guides/model-cards.`, type: 'invalid_model', code: 400 } } }),
    rateLimited: { status: 429, json: { error: { message: 'Rate limit exceeded', type: 'rate_limit_exceeded', code: 429 } } },
    serverError: { status: 500, json: { error: { message: 'Internal server error', type: 'internal_server_error', code: 500 } } },
  },
  hosted_vllm: {
    basePath: '/v1', auth: 'bearer',
    unauthorized: { status: 401, json: { error: 'Unauthorized' } },
    notFound: (m) => ({ status: 404, json: { object: 'error', message: `The model \`${m}\` does not exist.`, type: 'NotFoundError', param: null, code: 404 } }),
    rateLimited: { status: 429, json: { object: 'error', message: 'Too many requests', type: 'TooManyRequests', param: null, code: 429 } },
    serverError: { status: 500, json: { object: 'error', message: 'EngineCore encountered an issue. See stack trace (above) for the root cause.', type: 'InternalServerError', param: null, code: 500 } },
  },
  lm_studio: {
    basePath: '/v1', auth: 'bearer',
    unauthorized: { status: 401, json: { error: { message: 'Invalid API token', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } },
    notFound: (m) => openAiError(404, `Model "${m}" not found. Please specify a valid model.`, 'invalid_request_error', 'model_not_found'),
    rateLimited: openAiError(429, 'Too many requests', 'rate_limit', null),
    serverError: { status: 500, json: { error: 'Model has unloaded or crashed..' } },
  },
  voyage: {
    basePath: '/v1', auth: 'bearer',
    unauthorized: { status: 401, json: { detail: 'Provided API key is invalid.' } },
    notFound: (m) => ({ status: 400, json: { detail: `Model ${m} is not supported. Supported models are voyage-3, voyage-3-lite.` } }),
    rateLimited: { status: 429, json: { detail: 'You have exceeded your rate limit.' } },
    serverError: { status: 500, json: { detail: 'Internal server error.' } },
  },
  azure_ai: {
    basePath: '', auth: 'bearer',
    unauthorized: { status: 401, json: { error: { code: 'Unauthorized', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.', status: 401 } } },
    notFound: (m) => ({ status: 404, json: { error: { code: 'unknown_model', message: `Unknown model: ${m}`, details: `Unknown model: ${m}`, status: 404 } } }),
    rateLimited: { status: 429, json: { error: { code: '429', message: 'Requests to the ChatCompletions_Create Operation under Azure AI Model Inference API have exceeded call rate limit. Please retry after 3 seconds.', status: 429 } }, headers: { 'retry-after': '3' } },
    serverError: { status: 500, json: { error: { code: 'InternalServerError', message: 'The service is temporarily unable to process your request.', status: 500 } } },
  },
};

function keyOf(req: Recorded, p: Profile): string | undefined {
  if (p.auth === 'api-key') return req.headers['api-key'] as string | undefined;
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

export async function startFakeCompatible(provider: CompatibleProvider, opts: { apiKey?: string } = {}): Promise<FakeServer & { basePath: string; base: string }> {
  const p = PROFILES[provider];
  const server = await startFakeServer((req) => {
    if (opts.apiKey !== undefined && keyOf(req, p) !== opts.apiKey) return p.unauthorized;
    const model: string | undefined = req.body?.model;
    const behaviour = behaviourOf(req, model);
    switch (behaviour) {
      case 'unauthorized': return p.unauthorized;
      case 'not_found': return p.notFound(model ?? 'unknown');
      case 'rate_limited': return p.rateLimited;
      case 'server_error': return p.serverError;
      case 'hang': return 'hang';
    }
    if (!req.path.startsWith(`${p.basePath}/`)) return { status: 404, json: { detail: 'Not Found' } };
    const route = req.path.slice(p.basePath.length);
    const empty = behaviour === 'empty';
    const ok = (json: unknown): Reply => ({ status: 200, json: empty ? {} : json, ...(p.headers ? { headers: p.headers } : {}) });
    if (req.method === 'GET' && route === '/models') {
      const models = [{ id: 'model-1', object: 'model', created: 1700000000, owned_by: provider }];
      return ok(p.bareModelList ? models : { object: 'list', data: models });
    }
    if (req.method === 'GET' && route === '/batches') return ok({ object: 'list', data: [], has_more: false });
    // Mistral's OCR, and the same API on Azure AI Foundry.
    if (req.method === 'POST' && (route === '/ocr' || route === '/providers/mistral/azure/ocr')) {
      return ok({ pages: [{ index: 0, markdown: 'ping', images: [], dimensions: { dpi: 200, height: 2200, width: 1700 } }], model, document_annotation: null, usage_info: { pages_processed: 1, doc_size_bytes: 400 } });
    }
    if (req.method !== 'POST') return { status: 405, json: { error: { message: 'Method Not Allowed' } } };
    switch (route) {
      case '/chat/completions':
        return ok({ id: 'chatcmpl-fake', object: 'chat.completion', created: 1700000000, model, choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }], usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 } });
      case '/completions':
        return ok({ id: 'cmpl-fake', object: 'text_completion', created: 1700000000, model, choices: [{ index: 0, text: ' pong', finish_reason: 'stop' }] });
      case '/responses':
        return ok({ id: 'resp_fake', object: 'response', status: 'completed', model, output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'pong' }] }] });
      case '/embeddings':
        return ok({ object: 'list', model, data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0093, 0.0157] }], usage: { prompt_tokens: 1, total_tokens: 1 } });
      case '/rerank':
        return ok({ id: 'rr-fake', model, results: [{ index: 0, relevance_score: 0.98 }] });
      case '/moderations':
        return ok({ id: 'mod-fake', model, results: [{ categories: { sexual: false }, category_scores: { sexual: 0.0001 } }] });
      case '/images/generations':
        return ok({ created: 1700000000, data: [{ url: 'https://images.example/probe.png' }] });
      case '/audio/transcriptions':
        return ok({ text: 'ping' });
      case '/audio/speech':
        return empty
          ? { status: 200, text: 'not audio' }
          : { status: 200, bytes: Buffer.concat([Buffer.from('ID3'), Buffer.alloc(256, 0x11)]), headers: { 'content-type': 'audio/mpeg' } };
      default:
        return { status: 404, json: { error: { message: `Unknown request URL: POST ${req.path}`, type: 'invalid_request_error' } } };
    }
  });
  return Object.assign(server, { basePath: p.basePath, base: `${server.url}${p.basePath}` });
}
