import type { FastifyPluginAsync } from 'fastify';
import type { ProbeQuery, Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import { errorSchema, healthEntrySchema } from './health.js';
import { MODEL } from './selector.js';

const text = { type: 'string' } as const;
const number = { type: 'number' } as const;
const headers = { type: 'object', additionalProperties: text } as const;

/** One traced request. additionalProperties: false everywhere: the serialiser's allow-list too. */
const traceRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    operation: text,
    method: text,
    url: text,
    query: text,
    request_headers: headers,
    connection: {
      type: 'object',
      additionalProperties: false,
      properties: {
        remote_address: text,
        remote_port: { type: 'integer' },
        tls: {
          type: 'object',
          additionalProperties: false,
          properties: { version: text, subject: text, issuer: text, cert_expires_at: text, cert_expires_in_days: number },
        },
      },
    },
    status: { type: 'integer' },
    response_headers: headers,
    body: text,
    body_bytes: { type: 'integer' },
    body_truncated: { type: 'boolean' },
    timings_ms: {
      type: 'object',
      additionalProperties: false,
      properties: { dns: number, connect: number, tls: number, first_byte: number, total: number },
    },
    error: text,
  },
  required: ['operation', 'method', 'url', 'request_headers', 'timings_ms'],
} as const;

export const probeReportSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model_id: text,
    model_name: text,
    model: text,
    probed: { type: 'boolean' },
    status: text,
    note: text,
    retry_after_s: number,
    result: healthEntrySchema,
    trace: {
      type: 'object',
      additionalProperties: false,
      properties: { requests: { type: 'array', items: traceRequestSchema } },
    },
  },
  required: ['model_id', 'model_name', 'model', 'probed', 'status', 'result'],
} as const;

/**
 * GET /health/probe?model_id=ID[&debug=true]: one probe of one deployment now, within
 * health_check_min_interval (inside it: 429 with Retry-After and the last result), with a
 * redacted trace of its requests when debug is true. 200 whatever the probe found: the answer
 * is the report, not the verdict (that is /health?model_id=).
 */
export const probeRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.get<{ Querystring: ProbeQuery }>('/health/probe', {
    preHandler: requireMasterKey(() => views.masterKey()),
    schema: {
      querystring: {
        type: 'object',
        properties: {
          model_id: MODEL,
          debug: { type: 'boolean', default: false },
        },
        required: ['model_id'],
      },
      response: { 200: probeReportSchema, 429: probeReportSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
    },
  }, async (req, reply) => {
    const answer = await views.probe(req.query);
    if (answer.retryAfterS !== undefined) void reply.header('retry-after', String(answer.retryAfterS));
    return reply.code(answer.statusCode).send(answer.body);
  });
};
