import type { FastifyPluginAsync } from 'fastify';
import type { Exporter } from '../../exporter.js';
import { requireMasterKey } from '../auth.js';

/**
 * GET /metrics on the exporter's own server (no second port): Telemetry.serveMetrics collects
 * through the OTel Prometheus exporter and writes the text exposition straight to the raw response.
 */
export const metricsRoutes: FastifyPluginAsync<{ exporter: Exporter }> = async (app, { exporter }) => {
  // Open by default, as exporters are; general_settings.metrics_auth puts it behind the master key.
  const preHandler = requireMasterKey(() => (exporter.settings.metricsAuth ? exporter.settings.masterKey : undefined));
  app.get('/metrics', { preHandler }, async (req, reply) => {
    reply.hijack();
    exporter.telemetry.serveMetrics(req.raw, reply.raw);
  });
};
