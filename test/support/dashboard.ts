import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/meta.js';
import type { PromSample } from './prometheus.js';

export interface Panel { id: number; title: string; targets: Array<{ expr: string; refId: string }> }

/** The shipped Grafana dashboard's panels. */
export async function dashboardPanels(): Promise<Panel[]> {
  return (JSON.parse(await readFile(join(PACKAGE_ROOT, 'examples/grafana/llm-health-dashboard.json'), 'utf8')) as { panels: Panel[] }).panels;
}

/** A panel's query as Grafana sends it: model group "All" (or one), the rate window given. */
export function panelQuery(panels: readonly Panel[], rateWindowS: number, title: string, refId = 'A', modelName = '.*'): string {
  const panel = panels.find((p) => p.title === title);
  expect(panel, `dashboard panel "${title}"`).toBeDefined();
  const target = panel!.targets.find((t) => t.refId === refId);
  expect(target, `target ${refId} of "${title}"`).toBeDefined();
  return target!.expr.replaceAll('$model_name', modelName).replaceAll('$__rate_interval', `${rateWindowS}s`);
}

/** The one value of a query that must return one sample. */
export function single(r: PromSample[]): number {
  expect(r).toHaveLength(1);
  return Number(r[0]!.value[1]);
}

/** label value → sample value. */
export function byLabel(r: PromSample[], label: string): Record<string, number> {
  return Object.fromEntries(r.map((s) => [s.metric[label] ?? '', Number(s.value[1])]));
}
