import type { FastifyPluginAsync } from 'fastify';
import type { Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';

/**
 * GET /metrics on the exporter's own server (no second port): the telemetry layer collects
 * through the OTel Prometheus exporter and writes the text exposition straight to the raw response.
 */
export const metricsRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  // Open by default, as exporters are; general_settings.metrics_auth puts it behind the master key.
  const preHandler = requireMasterKey(() => views.metricsKey());
  app.get('/metrics', { preHandler }, async (req, reply) => {
    reply.hijack();
    views.serveMetrics(req.raw, reply.raw);
  });
};
