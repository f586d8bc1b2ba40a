#!/usr/bin/env node
import { join } from 'node:path';
import { startDemoUpstream } from './demo-upstream.js';
import { PACKAGE_ROOT } from '../core/meta.js';
import { main } from './main.js';

/**
 * `npm run demo`: starts the simulated upstream on loopback, points the bundled demo config at
 * it through os.environ/ references, and runs the exporter on it. No keys, no internet.
 */
const port = process.env.PORT ?? '4000';
const apiKey = 'sk-demo-upstream-key';
const upstream = await startDemoUpstream(apiKey);
process.env.DEMO_API_BASE = `${upstream.url}/v1`;
process.env.DEMO_API_KEY = apiKey;
const config = join(PACKAGE_ROOT, 'examples', 'demo', 'config.yaml');

const base = `http://127.0.0.1:${port}`;
process.stdout.write(`llm-health-exporter demo
  simulated upstream: ${upstream.url} (one healthy deployment, one answering 503)
  config:             ${config}
  exporter:           ${base}  (master key: sk-demo-master-key)

Try:
  open ${base}/  (the status page; sign in with the master key)
  curl -s ${base}/health -H "Authorization: Bearer sk-demo-master-key"
  curl -s "${base}/health?model=demo-gpt" -H "Authorization: Bearer sk-demo-master-key"
  curl -s ${base}/health/readiness
  curl -s ${base}/health/liveliness
  curl -s ${base}/model/info -H "Authorization: Bearer sk-demo-master-key"
  LITELLM_MASTER_KEY=sk-demo-master-key npm start -- --health --url ${base}

Ctrl-C stops it.

`);
const code = await main([config, '--host', '127.0.0.1', '--port', port, ...process.argv.slice(2)]);
upstream.server.close();
process.exitCode = code;
