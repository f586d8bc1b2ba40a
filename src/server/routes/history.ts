import type { FastifyPluginAsync } from 'fastify';
import type { HistoryQuery, Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import { errorSchema } from './schema.js';
import { SELECTOR_PROPERTIES } from './selector.js';

const rowSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model_name: { type: 'string' },
    model_id: { type: 'string' },
    status: { type: 'string' },
    response_time_ms: { type: 'number' },
    error_message: { type: ['string', 'null'] },
    error_type: { type: ['string', 'null'] },
    checked_at: { type: 'string' },
    checked_by: { type: ['string', 'null'] },
  },
} as const;


/** GET /health/history and /health/latest: LiteLLM's shapes, read from the bounded in-memory history. */
export const historyRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  const preHandler = requireMasterKey(() => views.masterKey());

  app.get<{ Querystring: HistoryQuery }>('/health/history', {
    preHandler,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          ...SELECTOR_PROPERTIES,
          status_filter: { type: 'string', enum: ['healthy', 'unhealthy'] },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            health_checks: { type: 'array', items: rowSchema },
            total_records: { type: 'integer' },
            limit: { type: 'integer' },
            offset: { type: 'integer' },
          },
        },
        401: errorSchema,
      },
    },
  }, async (req) => views.history(req.query));

  app.get('/health/latest', {
    preHandler,
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            latest_health_checks: { type: 'object', additionalProperties: rowSchema },
            total_models: { type: 'integer' },
          },
        },
        401: errorSchema,
      },
    },
  }, async () => views.latest());

  app.get('/health/shared-status', {
    preHandler,
    schema: {
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          properties: {
            replica_id: { type: 'string' },
            shared: { type: 'boolean' },
            redis: { type: ['string', 'null'] },
            redis_reachable: { type: 'boolean' },
            leases_held: { type: 'integer' },
            last_writer: { type: ['string', 'null'] },
            cache_age_s: { type: ['number', 'null'] },
          },
        },
        401: errorSchema,
      },
    },
  }, async () => views.sharedStatus());
};
