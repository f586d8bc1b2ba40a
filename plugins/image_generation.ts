import { expectAnswer, type ProbePlugin } from '../src/core/plugin.js';
import { smallestImageSize } from '../src/core/media.js';

/**
 * Image generation: one image at the smallest size the model accepts. The costliest probe there
 * is (a whole image per check): prefer a long interval or health_check_probe: models_list.
 */
const imageGeneration: ProbePlugin = {
  mode: 'image_generation',
  description: 'one image at the smallest size (costly)',
  async probe(target, ctx) {
    const size = smallestImageSize(target.providerModel);
    const res = await ctx.call('image_generation', {
      prompt: ctx.prompt,
      n: 1,
      ...(size ? { size } : {}),
      ...(/gpt-image/i.test(target.providerModel) ? { quality: 'low' } : {}),
    }, { maxBytes: 32 * 1024 * 1024 });
    expectAnswer(res, ['data.0.url', 'data.0.b64_json'], 'non-empty string', 'an image (url or b64_json)');
    return { healthy: true };
  },
};

export default imageGeneration;
