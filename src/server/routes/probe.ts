import type { FastifyPluginAsync } from 'fastify';
import type { ProbeQuery, Views } from '../../views/index.js';
import { healthEntrySchema } from './health.js';
import { bool, closed, errorResponses, int, num, str } from './schema.js';
import { MODEL } from './selector.js';
import { viewRoute } from './view-route.js';

const headers = { type: 'object', additionalProperties: str } as const;

/** One traced request. Closed everywhere: the serialiser's allow-list too. */
const traceRequestSchema = {
  ...closed({
    operation: str,
    method: str,
    url: str,
    query: str,
    request_headers: headers,
    connection: closed({
      remote_address: str,
      remote_port: int,
      tls: closed({ version: str, subject: str, issuer: str, cert_expires_at: str, cert_expires_in_days: num }),
    }),
    status: int,
    response_headers: headers,
    body: str,
    body_bytes: int,
    body_truncated: bool,
    timings_ms: closed({ dns: num, connect: num, tls: num, first_byte: num, total: num }),
    error: str,
  }),
  required: ['operation', 'method', 'url', 'request_headers', 'timings_ms'],
} as const;

export const probeReportSchema = {
  ...closed({
    model_id: str,
    model_name: str,
    model: str,
    probed: bool,
    status: str,
    note: str,
    retry_after_s: num,
    result: healthEntrySchema,
    trace: closed({ requests: { type: 'array', items: traceRequestSchema } }),
  }),
  required: ['model_id', 'model_name', 'model', 'probed', 'status', 'result'],
} as const;

/**
 * GET /health/probe?model_id=ID[&debug=true]: one probe of one deployment now, within
 * health_check_min_interval (inside it: 429 with Retry-After and the last result), with a
 * redacted trace of its requests when debug is true. 200 whatever the probe found: the answer
 * is the report, not the verdict (that is /health?model_id=).
 */
export const probeRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  viewRoute<ProbeQuery>(app, views, '/health/probe', {
    querystring: {
      type: 'object',
      properties: { model_id: MODEL, debug: { type: 'boolean', default: false } },
      required: ['model_id'],
    },
    response: { 200: probeReportSchema, 429: probeReportSchema, ...errorResponses(400, 401, 403, 404, 409) },
  }, (q) => views.probe(q));
};
