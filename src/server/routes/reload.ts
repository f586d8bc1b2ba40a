import type { FastifyPluginAsync } from 'fastify';
import type { Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import { errorSchema } from './schema.js';

/** POST /-/reload (Prometheus' spelling): re-read the config file; a bad file is refused with its errors. */
export const reloadRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.post('/-/reload', {
    preHandler: requireMasterKey(() => views.masterKey()),
    schema: {
      response: {
        200: { type: 'object', properties: { status: { type: 'string' }, deployments: { type: 'integer' } } },
        400: {
          type: 'object',
          properties: { error: { type: 'object', properties: { message: { type: 'string' }, type: { type: 'string' }, issues: { type: 'array', items: { type: 'string' } }, code: { type: 'integer' } } } },
        },
        401: errorSchema,
      },
    },
  }, async (_req, reply) => {
    const r = await views.reload();
    if (r.ok) return { status: 'reloaded', deployments: r.deployments };
    return reply.code(400).send({ error: { message: 'invalid config: the previous config keeps running', type: 'config_error', issues: r.errors, code: 400 } });
  });
};
