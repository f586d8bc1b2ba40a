import { expectAnswer, type ProbePlugin } from '../src/core/plugin.js';

/**
 * Batch deployments: list batches (limit 1). Read-only: proves the batch API of the deployment
 * answers with its key, and creates nothing that costs money.
 */
const batch: ProbePlugin = {
  mode: 'batch',
  description: 'list batches (read-only, free)',
  async probe(_target, ctx) {
    const res = await ctx.call('batch_list');
    expectAnswer(res, 'data', 'list', 'a batch list'); // empty when no batch was ever made
    return { healthy: true };
  },
};

export default batch;
