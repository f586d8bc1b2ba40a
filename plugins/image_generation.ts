import type { ProbePlugin } from '../src/core/plugin.js';
import { smallestImageSize } from '../src/core/media.js';

/**
 * Image generation: one image at the smallest size the model accepts. The costliest probe there
 * is (a whole image per check): prefer a long interval or health_check_probe: models_list.
 */
const imageGeneration: ProbePlugin = {
  mode: 'image_generation',
  description: 'one image at the smallest size (costly)',
  async probe(d, ctx) {
    const size = smallestImageSize(d.providerModel);
    const res = await ctx.call('image_generation', {
      prompt: ctx.prompt,
      n: 1,
      ...(size ? { size } : {}),
      ...(/gpt-image/i.test(d.providerModel) ? { quality: 'low' } : {}),
    }, { maxBytes: 32 * 1024 * 1024 });
    const image = (res.json as { data?: Array<{ url?: string; b64_json?: string }> } | undefined)?.data?.[0];
    return image?.url || image?.b64_json
      ? { healthy: true }
      : { healthy: false, errorType: 'bad_response', error: `${res.status} without an image (url or b64_json)` };
  },
};

export default imageGeneration;
