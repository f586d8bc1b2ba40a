import type { FastifyInstance } from 'fastify';
import type { Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';

/** A view's answer: its status and body, and for a 429 how long to wait (the Retry-After header). */
export interface ViewAnswer {
  statusCode: number;
  body: unknown;
  retryAfterS?: number;
}

/**
 * GET `path` behind the master key, answered by one view: the query checked by `schema.querystring`
 * (400 when it does not fit), the view's status and body sent through that status's response schema.
 */
export function viewRoute<Q>(
  app: FastifyInstance,
  views: Views,
  path: string,
  schema: { querystring: object; response: Record<number, object> },
  answer: (query: Q) => ViewAnswer | Promise<ViewAnswer>,
): void {
  app.get<{ Querystring: Q }>(path, { preHandler: requireMasterKey(() => views.masterKey()), schema }, async (req, reply) => {
    const a = await answer(req.query as Q); // as the querystring schema let it through
    if (a.retryAfterS !== undefined) void reply.header('retry-after', String(a.retryAfterS));
    return reply.code(a.statusCode).send(a.body);
  });
}
