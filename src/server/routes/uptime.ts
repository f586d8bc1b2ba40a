import type { FastifyPluginAsync } from 'fastify';
import type { UptimeQuery, Views } from '../../views/index.js';
import { closed, errorResponses, int, num, str } from './schema.js';
import { selectorQuery } from './selector.js';
import { viewRoute } from './view-route.js';

const figures = closed({ ratio: { type: ['number', 'null'] }, healthy_s: num, unhealthy_s: num, unknown_s: num, probes: int });
const byWindow = closed({ '1h': figures, '24h': figures, '7d': figures, '30d': figures });

const uptimeSchema = closed({
  deployments: { type: 'array', items: closed({ model_name: str, model_id: str, model: str, uptime: byWindow }) },
  model_groups: { type: 'array', items: closed({ model_name: str, deployments: int, uptime: byWindow }) },
  windows: { type: 'array', items: str },
  at: str,
});

/** GET /health/uptime: healthy share of the known time per deployment and model group (docs/persistence.md). */
export const uptimeRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  viewRoute<UptimeQuery>(app, views, '/health/uptime', {
    querystring: selectorQuery(),
    response: { 200: uptimeSchema, ...errorResponses(401, 404) },
  }, (q) => views.uptime(q));
};
