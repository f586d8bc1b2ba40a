import type { FastifyPluginAsync } from 'fastify';
import type { SpendQuery, Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import { errorSchema } from './health.js';
import { SELECTOR_PROPERTIES } from './selector.js';

/** A USD amount, or "unknown" (no price): never 0 for a model nobody priced. */
const usd = { anyOf: [{ type: 'number' }, { type: 'string', enum: ['unknown'] }] } as const;
const int = { type: 'integer' } as const;

const deployment = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model_name: { type: 'string' }, model_id: { type: 'string' }, model: { type: 'string' }, priced: { type: 'boolean' },
    probes: int, unpriced_probes: int, input_tokens: int, output_tokens: int,
    cost_usd: usd, cost_per_probe_usd: usd, probes_per_month: { type: ['integer', 'null'] }, projected_month_usd: usd,
    per_day: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { day: { type: 'string' }, probes: int, input_tokens: int, output_tokens: int, cost_usd: usd } },
    },
  },
} as const;

/** GET /health/spend: what probing cost, per deployment and day, and per month at the current schedule (docs/persistence.md). */
export const spendRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.get<{ Querystring: SpendQuery }>('/health/spend', {
    preHandler: requireMasterKey(() => views.masterKey()),
    schema: {
      querystring: {
        type: 'object',
        properties: {
          ...SELECTOR_PROPERTIES,
        },
      },
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          properties: {
            currency: { type: 'string' },
            days_kept: int,
            deployments: { type: 'array', items: deployment },
            per_day: {
              type: 'array',
              items: { type: 'object', additionalProperties: false, properties: { day: { type: 'string' }, probes: int, unpriced_probes: int, input_tokens: int, output_tokens: int, known_cost_usd: { type: 'number' } } },
            },
            total: {
              type: 'object',
              additionalProperties: false,
              properties: { probes: int, unpriced_probes: int, known_cost_usd: { type: 'number' }, unknown_cost_deployments: int, known_projected_month_usd: { type: 'number' }, unknown_projections: int },
            },
          },
        },
        401: errorSchema,
        404: errorSchema,
      },
    },
  }, async (req, reply) => {
    const a = views.spend(req.query);
    return reply.code(a.statusCode).send(a.body);
  });
};
