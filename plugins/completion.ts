import type { ProbePlugin } from '../src/core/plugin.js';

/** Text completion (`/completions`): a short prompt and a small max_tokens; healthy on a choice. */
const completion: ProbePlugin = {
  mode: 'completion',
  description: 'text completion with a short prompt',
  async probe(_d, ctx) {
    const res = await ctx.call('completion', {
      prompt: ctx.prompt,
      ...(ctx.maxTokens !== undefined ? { max_tokens: ctx.maxTokens } : {}),
    });
    const choices = (res.json as { choices?: unknown[] } | undefined)?.choices;
    if (!Array.isArray(choices) || choices.length === 0) {
      return { healthy: false, errorType: 'bad_response', error: `${res.status} without choices in the completion` };
    }
    return { healthy: true };
  },
};

export default completion;
