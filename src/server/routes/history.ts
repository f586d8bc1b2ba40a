import type { FastifyPluginAsync } from 'fastify';
import type { HistoryQuery, Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import { bool, closed, errorSchema, int, num, str } from './schema.js';
import { selectorQuery } from './selector.js';

const nullableStr = { type: ['string', 'null'] } as const;
const rowSchema = closed({
  model_name: str,
  model_id: str,
  status: str,
  response_time_ms: num,
  error_message: nullableStr,
  error_type: nullableStr,
  checked_at: str,
  checked_by: nullableStr,
});

/** GET /health/history and /health/latest: LiteLLM's shapes, read from the bounded in-memory history. */
export const historyRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  const preHandler = requireMasterKey(() => views.masterKey());

  app.get<{ Querystring: HistoryQuery }>('/health/history', {
    preHandler,
    schema: {
      querystring: selectorQuery({
        status_filter: { type: 'string', enum: ['healthy', 'unhealthy'] },
        limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        offset: { type: 'integer', minimum: 0, default: 0 },
      }),
      response: {
        200: {
          type: 'object',
          properties: {
            health_checks: { type: 'array', items: rowSchema },
            total_records: int,
            limit: int,
            offset: int,
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
            total_models: int,
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
        200: closed({
          replica_id: str,
          shared: bool,
          redis: nullableStr,
          redis_reachable: bool,
          leases_held: int,
          last_writer: nullableStr,
          cache_age_s: { type: ['number', 'null'] },
        }),
        401: errorSchema,
      },
    },
  }, async () => views.sharedStatus());
};
