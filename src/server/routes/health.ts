import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { EntrySerializer, HealthQuery, Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import { SELECTOR_PROPERTIES } from './selector.js';

const detail = { type: ['string', 'number', 'boolean'] };

/** Every field an entry may carry. additionalProperties: false makes this the serialiser's allow-list too. */
export const healthEntrySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model: { type: 'string' },
    model_id: { type: 'string' },
    model_name: { type: 'string' },
    mode: { type: 'string' },
    custom_llm_provider: { type: 'string' },
    api_base: { type: 'string' },
    api_version: { type: 'string' },
    'x-ms-region': { type: 'string' },
    'x-ratelimit-remaining-requests': { type: 'string' },
    'x-ratelimit-remaining-tokens': { type: 'string' },
    probe: { type: 'string' },
    cached: { type: 'boolean' },
    restored: { type: 'boolean' },
    age_s: { type: 'integer' },
    degraded: { type: 'boolean' },
    checked_by: { type: 'string' },
    last_checked: { type: 'string' },
    latency_ms: { type: 'number' },
    tls_cert_expires_at: { type: 'string' },
    error: { type: 'string' },
    error_type: { type: 'string' },
    exception_status: { type: 'integer' },
    retry_after_s: { type: 'number' },
    consecutive_failures: { type: 'integer' },
    details: { type: 'object', additionalProperties: detail },
  },
  required: ['model', 'model_id', 'model_name'],
} as const;

export const healthReportSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    healthy_endpoints: { type: 'array', items: healthEntrySchema },
    unhealthy_endpoints: { type: 'array', items: healthEntrySchema },
    pending_endpoints: { type: 'array', items: healthEntrySchema },
    healthy_count: { type: 'integer' },
    unhealthy_count: { type: 'integer' },
    pending_count: { type: 'integer' },
  },
  required: ['healthy_endpoints', 'unhealthy_endpoints', 'pending_endpoints', 'healthy_count', 'unhealthy_count', 'pending_count'],
} as const;

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { message: { type: 'string' }, type: { type: 'string' }, param: { type: 'string' }, code: { type: 'integer' } },
    },
  },
} as const;


const JSON_TYPE = 'application/json; charset=utf-8';

/** GET /health: the seed's answer; ?model= / ?model_id= probe just those deployments, now. */
export const healthRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  let serializeEntry: EntrySerializer | undefined;
  app.get<{ Querystring: HealthQuery }>('/health', {
    preHandler: requireMasterKey(() => views.masterKey()),
    schema: {
      querystring: {
        type: 'object',
        properties: {
          ...SELECTOR_PROPERTIES,
          // Seconds to wait for the probes this call starts; past it, they are shown as still running.
          timeout: { type: 'number', exclusiveMinimum: 0, maximum: 3600 },
        },
      },
      response: { 200: healthReportSchema, 503: healthReportSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
    },
  }, async (req, reply) => {
    // Background mode answers from the store, entry by entry as results land (10,000
    // deployments: 2.6 MB of JSON); each entry by the same allow-list as an uncached answer.
    serializeEntry ??= reply.compileSerializationSchema(healthEntrySchema) as EntrySerializer;
    const stored = views.storedHealthBody(req.query, serializeEntry);
    // Its pieces as a stream, with the length a single buffer would have had.
    if (stored) return reply.type(JSON_TYPE).header('content-length', stored.length).send(Readable.from(stored.parts, { objectMode: false }));
    const answer = await views.health(req.query);
    return reply.code(answer.statusCode).send(answer.body);
  });
};
