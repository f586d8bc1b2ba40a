import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { main } from '../../src/cli/main.js';
import { PACKAGE_ROOT } from '../../src/core/meta.js';
import { unauthenticatedStatus } from '../support/probe-paths.js';
import { run } from '../support/tools.js';

/**
 * deploy/kubernetes rendered by the real kustomize (`kubectl kustomize`), each object validated
 * against the Kubernetes OpenAPI schemas (kubernetes-models; the Prometheus Operator's CRD
 * schemas for ServiceMonitor and PrometheusRule: @kubernetes-models/prometheus-operator), and
 * cross-checked with the exporter: probe paths against its real routes, the config against its
 * config loader, the alert rules against alerts/llm-health.rules.yml.
 * The schemas, like the API server without strict field validation, accept unknown fields: a
 * misspelt field is caught where a check below reads it, not by the schema.
 */
type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };
const K8S = join(PACKAGE_ROOT, 'deploy/kubernetes');
const RULES_FILE = join(PACKAGE_ROOT, 'alerts/llm-health.rules.yml');
const OVERLAYS = { base: 'base', fleet: 'overlays/fleet' } as const;
const rendered: Record<string, Obj[]> = {};

/** The schema modules, by apiVersion: kubernetes-models, and the Prometheus Operator's CRDs. */
const MODELS: Record<string, () => Promise<Record<string, unknown>>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'networking.k8s.io/v1': () => import('kubernetes-models/networking.k8s.io/v1'),
  'monitoring.coreos.com/v1': () => import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1'),
};

async function modelClass(apiVersion: string, kind: string): Promise<new (o: unknown) => { validate(): void }> {
  const load = MODELS[apiVersion];
  if (!load) throw new Error(`no schema module for ${apiVersion}: add it to MODELS`);
  const cls = (await load())[kind];
  if (typeof cls !== 'function') throw new Error(`no schema for ${apiVersion} ${kind}`);
  return cls as new (o: unknown) => { validate(): void };
}

async function validate(o: unknown): Promise<void> {
  const { apiVersion, kind } = o as Obj;
  new (await modelClass(apiVersion, kind))(o).validate();
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const one = (objs: Obj[], kind: string, name = 'llm-health-exporter') => {
  const found = objs.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0]!;
};

/** `--check-config` on a rendered config.yaml with `env`: exit code and output. */
async function checkConfig(text: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'lhe-k8s-'));
  const saved = { ...process.env };
  for (const k of ['REDIS_URL', 'REDIS_HOST', 'OPENAI_API_KEY', 'LITELLM_MASTER_KEY']) delete process.env[k];
  Object.assign(process.env, env);
  try {
    await writeFile(join(dir, 'config.yaml'), text);
    let out = '';
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => { out += String(c); });
    const code = await main(['--check-config', '--config', join(dir, 'config.yaml')], sink, sink);
    return { code, out };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await rm(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  for (const [name, dir] of Object.entries(OVERLAYS)) {
    const r = await run('kubectl', ['kustomize', join(K8S, dir)], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`);
    rendered[name] = parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj);
  }
}, 90_000);

describe('the schema validator', () => {
  it('rejects what the API server would (so a pass means something)', async () => {
    const deployment = (probe: object) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', livenessProbe: probe }] } } },
    });
    await expect(validate(deployment({ httpGet: { path: '/health/liveliness', port: 'http' } }))).resolves.toBeUndefined();
    await expect(validate(deployment({ httpGet: { path: '/health/liveliness' } }))).rejects.toThrow(/port/);
    await expect(validate({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 'four thousand' }] } })).rejects.toThrow();
    await expect(validate({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up', for: 'one minute' }] }] } })).rejects.toThrow(/for/);
    await expect(validate({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 's' }, spec: { endpoints: [] } })).rejects.toThrow(/selector/);
  });
});

describe.each(Object.keys(OVERLAYS))('deploy/kubernetes %s', (overlay) => {
  const objs = () => rendered[overlay]!;

  it('renders with kubectl kustomize, and every object validates against its schema', async () => {
    const kinds = objs().map((o) => o.kind).sort();
    for (const k of ['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'ServiceMonitor']) expect(kinds).toContain(k);
    for (const o of objs()) await expect(validate(o), `${o.kind} ${o.metadata.name}`).resolves.toBeUndefined();
  });

  it('probes real endpoints that answer without credentials, on the container port, with a startup budget for the first round', async () => {
    const d = one(objs(), 'Deployment');
    const c = d.spec.template.spec.containers[0];
    const port = c.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(4000);
    const probes = { startup: c.startupProbe, readiness: c.readinessProbe, liveness: c.livenessProbe };
    expect(probes.liveness.httpGet.path).toBe('/health/liveliness');
    expect(probes.readiness.httpGet.path).toBe('/health/readiness');
    expect(probes.startup.httpGet.path).toBe('/health/readiness');
    for (const p of Object.values(probes)) expect(p.httpGet.port).toBe('http');
    const paths = [...new Set(Object.values(probes).map((p) => p.httpGet.path as string))];
    const statuses = await unauthenticatedStatus(paths);
    for (const p of paths) expect(statuses[p], p).toBe(200);
    expect(probes.startup.periodSeconds * probes.startup.failureThreshold).toBeGreaterThanOrEqual(600);
  });

  it('runs the image of this version', () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    const image: string = one(objs(), 'Deployment').spec.template.spec.containers[0].image;
    expect(image).toMatch(/\/llm-health-exporter:[^/]+$/);
    expect(image.split(':').at(-1)).toBe(pkg.version);
  });

  it('runs non-root on a read-only root filesystem, with resources set', () => {
    const pod = one(objs(), 'Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits.memory).toBeDefined();
    const tmp = pod.volumes.find((v: { name: string }) => v.name === c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp').name);
    expect(tmp.emptyDir).toBeDefined();
  });

  it('reads the config from a ConfigMap, keys from a Secret, and REPLICA_ID from the pod name', async () => {
    const d = one(objs(), 'Deployment');
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    const configPath: string = c.args[c.args.indexOf('--config') + 1];
    const mount = c.volumeMounts.find((m: { mountPath: string }) => configPath.startsWith(`${m.mountPath}/`));
    expect(mount.readOnly).toBe(true);
    const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
    const cm = objs().find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name)!;
    const key = configPath.slice(mount.mountPath.length + 1);
    expect(cm.data![key]).toBeDefined();
    expect(c.args).toContain('--watch');
    expect(c.envFrom).toEqual([{ secretRef: { name: 'llm-health-exporter-keys' } }]);
    const replica = c.env.find((e: { name: string }) => e.name === 'REPLICA_ID');
    expect(replica.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(readFileSync(join(PACKAGE_ROOT, 'src/app.ts'), 'utf8')).toContain('env.REPLICA_ID');
    // The rendered config loads, with the Secret's keys and the Deployment's own environment.
    const env = Object.fromEntries(c.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
    const checked = await checkConfig(cm.data![key]!, { ...env, OPENAI_API_KEY: 'sk-test', LITELLM_MASTER_KEY: 'sk-master' });
    expect(checked.out).toContain('config ok: 1 deployment(s)');
    expect(checked.out).not.toContain('warning');
    expect(checked.code).toBe(0);
  });

  it('has a Service on the container port, and a ServiceMonitor on /metrics with the job the alert rules expect', async () => {
    const podLabels = one(objs(), 'Deployment').spec.template.metadata.labels;
    const svc = one(objs(), 'Service');
    expect(matches(svc.spec.selector, podLabels)).toBe(true);
    expect(svc.spec.ports).toEqual([expect.objectContaining({ name: 'http', port: 4000, targetPort: 'http' })]);
    const sm = one(objs(), 'ServiceMonitor');
    expect(matches(sm.spec.selector.matchLabels, svc.metadata.labels)).toBe(true);
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    expect(await unauthenticatedStatus(['/metrics'])).toEqual({ '/metrics': 200 });
    const job = /up\{job="([^"]+)"\}/.exec(readFileSync(RULES_FILE, 'utf8'))![1];
    expect(svc.metadata.labels![sm.spec.jobLabel]).toBe(job);
  });

  it('has a PrometheusRule whose rules are alerts/llm-health.rules.yml', () => {
    const rule = one(objs(), 'PrometheusRule');
    expect(rule.spec).toEqual(parse(readFileSync(RULES_FILE, 'utf8')));
  });

  it('has the Grafana dashboard in a ConfigMap for the sidecar, byte for byte', () => {
    const cm = one(objs(), 'ConfigMap', 'llm-health-exporter-dashboard');
    expect(cm.metadata.labels!.grafana_dashboard).toBe('1');
    expect(cm.data!['llm-health-dashboard.json']).toBe(readFileSync(join(PACKAGE_ROOT, 'examples/grafana/llm-health-dashboard.json'), 'utf8'));
  });

  it('has a PodDisruptionBudget and a NetworkPolicy for the exporter pods', () => {
    const podLabels = one(objs(), 'Deployment').spec.template.metadata.labels;
    const pdb = one(objs(), 'PodDisruptionBudget');
    expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(pdb.spec.maxUnavailable).toBe(1);
    const np = one(objs(), 'NetworkPolicy');
    expect(matches(np.spec.podSelector.matchLabels, podLabels)).toBe(true);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress.flatMap((r: { ports: unknown[] }) => r.ports)).toContainEqual({ port: 'http', protocol: 'TCP' });
    const egress = np.spec.egress.flatMap((r: { ports: unknown[] }) => r.ports);
    expect(egress).toContainEqual({ port: 53, protocol: 'UDP' });
    expect(egress).toContainEqual({ port: 443, protocol: 'TCP' });
  });
});

describe('deploy/kubernetes/overlays/fleet', () => {
  const objs = () => rendered.fleet!;

  it('runs two replicas sharing a Redis the overlay deploys, and its config needs that Redis', async () => {
    const d = one(objs(), 'Deployment');
    expect(d.spec.replicas).toBe(2);
    const c = d.spec.template.spec.containers[0];
    const redisUrl = new URL(c.env.find((e: { name: string }) => e.name === 'REDIS_URL').value);
    const redisSvc = one(objs(), 'Service', redisUrl.hostname);
    expect(redisSvc.spec.ports.map((p: { port: number }) => p.port)).toContain(Number(redisUrl.port));
    const redis = one(objs(), 'Deployment', redisUrl.hostname);
    expect(matches(redisSvc.spec.selector, redis.spec.template.metadata.labels)).toBe(true);
    expect(redis.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(redis.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);

    const volume = d.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'config');
    const config = one(objs(), 'ConfigMap', volume.configMap.name).data!['config.yaml']!;
    expect(parse(config).general_settings).toMatchObject({ use_shared_health_check: true, background_health_checks: true });
    // Without the overlay's REDIS_URL the config is refused: fleet mode needs the Redis.
    const without = await checkConfig(config, { OPENAI_API_KEY: 'sk-test', LITELLM_MASTER_KEY: 'sk-master' });
    expect(without.code).toBe(2);
    expect(without.out).toContain('needs Redis');
  });

  it('lets the exporter reach Redis, and only the exporter', () => {
    const podLabels = one(objs(), 'Deployment').spec.template.metadata.labels;
    const redisLabels = one(objs(), 'Deployment', 'llm-health-redis').spec.template.metadata.labels;
    const np = one(objs(), 'NetworkPolicy');
    expect(np.spec.egress.some((r: { to?: Array<{ podSelector: { matchLabels: Record<string, string> } }>; ports: Array<{ port: number }> }) =>
      r.to?.some((t) => matches(t.podSelector.matchLabels, redisLabels)) && r.ports.some((p) => p.port === 6379))).toBe(true);
    const redisNp = one(objs(), 'NetworkPolicy', 'llm-health-redis');
    expect(matches(redisNp.spec.podSelector.matchLabels, redisLabels)).toBe(true);
    expect(redisNp.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(redisNp.spec.egress).toBeUndefined();
    expect(redisNp.spec.ingress).toHaveLength(1);
    expect(matches(redisNp.spec.ingress[0].from[0].podSelector.matchLabels, podLabels)).toBe(true);
    expect(redisNp.spec.ingress[0].from[0].podSelector.matchLabels).toEqual(np.spec.podSelector.matchLabels);
  });
});

describe('the generated deploy files', () => {
  it('are up to date with their sources (npm run docs regenerates them)', async () => {
    const r = await run(process.execPath, [join(PACKAGE_ROOT, 'scripts/gen-deploy.mjs'), '--check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it("carry the rules file's groups line for line, and the dashboard byte for byte", () => {
    const rules = readFileSync(RULES_FILE, 'utf8');
    const generated = readFileSync(join(K8S, 'base/prometheusrule.yaml'), 'utf8');
    const spec = generated.slice(generated.indexOf('\nspec:\n') + '\nspec:\n'.length).split('\n').map((l) => l.replace(/^ {2}/, '')).join('\n');
    expect(spec).toBe(rules.slice(rules.search(/^groups:/m)));
    expect(readFileSync(join(K8S, 'base/llm-health-dashboard.json'), 'utf8')).toBe(readFileSync(join(PACKAGE_ROOT, 'examples/grafana/llm-health-dashboard.json'), 'utf8'));
  });
});

describe("docs/deploy.md's overlay for LiteLLM's own ConfigMap and Secret", () => {
  it('renders, and mounts LiteLLM\'s ConfigMap and Secret instead of the exporter\'s', async () => {
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs/deploy.md'), 'utf8');
    const block = /<!-- litellm-overlay -->\n```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { relative } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'lhe-overlay-'));
    try {
      const overlay = join(dir, 'litellm');
      await mkdir(overlay);
      const base = '../llm-health-exporter/deploy/kubernetes/base';
      expect(block).toContain(base);
      await writeFile(join(overlay, 'kustomization.yaml'), block.replace(base, relative(overlay, join(K8S, 'base'))));
      const r = await run('kubectl', ['kustomize', overlay], { timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      const objs = parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj);
      const pod = one(objs, 'Deployment').spec.template.spec;
      const c = pod.containers[0];
      const configPath: string = c.args[c.args.indexOf('--config') + 1];
      const mount = c.volumeMounts.find((m: { mountPath: string }) => configPath.startsWith(`${m.mountPath}/`));
      expect(pod.volumes.find((v: { name: string }) => v.name === mount.name).configMap.name).toBe('litellm-config');
      expect(configPath.slice(mount.mountPath.length + 1)).toBe('config.yaml');
      expect(c.envFrom).toEqual([{ secretRef: { name: 'litellm-env' } }]);
      for (const o of objs) await validate(o);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
