import { DEFAULT_MAX_TOKENS } from '../src/core/deployment.js';
import { ProbeError, expectAnswer, type ProbePlugin } from '../src/core/plugin.js';

/**
 * Batch deployments: list batches (limit 1). Read-only: proves the batch API of the deployment
 * answers with its key, and creates nothing that costs money. A provider without a batch list
 * API (Bedrock) is checked with one short chat call instead, as LiteLLM does; its max_tokens is
 * the deployment's when health_check_supports_max_tokens is set, else 16.
 */
const batch: ProbePlugin = {
  mode: 'batch',
  description: 'list batches (read-only, free); a short chat call where there is no batch list',
  async probe(target, ctx) {
    try {
      const res = await ctx.call('batch_list');
      expectAnswer(res, 'data', 'list', 'a batch list'); // empty when no batch was ever made
      return { healthy: true };
    } catch (err) {
      if (!(err instanceof ProbeError) || err.errorType !== 'unsupported') throw err;
    }
    const res = await ctx.call('chat', {
      messages: [{ role: 'user', content: ctx.prompt }],
      max_tokens: ctx.maxTokens ?? DEFAULT_MAX_TOKENS,
    });
    expectAnswer(res, 'choices', 'non-empty list', 'choices in the chat completion');
    return { healthy: true, details: { probe: 'chat', note: `${target.provider} has no batch list API: checked with a chat call` } };
  },
};

export default batch;
