import { expectAnswer, type ProbePlugin } from '../src/core/plugin.js';

/** Moderation (`/moderations`): a short input; healthy on a results list. */
const moderation: ProbePlugin = {
  mode: 'moderation',
  description: 'moderation of a short input',
  async probe(_target, ctx) {
    const res = await ctx.call('moderation', { input: ctx.prompt });
    expectAnswer(res, 'results', 'non-empty list', 'moderation results');
    return { healthy: true };
  },
};

export default moderation;
