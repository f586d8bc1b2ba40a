#!/usr/bin/env node
// Writes the deploy files made from the project's own (run by `npm run docs`): Kubernetes
// manifests cannot reach outside their kustomization folder, so the alert rules and the
// dashboard are carried into deploy/kubernetes/base from their one source:
// - prometheusrule.yaml: alerts/llm-health.rules.yml's `groups:` as the PrometheusRule's spec,
//   line for line (indented under `spec:`);
// - llm-health-dashboard.json: examples/grafana/llm-health-dashboard.json, byte for byte.
// test/deploy/kubernetes.test.ts fails while either differs from its source.
// Usage: gen-deploy.mjs [--check]  (--check: exit 1 and name the stale files, write nothing)
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = join(root, 'deploy/kubernetes/base');

/** The PrometheusRule for `rulesText` (the text of alerts/llm-health.rules.yml). */
export function prometheusRule(rulesText) {
  const start = rulesText.search(/^groups:/m);
  if (start < 0) throw new Error('alerts/llm-health.rules.yml: no top-level `groups:`');
  const spec = rulesText.slice(start).replace(/\n+$/, '').split('\n').map((l) => (l === '' ? '' : `  ${l}`)).join('\n');
  return `# Generated from alerts/llm-health.rules.yml by \`npm run docs\` (scripts/gen-deploy.mjs): edit
# that file, not this one. The spec below is its \`groups:\`, line for line.
# Your Prometheus selects PrometheusRules by label (kube-prometheus-stack: \`release: <its release
# name>\` unless ruleSelectorNilUsesHelmValues is false): add that label in an overlay.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: llm-health-exporter
  labels:
    app.kubernetes.io/name: llm-health-exporter
spec:
${spec}
`;
}

const outputs = [
  { file: join(base, 'prometheusrule.yaml'), make: async () => prometheusRule(await readFile(join(root, 'alerts/llm-health.rules.yml'), 'utf8')) },
  { file: join(base, 'llm-health-dashboard.json'), make: () => readFile(join(root, 'examples/grafana/llm-health-dashboard.json'), 'utf8') },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const { file, make } of outputs) {
    const want = await make();
    const have = await readFile(file, 'utf8').catch(() => undefined);
    if (have === want) continue;
    stale.push(file.slice(root.length + 1));
    if (!check) await writeFile(file, want);
  }
  if (check && stale.length) {
    console.error(`stale (run npm run docs): ${stale.join(', ')}`);
    process.exit(1);
  }
  if (!check) console.log(stale.length ? `wrote ${stale.join(', ')}` : 'deploy files up to date');
}
