import { ProbeError, expectAnswer, type ProbePlugin, type ProviderResponse } from '../src/core/plugin.js';
import { probePng, smallestImageSize } from '../src/core/media.js';

/**
 * Image edit: a tiny PNG made in code, n 1, smallest size. A content-policy refusal is an answer
 * from a working deployment, so it counts healthy.
 */
const imageEdit: ProbePlugin = {
  mode: 'image_edit',
  description: 'edit of a tiny generated PNG (costly)',
  async probe(target, ctx) {
    const form = new FormData();
    form.set('image', new Blob([probePng()], { type: 'image/png' }), 'probe.png');
    form.set('prompt', ctx.prompt);
    form.set('n', '1');
    const size = smallestImageSize(target.providerModel);
    if (size) form.set('size', size);
    let res: ProviderResponse;
    try {
      res = await ctx.call('image_edit', form, { maxBytes: 32 * 1024 * 1024 });
    } catch (err) {
      if (err instanceof ProbeError && err.status === 400 && (err.code === 'content_policy_violation' || /content.?policy|safety system/i.test(err.message))) {
        return { healthy: true, details: { note: 'content policy refusal (the deployment answered)' } };
      }
      throw err;
    }
    expectAnswer(res, ['data.0.url', 'data.0.b64_json'], 'non-empty string', 'an edited image');
    return { healthy: true };
  },
};

export default imageEdit;
