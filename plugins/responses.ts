import { badAnswer, expectAnswer, readAnswer, type ProbePlugin } from '../src/core/plugin.js';

/** The OpenAI Responses API accepts no max_output_tokens below 16. */
const MIN_OUTPUT_TOKENS = 16;

/** Responses API (`/responses`): one short input; healthy on a response object with an output list. */
const responses: ProbePlugin = {
  mode: 'responses',
  description: 'Responses API call with one short input',
  async probe(target, ctx) {
    const res = await ctx.call('responses', {
      input: ctx.prompt,
      ...(ctx.maxTokens !== undefined ? { max_output_tokens: Math.max(MIN_OUTPUT_TOKENS, ctx.maxTokens) } : {}),
      ...(target.reasoningEffort ? { reasoning: { effort: target.reasoningEffort } } : {}),
    });
    expectAnswer(res, 'output', 'list', 'an output list in the response');
    // "incomplete" with the budget spent is still a working model, as with empty chat answers.
    if (readAnswer(res, 'status') === 'failed') throw badAnswer(res, 'with response status "failed"');
    return { healthy: true };
  },
};

export default responses;
