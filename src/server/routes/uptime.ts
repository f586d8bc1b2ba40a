import type { FastifyPluginAsync } from 'fastify';
import type { UptimeQuery, Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import { errorSchema } from './health.js';
import { SELECTOR_PROPERTIES } from './selector.js';

const figures = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ratio: { type: ['number', 'null'] },
    healthy_s: { type: 'number' },
    unhealthy_s: { type: 'number' },
    unknown_s: { type: 'number' },
    probes: { type: 'integer' },
  },
} as const;
const byWindow = { type: 'object', additionalProperties: false, properties: { '1h': figures, '24h': figures, '7d': figures, '30d': figures } } as const;

/** GET /health/uptime: healthy share of the known time per deployment and model group (docs/persistence.md). */
export const uptimeRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.get<{ Querystring: UptimeQuery }>('/health/uptime', {
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
            deployments: {
              type: 'array',
              items: { type: 'object', additionalProperties: false, properties: { model_name: { type: 'string' }, model_id: { type: 'string' }, model: { type: 'string' }, uptime: byWindow } },
            },
            model_groups: {
              type: 'array',
              items: { type: 'object', additionalProperties: false, properties: { model_name: { type: 'string' }, deployments: { type: 'integer' }, uptime: byWindow } },
            },
            windows: { type: 'array', items: { type: 'string' } },
            at: { type: 'string' },
          },
        },
        401: errorSchema,
        404: errorSchema,
      },
    },
  }, async (req, reply) => {
    const a = views.uptime(req.query);
    return reply.code(a.statusCode).send(a.body);
  });
};
