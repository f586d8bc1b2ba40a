import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { BadgeTarget } from '../../views/badge.js';
import { BADGE_COLORS } from '../../views/badge.js';
import { renderBadge } from '../../views/badge-svg.js';
import type { Views } from '../../views/index.js';
import { UPTIME_WINDOWS, type UptimeWindow } from '../../views/uptime-bars.js';
import { notFound, UNAUTHORIZED } from '../answers.js';
import { statusAccess } from '../status-auth.js';
import { errorSchema } from './schema.js';

/** Badges change at most as often as probes land; a minute of caching spares the exporter a README's visitors. */
const MAX_AGE_S = 60;
const SVG_HEADERS = {
  'content-type': 'image/svg+xml; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
} as const;

/**
 * `/badge/<model_name>/status.svg` or `uptime.svg`, and `/badge/id/<model_id>/…`. The name is
 * everything between `/badge/` and the file, so a model_name with a slash (`openai/gpt-4o`)
 * works written plainly or with `%2F`.
 */
export function parseBadgePath(path: string): { target: BadgeTarget; kind: 'status' | 'uptime' } | undefined {
  const m = /^\/badge\/(.+)\/(status|uptime)\.svg$/.exec(path);
  if (!m) return undefined;
  let parts: string[];
  try { parts = m[1]!.split('/').map(decodeURIComponent); } catch { return undefined; }
  const kind = m[2] as 'status' | 'uptime';
  if (parts[0] === 'id' && parts.length > 1) return { target: { modelId: parts.slice(1).join('/') }, kind };
  return { target: { modelName: parts.join('/') }, kind };
}

/** Shields-style SVG badges of a model group's or a deployment's state and uptime. */
export const badgeRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.get<{ Querystring: { window?: UptimeWindow } }>('/badge/*', {
    schema: {
      querystring: { type: 'object', properties: { window: { type: 'string', enum: [...UPTIME_WINDOWS] } } },
      response: { 400: errorSchema, 401: errorSchema },
    },
  }, async (req, reply) => {
    const path = req.url.split('?')[0]!;
    const parsed = parseBadgePath(path);
    const access = statusAccess(views, req, reply);
    if (!parsed || access.kind === 'off') return notFound(req, reply);
    if (access.kind === 'refused') return reply.code(401).send(UNAUTHORIZED);
    const spec = views.badge(parsed.kind, parsed.target, req.query.window ?? '24h');
    const svg = renderBadge(spec ?? { label: 'llm health', message: 'not found', color: BADGE_COLORS.lightgrey });
    const etag = `"${createHash('sha256').update(svg).digest('base64url').slice(0, 27)}"`;
    void reply.headers(SVG_HEADERS)
      .header('cache-control', `${access.mode === 'public' ? 'public' : 'private'}, max-age=${MAX_AGE_S}`)
      .header('etag', etag);
    if (!spec) return reply.code(404).send(svg);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(svg);
  });
};
