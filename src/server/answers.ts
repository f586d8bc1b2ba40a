import type { FastifyReply, FastifyRequest } from 'fastify';

/** The one 401: a missing key and a wrong key get the same answer, so it does not tell which. */
export const UNAUTHORIZED = { error: { message: 'Authentication error: invalid or missing master key', type: 'auth_error', code: 401 } } as const;

/** The 404 of a route that does not exist; routes switched off answer it too, so they look absent. */
export function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ error: { message: `route ${req.method} ${req.url.split('?')[0]} not found`, type: 'not_found', code: 404 } });
}
