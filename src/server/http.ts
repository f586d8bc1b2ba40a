import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Views } from '../views/index.js';
import { healthRoutes } from './routes/health.js';
import { probeRoutes } from './routes/probe.js';
import { historyRoutes } from './routes/history.js';
import { uptimeRoutes } from './routes/uptime.js';
import { spendRoutes } from './routes/spend.js';
import { metricsRoutes } from './routes/metrics.js';
import { reloadRoutes } from './routes/reload.js';
import { modelInfoRoutes } from './routes/model-info.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { statusRoutes } from './routes/status.js';
import { badgeRoutes } from './routes/badges.js';
import { notFound } from './answers.js';
import { boundConnections, DEFAULT_SERVER_LIMITS, type ServerLimits } from './limits.js';

const BODY_LIMIT = 64 * 1024;

/** The HTTP surface: each route group is an encapsulated fastify plugin with JSON schemas. */
export function buildServer(views: Views, logger: Logger, limits: ServerLimits = DEFAULT_SERVER_LIMITS): FastifyInstance {
  const app = Fastify({
    // Fastify and Node wait forever for a slow body by default; a client trickling bytes could
    // hold connections (and file descriptors) for as long as it liked. Node checks at this interval.
    requestTimeout: limits.requestTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs / 4) },
    loggerInstance: logger as FastifyBaseLogger,
    // GET-only API: nothing legitimate sends more than this.
    bodyLimit: BODY_LIMIT,
    // Request lines only at debug: /health is polled often and would drown the probe log.
    logController: new LogController({ disableRequestLogging: () => !logger.isLevelEnabled('debug') }),
    return503OnClosing: true,
  });

  // bodyLimit only applies to bodies fastify parses, and it parses none on a GET: refuse any
  // request by its declared size too, before routing, as the 413 promise says.
  app.addHook('onRequest', async (req, reply) => {
    if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) {
      return reply.code(413).send({ error: { message: `request body larger than ${BODY_LIMIT} bytes`, type: 'error', code: 413 } });
    }
  });

  const connections = boundConnections(app.server, limits.maxConnections, limits.scrapeDeadlineMs);
  app.addHook('preClose', async () => connections.closeIdle());

  app.setNotFoundHandler((req, reply) => {
    void notFound(req, reply);
  });
  app.setErrorHandler((err: { statusCode?: number; validation?: Array<{ instancePath?: string; params?: { missingProperty?: string } }>; validationContext?: string; message: string }, req, reply) => {
    if (err.validation) {
      const v = err.validation[0];
      const param = (v?.instancePath ?? '').replace(/^\//, '') || v?.params?.missingProperty || err.validationContext || 'request';
      return reply.code(400).send({ error: { message: `invalid ${err.validationContext ?? 'parameter'} "${param}": ${err.message}`, type: 'bad_request', param, code: 400 } });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err: { message: err.message } }, 'request failed');
    return reply.code(status).send({ error: { message: status === 500 ? 'internal error' : err.message, type: 'error', code: status } });
  });

  void app.register(healthRoutes, { views });
  void app.register(probeRoutes, { views });
  void app.register(lifecycleRoutes, { views });
  void app.register(modelInfoRoutes, { views });
  void app.register(metricsRoutes, { views, limits });
  void app.register(historyRoutes, { views });
  void app.register(uptimeRoutes, { views });
  void app.register(spendRoutes, { views });
  void app.register(reloadRoutes, { views });
  void app.register(statusRoutes, { views });
  void app.register(badgeRoutes, { views });
  return app;
}
