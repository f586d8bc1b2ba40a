#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startDemoUpstream } from './demo-upstream.js';

/**
 * `llm-health-exporter-demo-upstream`: the demo's simulated OpenAI-compatible provider on its
 * own, for a demo where the exporter runs elsewhere (deploy/compose: another container). It
 * accepts the key in $DEMO_API_KEY (default sk-demo-upstream-key, a demo value, not a secret);
 * the model `demo-broken` always answers 503. Prints its URL on stdout; stops on SIGTERM/SIGINT.
 */
const USAGE = 'usage: llm-health-exporter-demo-upstream [--host 127.0.0.1] [--port 8080]';
let o;
try {
  ({ values: o } = parseArgs({ options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8080' }, help: { type: 'boolean', short: 'h' } } }));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (o.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = Number(o.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port: not a port number: ${o.port}\n`);
  process.exit(2);
}
const upstream = await startDemoUpstream(process.env.DEMO_API_KEY || 'sk-demo-upstream-key', port, o.host);
process.stdout.write(`demo upstream listening on ${upstream.url} (OpenAI-compatible; model demo-broken answers 503)\n`);
const stop = () => { upstream.server.close(() => process.exit(0)); upstream.server.closeAllConnections(); };
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
