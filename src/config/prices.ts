import { smallestImageSize } from '../core/media.js';
import type { Prices } from '../core/usage.js';
import type { ModelFacts, ModelTable } from './model-table.js';

const IMAGE_MODES = new Set(['image_generation', 'image_edit']);

/**
 * A deployment's prices, as LiteLLM finds them: the model table's entry for the model probed
 * (for image models, first the entry for the size and quality the probe asks for, such as
 * `256-x-256/dall-e-2` or `low/1024-x-1024/gpt-image-1`), else model_info.base_model's; then
 * input_cost_per_token and friends written in litellm_params, then in model_info, override them.
 * Empty when nothing prices the model: its spend is unknown, never 0.
 */
export function pricesFor(
  kind: { provider: string; name: string; mode: string; facts?: ModelFacts },
  table: ModelTable,
  /** pricesIn(litellm_params) and pricesIn(model_info): read by the caller, which shares prices without them. */
  fromParams: Prices | undefined,
  fromInfo: Prices | undefined,
): Readonly<Prices> {
  let fromTable = kind.facts?.prices;
  const size = IMAGE_MODES.has(kind.mode) ? smallestImageSize(kind.name) : undefined;
  if (size) {
    const sized = size.replace('x', '-x-');
    const quality = /gpt-image/i.test(kind.name) ? 'low' : /dall-e-3/i.test(kind.name) ? 'standard' : undefined;
    const keys = [...(quality ? [`${quality}/${sized}/${kind.name}`] : []), `${sized}/${kind.name}`];
    for (const key of keys) {
      const hit = table.lookup(kind.provider, key);
      if (hit?.prices) { fromTable = hit.prices; break; }
    }
  }
  // Object.assign onto a literal, not a spread: past a few dozen deployments V8 gave each spread
  // copy its own hidden class (~250 bytes apiece). Only PRICE_FIELDS keys reach here.
  return Object.freeze(Object.assign({}, fromTable, fromParams, fromInfo));
}
