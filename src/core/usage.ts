import type { Operation } from './operation.js';

/**
 * What a probe used, read from the provider's answer, and what that cost at the model's prices.
 * The prices are LiteLLM's model-table fields (input_cost_per_token and friends), in USD.
 */
export const PRICE_FIELDS = [
  'input_cost_per_token', 'output_cost_per_token',
  'input_cost_per_character', 'input_cost_per_second', 'output_cost_per_second', 'output_cost_per_video_per_second',
  'output_cost_per_image', 'input_cost_per_pixel', 'output_cost_per_pixel', 'input_cost_per_query', 'ocr_cost_per_page',
] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];
export type Prices = Partial<Record<PriceField, number>>;

/** Units one probe used; absent: none of that unit. */
export interface ProbeUsage {
  inputTokens?: number;
  outputTokens?: number;
  images?: number;
  /** Pixels per image (from the size asked for), for models priced per pixel. */
  pixels?: number;
  /** Audio sent (transcription) or video made, in seconds. */
  inputSeconds?: number;
  videoSeconds?: number;
  /** Characters sent to speech. */
  characters?: number;
  /** Search units (rerank). */
  queries?: number;
  pages?: number;
}

/** What a probe spent: its usage, and its cost in USD (null: unknown: no price, or the answer did not say what was used). */
export interface ProbeSpend {
  usage: ProbeUsage;
  costUsd: number | null;
}

/** Calls nobody pays for: listing models, batches or video jobs, a realtime handshake, moderation. */
export const FREE_OPERATIONS: ReadonlySet<Operation> = new Set(['models_list', 'batch_list', 'video_list', 'realtime', 'moderation']);

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** Pixels of a "WxH" size. */
function pixelsOf(size: unknown): number | undefined {
  const m = typeof size === 'string' ? /^(\d+)x(\d+)$/.exec(size) : null;
  return m ? Number(m[1]) * Number(m[2]) : undefined;
}

/**
 * The units a call used, from the OpenAI-shaped answer (providers translate theirs) and, where
 * the answer cannot say, from what was sent (speech characters, image size). Undefined when the
 * answer of a billable call says nothing usable: its cost is then unknown, never 0.
 */
export function usageOf(op: Operation, payload: Record<string, unknown> | FormData | undefined, json: unknown): ProbeUsage | undefined {
  if (FREE_OPERATIONS.has(op)) return {};
  const body = obj(json) ?? {};
  const u = obj(body.usage) ?? {};
  const sent = payload instanceof FormData ? Object.fromEntries([...payload].filter(([, v]) => typeof v === 'string')) : (payload ?? {});
  const tokens = (): ProbeUsage | undefined => {
    const input = num(u.prompt_tokens) ?? num(u.input_tokens);
    const output = num(u.completion_tokens) ?? num(u.output_tokens);
    return input === undefined && output === undefined ? undefined : { inputTokens: input ?? 0, outputTokens: output ?? 0 };
  };
  switch (op) {
    case 'image_generation':
    case 'image_edit': {
      const images = Array.isArray(body.data) ? body.data.length : undefined;
      if (images === undefined) return undefined;
      const pixels = pixelsOf(sent.size);
      return { images, ...(pixels !== undefined ? { pixels } : {}), ...tokens() };
    }
    case 'audio_speech': {
      const text = sent.input;
      return typeof text === 'string' ? { characters: text.length } : undefined;
    }
    case 'audio_transcription': {
      const seconds = num(u.seconds) ?? num(body.duration);
      return seconds !== undefined ? { inputSeconds: seconds, ...tokens() } : tokens();
    }
    case 'video_generation': {
      const seconds = num(Number(body.seconds));
      return seconds !== undefined ? { videoSeconds: seconds } : undefined;
    }
    case 'rerank': {
      const billed = obj(obj(body.meta)?.billed_units);
      const queries = num(billed?.search_units) ?? num(obj(body.usage)?.search_units);
      return queries !== undefined ? { queries } : undefined;
    }
    case 'ocr': {
      const pages = num(obj(body.usage_info)?.pages_processed);
      return pages !== undefined ? { pages } : undefined;
    }
    default:
      return tokens();
  }
}

/**
 * The cost of a usage at these prices, as LiteLLM computes it for these units; null when a unit
 * used has no price (an unknown price is unknown, never 0).
 */
export function costOf(usage: ProbeUsage, p: Prices): number | null {
  // NaN stands for "used without a price" and survives every sum (no closure per call: this
  // runs once per probe).
  let cost: number;
  if (usage.images) {
    // Per image, else per pixel of the size asked for, else by tokens (gpt-image answers with them).
    if (p.output_cost_per_image !== undefined) cost = usage.images * p.output_cost_per_image;
    else if (p.input_cost_per_pixel !== undefined && usage.pixels) cost = usage.images * usage.pixels * (p.input_cost_per_pixel + (p.output_cost_per_pixel ?? 0));
    else if (usage.inputTokens !== undefined && p.input_cost_per_token !== undefined) {
      cost = part(usage.inputTokens, p.input_cost_per_token);
      cost += part(usage.outputTokens, p.output_cost_per_token);
    } else cost = NaN;
    return Number.isNaN(cost) ? null : cost;
  }
  if (usage.inputSeconds !== undefined && p.input_cost_per_second !== undefined) cost = part(usage.inputSeconds, p.input_cost_per_second);
  else {
    cost = part(usage.inputTokens, p.input_cost_per_token);
    cost += part(usage.outputTokens, p.output_cost_per_token);
    if (usage.inputSeconds && usage.inputTokens === undefined) cost = NaN;
  }
  cost += part(usage.characters, p.input_cost_per_character);
  cost += part(usage.videoSeconds, p.output_cost_per_video_per_second ?? p.output_cost_per_second);
  cost += part(usage.queries, p.input_cost_per_query);
  cost += part(usage.pages, p.ocr_cost_per_page);
  return Number.isNaN(cost) ? null : cost;
}

/** One unit's share of a cost: 0 when none was used, NaN when it was used and has no price. */
function part(amount: number | undefined, price: number | undefined): number {
  if (!amount) return 0;
  return price === undefined ? NaN : amount * price;
}

/** The sum of two usages (a probe that made two calls). */
export function addUsage(a: ProbeUsage, b: ProbeUsage): ProbeUsage {
  if (!Object.keys(a).length) return b;
  const out: ProbeUsage = { ...a };
  for (const [k, v] of Object.entries(b) as Array<[keyof ProbeUsage, number]>) out[k] = k === 'pixels' ? v : (out[k] ?? 0) + v;
  return out;
}
