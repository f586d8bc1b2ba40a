import type { ProbePlugin } from '../src/core/plugin.js';

/** Moderation (`/moderations`): a short input; healthy on a results list. */
const moderation: ProbePlugin = {
  mode: 'moderation',
  description: 'moderation of a short input',
  async probe(_d, ctx) {
    const res = await ctx.call('moderation', { input: ctx.prompt });
    const results = (res.json as { results?: unknown[] } | undefined)?.results;
    return Array.isArray(results) && results.length > 0
      ? { healthy: true }
      : { healthy: false, errorType: 'bad_response', error: `${res.status} without moderation results` };
  },
};

export default moderation;
