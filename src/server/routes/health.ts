import type { FastifyPluginAsync } from 'fastify';
import type { EntrySerializer, HealthQuery, Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import { bool, closed, errorResponses, int, num, str } from './schema.js';
import { selectorQuery } from './selector.js';

const detail = { type: ['string', 'number', 'boolean'] };

/** Every field an entry may carry: closed, so the serialiser's allow-list too. */
export const healthEntrySchema = {
  ...closed({
    model: str,
    model_id: str,
    model_name: str,
    mode: str,
    custom_llm_provider: str,
    api_base: str,
    api_version: str,
    'x-ms-region': str,
    'x-ratelimit-remaining-requests': str,
    'x-ratelimit-remaining-tokens': str,
    probe: str,
    cached: bool,
    restored: bool,
    age_s: int,
    degraded: bool,
    checked_by: str,
    last_checked: str,
    latency_ms: num,
    tls_cert_expires_at: str,
    error: str,
    error_type: str,
    exception_status: int,
    retry_after_s: num,
    consecutive_failures: int,
    details: { type: 'object', additionalProperties: detail },
  }),
  required: ['model', 'model_id', 'model_name'],
} as const;

export const healthReportSchema = {
  ...closed({
    healthy_endpoints: { type: 'array', items: healthEntrySchema },
    unhealthy_endpoints: { type: 'array', items: healthEntrySchema },
    pending_endpoints: { type: 'array', items: healthEntrySchema },
    healthy_count: int,
    unhealthy_count: int,
    pending_count: int,
  }),
  required: ['healthy_endpoints', 'unhealthy_endpoints', 'pending_endpoints', 'healthy_count', 'unhealthy_count', 'pending_count'],
} as const;

const JSON_TYPE = 'application/json; charset=utf-8';

/** GET /health: the seed's answer; ?model= / ?model_id= probe just those deployments, now. */
export const healthRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  let serializeEntry: EntrySerializer | undefined;
  app.get<{ Querystring: HealthQuery }>('/health', {
    preHandler: requireMasterKey(() => views.masterKey()),
    schema: {
      // timeout: seconds to wait for the probes this call starts; past it, they are shown as still running.
      querystring: selectorQuery({ timeout: { type: 'number', exclusiveMinimum: 0, maximum: 3600 } }),
      response: { 200: healthReportSchema, 503: healthReportSchema, ...errorResponses(400, 401, 404) },
    },
  }, async (req, reply) => {
    // Background mode answers from the store, entry by entry as results land (10,000
    // deployments: 2.6 MB of JSON); each entry by the same allow-list as an uncached answer.
    serializeEntry ??= reply.compileSerializationSchema(healthEntrySchema) as EntrySerializer;
    const stored = views.storedHealthBody(req.query, serializeEntry);
    if (stored) {
      // Its pieces in one corked write (one writev), with the length a single buffer would have
      // had: piped as a stream they went out a piece at a time, ~2 ms more per answer at 10,000
      // deployments than a bare route sending one Buffer (bench/FINDINGS.md, ninth pass).
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': stored.length });
      res.cork();
      for (const part of stored.parts) res.write(part);
      res.end();
      res.uncork();
      return reply;
    }
    const answer = await views.health(req.query);
    return reply.code(answer.statusCode).send(answer.body);
  });
};
