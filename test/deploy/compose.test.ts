import { existsSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { PACKAGE_ROOT } from '../../src/core/meta.js';
import { readDockerfile } from '../support/dockerfile.js';
import { run } from '../support/tools.js';

/**
 * deploy/compose cannot be started here (no Docker engine runs on this machine). What can be
 * checked without it is: every file it mounts exists, Prometheus and Alertmanager accept their
 * configuration laid out as the containers see it (promtool, amtool), the services name each
 * other by the names and ports they use, and the exporter's command and environment make a
 * valid config with nothing missing. test/deploy/npm-package.test.ts runs the image's
 * entrypoint and the demo upstream's as this file does.
 */
const DIR = join(PACKAGE_ROOT, 'deploy/compose');
interface Service {
  build?: { context: string; dockerfile: string };
  image: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { disable?: boolean };
  read_only?: boolean;
  stop_grace_period?: string;
}
const COMPOSE = parse(readFileSync(join(DIR, 'compose.yaml'), 'utf8')) as { services: Record<string, Service> };
const S = COMPOSE.services;
const PKG = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const DOCKERFILE = readDockerfile(join(PACKAGE_ROOT, 'Dockerfile'));

/** A service's bind mounts: host path (resolved from deploy/compose) → container path. */
function mounts(name: string): Array<{ host: string; container: string; readOnly: boolean }> {
  return (S[name]!.volumes ?? []).map((v) => {
    const [host, container, mode] = v.split(':') as [string, string, string?];
    return { host: resolve(DIR, host), container, readOnly: mode === 'ro' };
  });
}

/** Lays a service's mounted files out under `root` as the container sees them. */
async function layOut(name: string, root: string): Promise<void> {
  for (const m of mounts(name)) {
    await mkdir(dirname(join(root, m.container)), { recursive: true });
    await cp(m.host, join(root, m.container), { recursive: true });
  }
}

let tmp: string;
beforeAll(async () => { tmp = await mkdtemp(join(tmpdir(), 'lhe-compose-')); });
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

describe('deploy/compose/compose.yaml', () => {
  it('has the exporter, the demo upstream, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(S).sort()).toEqual(['alertmanager', 'demo-upstream', 'exporter', 'grafana', 'prometheus']);
  });

  it('mounts only files that exist, read-only', () => {
    for (const name of Object.keys(S)) {
      for (const m of mounts(name)) {
        expect(existsSync(m.host), `${name}: ${m.host}`).toBe(true);
        expect(m.readOnly, `${name}: ${m.container}`).toBe(true);
      }
    }
  });

  it('builds the exporter and the demo upstream from the Dockerfile, and pins every other image', () => {
    for (const name of ['exporter', 'demo-upstream']) {
      const b = S[name]!.build!;
      expect(statSync(join(resolve(DIR, b.context), b.dockerfile)).isFile()).toBe(true);
      expect(resolve(DIR, b.context)).toBe(PACKAGE_ROOT);
      expect(S[name]!.image).toBe(S.exporter!.image);
    }
    for (const name of ['prometheus', 'alertmanager', 'grafana']) expect(S[name]!.image, name).toMatch(/:v?\d+\.\d+\.\d+$/);
  });

  it('runs the demo upstream from the image, where the exporter looks for it', () => {
    const up = S['demo-upstream']!;
    expect(up.entrypoint).toEqual(['node', `/app/${PKG.bin['llm-health-exporter-demo-upstream']}`]);
    const port = up.command![up.command!.indexOf('--port') + 1];
    expect(up.command![up.command!.indexOf('--host') + 1]).toBe('0.0.0.0');
    expect(S.exporter!.environment!.DEMO_API_BASE).toBe(`http://demo-upstream:${port}/v1`);
    expect(S.exporter!.environment!.DEMO_API_KEY).toBe(up.environment!.DEMO_API_KEY);
    // The image's HEALTHCHECK asks port 4000's readiness: meaningless for the upstream.
    expect(up.healthcheck?.disable).toBe(true);
  });

  it("gives the exporter the demo config where the image's CMD reads it, and a command that loads it with nothing missing", async () => {
    const cmd = DOCKERFILE.stages.at(-1)!.steps.find((s) => s.op === 'CMD')!.exec!;
    const configPath = cmd[cmd.indexOf('--config') + 1]!;
    const command = S.exporter!.command!;
    expect(command[command.indexOf('--config') + 1]).toBe(configPath);
    const mounted = mounts('exporter').find((m) => m.container === configPath)!;
    expect(mounted.host).toBe(join(PACKAGE_ROOT, 'examples/demo/config.yaml'));
    expect(S.exporter!.ports).toContain('4000:4000');
    expect(S.exporter!.read_only).toBe(true);
    expect(Number.parseInt(S.exporter!.stop_grace_period!, 10)).toBeGreaterThan(10);

    // The compose command, with the mounted file at its host path and the compose environment.
    await layOut('exporter', join(tmp, 'exporter'));
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => { text += String(c); });
    err.on('data', (c: Buffer) => { text += String(c); });
    const saved = { ...process.env };
    Object.assign(process.env, S.exporter!.environment);
    try {
      const args = command.map((a) => (a === configPath ? join(tmp, 'exporter', configPath) : a));
      expect(await main([...args, '--check-config'], out, err)).toBe(0);
    } finally {
      for (const k of Object.keys(S.exporter!.environment!)) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    }
    expect(text).toContain('config ok: 2 deployment(s)');
    expect(text).not.toContain('warning');
  });

  it('Prometheus: promtool accepts its config with the project rules mounted as compose mounts them', async () => {
    const root = join(tmp, 'prometheus');
    await layOut('prometheus', root);
    const configFlag = S.prometheus!.command!.find((c) => c.startsWith('--config.file='))!.split('=')[1]!;
    const r = await run('promtool', ['check', 'config', join(root, configFlag)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS: 1 rule files found');
    const ruleCount = (readFileSync(join(PACKAGE_ROOT, 'alerts/llm-health.rules.yml'), 'utf8').match(/^\s*- alert:/gm) ?? []).length;
    expect(ruleCount).toBeGreaterThan(0);
    expect(r.stdout).toContain(`SUCCESS: ${ruleCount} rules found`);
    const rules = mounts('prometheus').find((m) => m.container.startsWith('/etc/prometheus/rules/'))!;
    expect(rules.host).toBe(join(PACKAGE_ROOT, 'alerts/llm-health.rules.yml'));

    const config = parse(readFileSync(join(root, configFlag), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    };
    // The job the LLMHealthExporterDown rule matches, scraping the exporter service on its port.
    const job = /up\{job="([^"]+)"\}/.exec(readFileSync(rules.host, 'utf8'))![1];
    const scrape = config.scrape_configs.find((s) => s.job_name === job)!;
    expect(scrape.static_configs[0]!.targets).toEqual(['exporter:4000']);
    const amPort = S.alertmanager!.ports![0]!.split(':')[1];
    expect(config.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual([`alertmanager:${amPort}`]);
  });

  it('Alertmanager: amtool accepts the mounted example with its routes and inhibitions', async () => {
    const root = join(tmp, 'alertmanager');
    await layOut('alertmanager', root);
    const configFlag = S.alertmanager!.command!.find((c) => c.startsWith('--config.file='))!.split('=')[1]!;
    expect(mounts('alertmanager')[0]!.host).toBe(join(PACKAGE_ROOT, 'examples/alertmanager/alertmanager.yml'));
    const r = await run('amtool', ['check-config', join(root, configFlag)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
    expect(r.stdout).toContain('3 inhibit rules');
  });

  it('Grafana: the provisioned data source is the compose Prometheus, and the dashboard provider reads the mounted dashboard', async () => {
    const root = join(tmp, 'grafana');
    await layOut('grafana', root);
    const ds = parse(readFileSync(join(root, '/etc/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ type: string; url: string; isDefault: boolean }> };
    expect(ds.datasources).toHaveLength(1);
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    expect(S.prometheus!.ports).toContain('9090:9090');
    const providers = parse(readFileSync(join(root, '/etc/grafana/provisioning/dashboards/llm-health.yml'), 'utf8')) as { providers: Array<{ type: string; options: { path: string } }> };
    const path = providers.providers[0]!.options.path;
    const dashboard = join(root, path, 'llm-health-dashboard.json');
    expect(readFileSync(dashboard, 'utf8')).toBe(readFileSync(join(PACKAGE_ROOT, 'examples/grafana/llm-health-dashboard.json'), 'utf8'));
    const dash = JSON.parse(readFileSync(dashboard, 'utf8')) as { uid: string; templating: { list: Array<{ type: string; query: unknown }> } };
    expect(dash.templating.list.find((v) => v.type === 'datasource')!.query).toBe('prometheus');
    expect(S.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${path}/llm-health-dashboard.json`);
  });
});
