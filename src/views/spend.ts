import type { Snapshot } from '../config/snapshot.js';
import type { Deployment } from '../core/deployment.js';
import type { HealthStore } from '../store/types.js';
import { emptyTotals, SPEND_DAYS, sumSpend, type SpendTotals } from '../store/spend.js';
import { matchesModel, notFound, type ApiError } from './health.js';

export interface SpendQuery { model?: string; model_id?: string }

/** A cost in USD, or "unknown": a model without a price is never shown as free. */
export type Usd = number | 'unknown';

const MONTH_MS = 30 * 86_400_000;
/** Probes that make no paid call: listing models, jobs or batches, a realtime handshake, moderation. */
const FREE_MODES = new Set(['moderation', 'batch', 'realtime']);
const usd = (x: number) => Math.round(x * 1e10) / 1e10;

/** Whether spend can be priced: a free probe, or a price for the model. */
export function isPriced(d: Deployment): boolean {
  return d.probeStrategy !== 'generate' || FREE_MODES.has(d.mode) || Object.keys(d.prices).length > 0;
}

function costOfTotals(t: SpendTotals, priced: boolean): Usd {
  return !priced || t.unpriced > 0 ? 'unknown' : usd(t.costUsd);
}

/** Probes a month at the deployment's schedule: one per interval in the background; null on demand. */
export function probesPerMonth(s: Snapshot, d: Deployment): number | null {
  // In background mode, `listed` is the background set.
  if (!s.backgroundOn || !s.listed.has(d.id)) return null;
  return Math.round(MONTH_MS / s.policy(d).intervalMs);
}

/**
 * /health/spend: what probing cost, per deployment and per UTC day over the last 31 days, and
 * the projection per month at the current schedule (one probe per interval; confirmation probes
 * while a verdict is in doubt come on top). Costs are read from the answers' usage and priced
 * from the model table (model_info and litellm_params prices override); "unknown" when there is
 * no price or an answer did not say what it used.
 */
export function spendAnswer(s: Snapshot, store: Pick<HealthStore, 'spend'>, q: SpendQuery): { statusCode: number; body: Record<string, unknown> | ApiError } {
  let ds: readonly Deployment[] = s.deployments;
  if (q.model_id !== undefined) ds = ds.filter((d) => d.id === q.model_id);
  if (q.model !== undefined) ds = ds.filter((d) => matchesModel(d, q.model!));
  if (!ds.length && (q.model_id !== undefined || q.model !== undefined)) {
    const param = q.model_id !== undefined ? 'model_id' : 'model';
    return { statusCode: 404, body: notFound(`no deployment matches ${param} "${q[param]}"`, param).body as ApiError };
  }
  const byDay = new Map<string, SpendTotals[]>();
  let projected = 0;
  let unknownProjections = 0;
  const deployments = ds.map((d) => {
    const days = store.spend(d.id)?.days ?? [];
    for (const day of days) byDay.set(day.day, [...(byDay.get(day.day) ?? []), day]);
    const t = days.length ? sumSpend(days) : emptyTotals();
    const priced = isPriced(d);
    const pricedProbes = t.probes - t.unpriced;
    const perProbe = priced && pricedProbes > 0 ? t.costUsd / pricedProbes : undefined;
    const perMonth = probesPerMonth(s, d);
    const month: Usd = perMonth !== null && perProbe !== undefined ? usd(perMonth * perProbe) : 'unknown';
    if (month === 'unknown') unknownProjections++;
    else projected += month;
    return {
      model_name: d.modelName, model_id: d.id, model: d.probeModel, priced,
      probes: t.probes, unpriced_probes: t.unpriced, input_tokens: t.inputTokens, output_tokens: t.outputTokens,
      cost_usd: costOfTotals(t, priced), cost_per_probe_usd: perProbe === undefined ? 'unknown' : usd(perProbe), probes_per_month: perMonth, projected_month_usd: month,
      per_day: days.map((x) => ({ day: x.day, probes: x.probes, input_tokens: x.inputTokens, output_tokens: x.outputTokens, cost_usd: costOfTotals(x, priced) })),
    };
  });
  const perDay = [...byDay].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, list]) => {
    const t = sumSpend(list);
    return { day, probes: t.probes, unpriced_probes: t.unpriced, input_tokens: t.inputTokens, output_tokens: t.outputTokens, known_cost_usd: usd(t.costUsd) };
  });
  const all = sumSpend(deployments.flatMap((d) => (store.spend(d.model_id)?.days ?? [])));
  return {
    statusCode: 200,
    body: {
      currency: 'USD',
      days_kept: SPEND_DAYS,
      deployments,
      per_day: perDay,
      total: {
        probes: all.probes,
        unpriced_probes: all.unpriced,
        known_cost_usd: usd(all.costUsd),
        unknown_cost_deployments: deployments.filter((d) => d.cost_usd === 'unknown').length,
        known_projected_month_usd: usd(projected),
        unknown_projections: unknownProjections,
      },
    },
  };
}
