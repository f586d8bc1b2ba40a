import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether `command` is an executable file in one of PATH's folders. */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch { /* not here */ }
  }
  return false;
}

/** DEMO_UPSTREAM_PORT: the simulated upstream's port (unset or empty: any free port). */
export function demoUpstreamPort(env: NodeJS.ProcessEnv = process.env): number | { error: string } {
  const raw = env.DEMO_UPSTREAM_PORT?.trim();
  if (!raw) return 0;
  const port = Number(raw);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : { error: `DEMO_UPSTREAM_PORT: not a port number: ${raw}` };
}

export interface DemoBannerOptions {
  upstreamUrl: string;
  config: string;
  /** The exporter's URL. */
  base: string;
  /** The demo's deployments (the first is healthy): for the debug probe line. */
  modelIds: readonly string[];
  /** Pipe JSON answers through jq (it is on PATH). */
  jq: boolean;
}

/** What `npm run demo` prints: where things are, and commands to try (JSON pretty with jq). */
export function demoBanner(o: DemoBannerOptions): string {
  const key = '-H "Authorization: Bearer sk-demo-master-key"';
  const pipe = o.jq ? ' | jq' : '';
  const curl = (path: string, auth = true) => `  curl -s ${path.includes('?') ? `"${o.base}${path}"` : `${o.base}${path}`}${auth ? ` ${key}` : ''}${pipe}`;
  const lines = [
    'llm-health-exporter demo',
    `  simulated upstream: ${o.upstreamUrl} (one healthy deployment, one answering 503; DEMO_UPSTREAM_PORT sets its port)`,
    `  config:             ${o.config}`,
    `  exporter:           ${o.base}  (master key: sk-demo-master-key; PORT sets its port)`,
    '',
    'Try:',
    `  open ${o.base}/  (the status page: sign in with the master key)`,
    curl('/health'),
    curl('/health?model=demo-gpt'),
    ...(o.modelIds[0] ? [curl(`/health/probe?model_id=${o.modelIds[0]}&debug=true`)] : []),
    curl('/health/readiness', false),
    curl('/health/liveliness', false),
    curl('/model/info'),
    `  curl -s ${o.base}/metrics | grep ^llm_`,
    `  LITELLM_MASTER_KEY=sk-demo-master-key npm start -- --health --url ${o.base}`,
    ...(o.jq ? [] : ['', '(jq is not installed: the JSON answers print compact. With jq, `npm run demo` pipes them through it.)']),
    '',
    'Ctrl-C stops it.',
    '',
    '',
  ];
  return lines.join('\n');
}
