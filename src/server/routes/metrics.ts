import type { FastifyPluginAsync } from 'fastify';
import type { Views } from '../../views/index.js';
import { requireMasterKey } from '../auth.js';
import type { ServerLimits } from '../limits.js';

/**
 * GET /metrics on the exporter's own server (no second port): the telemetry layer collects
 * through the OTel Prometheus exporter and writes the text exposition straight to the raw response.
 */
export const metricsRoutes: FastifyPluginAsync<{ views: Views; limits: Pick<ServerLimits, 'maxConcurrentScrapes' | 'scrapeDeadlineMs'> }> = async (app, { views, limits }) => {
  // Open by default, as exporters are; general_settings.metrics_auth puts it behind the master key.
  const preHandler = requireMasterKey(() => views.metricsKey());
  // Each answer holds the whole exposition (11 MB at 10,000 deployments) until the client has
  // taken it: 200 clients reading 1 KB/s held 2.4 GB. So a few answers at a time, each with a
  // deadline; Prometheus takes an answer in well under a second and retries the next interval.
  let writing = 0;
  app.get('/metrics', { preHandler }, async (req, reply) => {
    if (writing >= limits.maxConcurrentScrapes) {
      return reply.code(503).header('retry-after', '1').type('text/plain; charset=utf-8')
        .send(`# too many concurrent scrapes (limit ${limits.maxConcurrentScrapes})\n`);
    }
    writing += 1;
    reply.hijack();
    const res = reply.raw;
    const deadline = setTimeout(() => res.destroy(), limits.scrapeDeadlineMs);
    res.once('close', () => { clearTimeout(deadline); writing -= 1; });
    views.serveMetrics(req.raw, res);
  });
};
