#!/usr/bin/env node
import { join } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { startDemoUpstream } from './demo-upstream.js';
import { PACKAGE_ROOT } from '../core/meta.js';
import { demoBanner, demoUpstreamPort, onPath } from './demo-text.js';
import { main } from './main.js';

/**
 * `npm run demo`: starts the simulated upstream on loopback (DEMO_UPSTREAM_PORT, else any free
 * port), points the bundled demo config at it through os.environ/ references, and runs the
 * exporter on it (PORT, else 4000). No keys, no internet.
 */
const port = process.env.PORT ?? '4000';
const upstreamPort = demoUpstreamPort();
if (typeof upstreamPort === 'object') {
  process.stderr.write(`${upstreamPort.error}\n`);
  process.exit(2);
}
const apiKey = 'sk-demo-upstream-key';
const upstream = await startDemoUpstream(apiKey, upstreamPort);
process.env.DEMO_API_BASE = `${upstream.url}/v1`;
process.env.DEMO_API_KEY = apiKey;
const config = join(PACKAGE_ROOT, 'examples', 'demo', 'config.yaml');
const modelIds = (await loadConfigFile(config)).deployments.map((d) => d.id);

process.stdout.write(demoBanner({ upstreamUrl: upstream.url, config, base: `http://127.0.0.1:${port}`, modelIds, jq: onPath('jq') }));
const code = await main([config, '--host', '127.0.0.1', '--port', port, ...process.argv.slice(2)]);
upstream.server.close();
process.exitCode = code;
