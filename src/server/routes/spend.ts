import type { FastifyPluginAsync } from 'fastify';
import type { SpendQuery, Views } from '../../views/index.js';
import { bool, closed, errorResponses, int, num, str } from './schema.js';
import { selectorQuery } from './selector.js';
import { viewRoute } from './view-route.js';

/** A USD amount, or "unknown" (no price): never 0 for a model nobody priced. */
const usd = { anyOf: [num, { type: 'string', enum: ['unknown'] }] } as const;

const deployment = closed({
  model_name: str, model_id: str, model: str, priced: bool,
  probes: int, unpriced_probes: int, input_tokens: int, output_tokens: int,
  cost_usd: usd, cost_per_probe_usd: usd, probes_per_month: { type: ['integer', 'null'] }, projected_month_usd: usd,
  per_day: { type: 'array', items: closed({ day: str, probes: int, input_tokens: int, output_tokens: int, cost_usd: usd }) },
});

const spendSchema = closed({
  currency: str,
  days_kept: int,
  deployments: { type: 'array', items: deployment },
  per_day: { type: 'array', items: closed({ day: str, probes: int, unpriced_probes: int, input_tokens: int, output_tokens: int, known_cost_usd: num }) },
  total: closed({ probes: int, unpriced_probes: int, known_cost_usd: num, unknown_cost_deployments: int, known_projected_month_usd: num, unknown_projections: int }),
});

/** GET /health/spend: what probing cost, per deployment and day, and per month at the current schedule (docs/persistence.md). */
export const spendRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  viewRoute<SpendQuery>(app, views, '/health/spend', {
    querystring: selectorQuery(),
    response: { 200: spendSchema, ...errorResponses(401, 404) },
  }, (q) => views.spend(q));
};
