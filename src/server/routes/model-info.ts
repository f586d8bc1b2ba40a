import type { FastifyPluginAsync } from 'fastify';
import type { Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import { closed, errorSchema, str } from './schema.js';

const scalar = { type: ['string', 'number', 'boolean'] };
const modelInfoSchema = {
  type: 'object',
  properties: {
    data: {
      type: 'array',
      items: closed({
        model_name: str,
        litellm_params: { type: 'object', additionalProperties: scalar },
        model_info: { type: 'object', additionalProperties: scalar },
      }),
    },
  },
} as const;

/** GET /model/info: each deployment with its model_info.id; credentials never included. */
export const modelInfoRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  const opts = {
    preHandler: requireMasterKey(() => views.masterKey()),
    schema: { response: { 200: modelInfoSchema, 401: errorSchema } },
  };
  const handler = async () => ({ data: views.modelInfo() });
  app.get('/model/info', opts, handler);
  app.get('/v1/model/info', opts, handler);
};
