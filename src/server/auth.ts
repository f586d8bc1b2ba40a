import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UNAUTHORIZED } from './answers.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time: both sides are hashed to equal length first, so length leaks nothing either. */
export function keyMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The key a caller sent: `Authorization: Bearer <key>` or LiteLLM's `x-litellm-api-key`. */
export function presentedKey(req: FastifyRequest): string {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^\s*bearer\s+(.+?)\s*$/i.exec(auth);
    return m?.[1] ?? auth.trim();
  }
  const alt = req.headers['x-litellm-api-key'];
  return typeof alt === 'string' ? alt.replace(/^\s*bearer\s+/i, '').trim() : '';
}

/**
 * A preHandler requiring the master key when one is configured. Missing and wrong keys get the
 * same answer after the same work, so the response does not tell which it was.
 */
export function requireMasterKey(masterKey: () => string | undefined) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const expected = masterKey();
    if (expected === undefined) return;
    if (!keyMatches(presentedKey(req), expected)) {
      return reply.code(401).send(UNAUTHORIZED);
    }
  };
}
