import type { FastifyPluginAsync } from 'fastify';
import type { Views } from '../../views/index.js';
import { closed, int, str } from './schema.js';

const readinessSchema = closed({
  status: str,
  reason: str,
  db: str,
  history_db: str,
  db_error: str,
  cache: { type: ['string', 'null'] },
  version: str,
  litellm_version: str,
  success_callbacks: { type: 'array', items: str },
  plugins: { type: 'array', items: str },
  plugin_errors: { type: 'array', items: closed({ file: str, reason: str }) },
  deployments: int,
  config_error: str,
  last_updated: str,
});

const ALIVE = JSON.stringify("I'm alive!");
const shuttingDown = { type: 'object', properties: { status: str } } as const;

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
  const schema = { response: { 200: str, 503: shuttingDown } };
  app.get('/health/liveliness', { schema }, alive);
  app.get('/health/liveness', { schema }, alive);
};
