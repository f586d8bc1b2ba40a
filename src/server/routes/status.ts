import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Views } from '../../views/index.js';
import { notFound, UNAUTHORIZED } from '../answers.js';
import { keyMatches } from '../auth.js';
import { HTML_HEADERS, loginPageHtml, statusPageHtml } from '../status-page/page.js';
import { SESSION_TTL_S, crossSite, sessionCookie, sessionToken, statusAccess } from '../status-auth.js';
import { closed, errorSchema, int, num, str } from './schema.js';

const nullable = (type: string) => ({ type: [type, 'null'] });
const tuples = { type: 'array', items: { type: 'array', items: num } };

/** Every field a public deployment entry may carry: this schema is the serialiser's allow-list. */
const publicDeployment = closed({
  model_id: str, model: str, provider: str, mode: str,
  state: str, last_checked: nullable('string'), latency_ms: nullable('number'),
  uptime_24h: nullable('number'), uptime_30d: nullable('number'),
  bars_24h: tuples, bars_30d: tuples, latency_history: tuples,
  maintenance: closed({ name: str, until: str }),
});

/** Private mode adds where the deployment is and what went wrong. */
const privateDeployment = closed({ ...publicDeployment.properties, api_base: str, error: str, error_type: str, consecutive_failures: int });

const frame = closed({ start: str, bucket_s: num });
const bodySchema = (deployment: object) => closed({
  title: str, mode: str, generated_at: str, refresh_s: num,
  frames: closed({ '24h': frame, '30d': frame }),
  counts: { type: 'object', additionalProperties: int },
  groups: {
    type: 'array',
    items: closed({
      model_name: str, state: str, uptime_24h: nullable('number'), uptime_30d: nullable('number'),
      deployments: { type: 'array', items: deployment },
    }),
  },
});
export const publicStatusSchema = bodySchema(publicDeployment);
export const privateStatusSchema = bodySchema(privateDeployment);

const pageOf = (url: string): '/' | '/status' => (url.split('?')[0] === '/status' ? '/status' : '/');

/**
 * The status page (`/`, `/status`), its data (`/status.json`) and the login form's endpoints.
 * Reads the store only: looking at the page never probes anything.
 */
export const statusRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    const access = statusAccess(views, req, reply);
    if (access.kind === 'off') return notFound(req, reply);
    const title = views.statusTitle();
    if (access.kind === 'refused') return reply.code(401).headers(HTML_HEADERS).send(loginPageHtml(title, pageOf(req.url), false));
    return reply.headers(HTML_HEADERS).send(statusPageHtml(title, access.mode === 'private' && views.masterKey() !== undefined));
  };
  app.get('/', page);
  app.get('/status', page);

  let cached: { key: string; bytes: string } | undefined;
  app.get('/status.json', { schema: { response: { 401: errorSchema, 404: errorSchema } } }, async (req, reply) => {
    const access = statusAccess(views, req, reply);
    if (access.kind === 'off') return notFound(req, reply);
    if (access.kind === 'refused') return reply.code(401).send(UNAUTHORIZED);
    void reply.type('application/json; charset=utf-8').header('cache-control', 'no-store');
    const key = `${access.mode}:${views.statusCacheKey()}`;
    if (cached?.key !== key) {
      // Serialised by the mode's schema: a field the allow-list lacks cannot reach the answer.
      const schema = access.mode === 'public' ? publicStatusSchema : privateStatusSchema;
      cached = { key, bytes: reply.serializeInput(views.status(access.mode) as never, schema) };
    }
    return reply.send(cached.bytes);
  });

  app.post<{ Body: { key?: string; next?: string } }>('/status/login', {
    schema: { body: { type: 'object', properties: { key: { type: 'string', maxLength: 4096 }, next: { type: 'string', maxLength: 16 } } } },
  }, async (req, reply) => {
    if (views.statusMode() === 'off') return notFound(req, reply);
    if (crossSite(req)) return reply.code(403).send({ error: { message: 'cross-site form posts are refused', type: 'forbidden', code: 403 } });
    const next = req.body?.next === '/status' ? '/status' : '/';
    const key = views.masterKey();
    if (views.statusMode() === 'private' && key !== undefined) {
      if (!keyMatches(req.body?.key ?? '', key)) return reply.code(401).headers(HTML_HEADERS).send(loginPageHtml(views.statusTitle(), next, true));
      void reply.header('set-cookie', sessionCookie(req, sessionToken(key, Date.now()), SESSION_TTL_S));
    }
    return reply.code(303).header('location', next).header('cache-control', 'no-store').send();
  });

  app.post('/status/logout', async (req, reply) => {
    if (crossSite(req)) return reply.code(403).send({ error: { message: 'cross-site form posts are refused', type: 'forbidden', code: 403 } });
    return reply.code(303).header('set-cookie', sessionCookie(req, '', 0)).header('location', '/').header('cache-control', 'no-store').send();
  });
};
