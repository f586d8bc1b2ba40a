import type { ProbePlugin } from '../src/core/plugin.js';

/** Rerank (Cohere-style `/rerank`): one query, two documents; healthy on a results list. */
const rerank: ProbePlugin = {
  mode: 'rerank',
  description: 'rerank of two documents for one query',
  async probe(_d, ctx) {
    const res = await ctx.call('rerank', { query: ctx.prompt, documents: [ctx.prompt, 'pong'], top_n: 1 });
    const results = (res.json as { results?: unknown[] } | undefined)?.results;
    return Array.isArray(results) && results.length > 0
      ? { healthy: true }
      : { healthy: false, errorType: 'bad_response', error: `${res.status} without rerank results` };
  },
};

export default rerank;
