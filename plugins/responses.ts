import type { ProbePlugin } from '../src/core/plugin.js';

/** The OpenAI Responses API accepts no max_output_tokens below 16. */
const MIN_OUTPUT_TOKENS = 16;

/** Responses API (`/responses`): one short input; healthy on a response object with an output list. */
const responses: ProbePlugin = {
  mode: 'responses',
  description: 'Responses API call with one short input',
  async probe(d, ctx) {
    const res = await ctx.call('responses', {
      input: ctx.prompt,
      ...(ctx.maxTokens !== undefined ? { max_output_tokens: Math.max(MIN_OUTPUT_TOKENS, ctx.maxTokens) } : {}),
      ...(d.reasoningEffort ? { reasoning: { effort: d.reasoningEffort } } : {}),
    });
    const body = res.json as { object?: string; output?: unknown; status?: string } | undefined;
    if (!body || !Array.isArray(body.output)) {
      return { healthy: false, errorType: 'bad_response', error: `${res.status} without an output list in the response` };
    }
    // "incomplete" with the budget spent is still a working model, as with empty chat answers.
    return body.status === 'failed'
      ? { healthy: false, errorType: 'bad_response', error: 'response status "failed"' }
      : { healthy: true };
  },
};

export default responses;
