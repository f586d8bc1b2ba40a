import type { FastifyPluginAsync } from 'fastify';
import type { Exporter } from '../../exporter.js';

/**
 * GET /metrics on the exporter's own server (no second port): the OTel Prometheus exporter
 * writes the text exposition straight to the raw response.
 */
export const metricsRoutes: FastifyPluginAsync<{ exporter: Exporter }> = async (app, { exporter }) => {
  app.get('/metrics', async (req, reply) => {
    reply.hijack();
    exporter.telemetry.serveMetrics(req.raw, reply.raw);
  });
};
