import { expectAnswer, type ProbePlugin } from '../src/core/plugin.js';

/** Rerank (Cohere-style `/rerank`): one query, two documents; healthy on a results list. */
const rerank: ProbePlugin = {
  mode: 'rerank',
  description: 'rerank of two documents for one query',
  async probe(_target, ctx) {
    const res = await ctx.call('rerank', { query: ctx.prompt, documents: [ctx.prompt, 'pong'], top_n: 1 });
    expectAnswer(res, 'results', 'non-empty list', 'rerank results');
    return { healthy: true };
  },
};

export default rerank;
