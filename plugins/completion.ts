import { expectAnswer, type ProbePlugin } from '../src/core/plugin.js';

/** Text completion (`/completions`): a short prompt and a small max_tokens; healthy on a choice. */
const completion: ProbePlugin = {
  mode: 'completion',
  description: 'text completion with a short prompt',
  async probe(_target, ctx) {
    const res = await ctx.call('completion', {
      prompt: ctx.prompt,
      ...(ctx.maxTokens !== undefined ? { max_tokens: ctx.maxTokens } : {}),
    });
    expectAnswer(res, 'choices', 'non-empty list', 'choices in the completion');
    return { healthy: true };
  },
};

export default completion;
