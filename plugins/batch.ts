import type { ProbePlugin } from '../src/core/plugin.js';

/**
 * Batch deployments: list batches (limit 1). Read-only: proves the batch API of the deployment
 * answers with its key, and creates nothing that costs money.
 */
const batch: ProbePlugin = {
  mode: 'batch',
  description: 'list batches (read-only, free)',
  async probe(_d, ctx) {
    const res = await ctx.call('batch_list');
    const body = res.json as { object?: string; data?: unknown } | undefined;
    return Array.isArray(body?.data)
      ? { healthy: true }
      : { healthy: false, errorType: 'bad_response', error: `${res.status} without a batch list` };
  },
};

export default batch;
