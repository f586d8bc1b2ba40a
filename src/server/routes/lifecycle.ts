import type { FastifyPluginAsync } from 'fastify';
import type { Views } from '../../views/index.js';

const readinessSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string' },
    reason: { type: 'string' },
    db: { type: 'string' },
    history_db: { type: 'string' },
    db_error: { type: 'string' },
    cache: { type: ['string', 'null'] },
    version: { type: 'string' },
    litellm_version: { type: 'string' },
    success_callbacks: { type: 'array', items: { type: 'string' } },
    plugins: { type: 'array', items: { type: 'string' } },
    plugin_errors: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { file: { type: 'string' }, reason: { type: 'string' } } },
    },
    deployments: { type: 'integer' },
    config_error: { type: 'string' },
    last_updated: { type: 'string' },
  },
} as const;

const ALIVE = JSON.stringify("I'm alive!");
const shuttingDown = { type: 'object', properties: { status: { type: 'string' } } } as const;

/** Unauthenticated probes for orchestrators: readiness and liveliness (LiteLLM's spelling and the usual one). */
export const lifecycleRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.get('/health/readiness', { schema: { response: { 200: readinessSchema, 503: readinessSchema } } }, async (_req, reply) => {
    const r = views.readiness();
    return reply.code(r.ready ? 200 : 503).send(r.body);
  });

  const alive = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    if (views.shuttingDown()) return reply.code(503).send({ status: 'shutting_down' });
    // LiteLLM answers a JSON string; a plain string payload would go out as text/plain.
    return reply.code(200).type('application/json; charset=utf-8').send(ALIVE);
  };
  const schema = { response: { 200: { type: 'string' }, 503: shuttingDown } };
  app.get('/health/liveliness', { schema }, alive);
  app.get('/health/liveness', { schema }, alive);
};
