import type { FastifyPluginAsync } from 'fastify';
import type { Exporter } from '../../exporter.js';
import { requireMasterKey } from '../auth.js';
import { errorSchema } from './health.js';

/** POST /-/reload (Prometheus' spelling): re-read the config file; a bad file is refused with its errors. */
export const reloadRoutes: FastifyPluginAsync<{ exporter: Exporter }> = async (app, { exporter }) => {
  app.post('/-/reload', {
    preHandler: requireMasterKey(() => exporter.settings.masterKey),
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
    const r = await exporter.reload();
    if (r.ok) return { status: 'reloaded', deployments: r.deployments };
    return reply.code(400).send({ error: { message: 'invalid config: the previous config keeps running', type: 'config_error', issues: r.errors, code: 400 } });
  });
};
