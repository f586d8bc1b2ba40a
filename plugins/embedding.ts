import type { ProbePlugin } from '../src/core/plugin.js';

/** Embeddings: a one-item input; healthy only if a non-empty vector came back. */
const embedding: ProbePlugin = {
  mode: 'embedding',
  description: 'embeddings of a one-item input',
  async probe(_d, ctx) {
    const res = await ctx.call('embedding', { input: [ctx.prompt] });
    const vector = (res.json as { data?: Array<{ embedding?: unknown }> } | undefined)?.data?.[0]?.embedding;
    // A float array, or a base64 string with encoding_format: base64 in health_check_params.
    const ok = (Array.isArray(vector) && vector.length > 0 && typeof vector[0] === 'number') || (typeof vector === 'string' && vector.length > 0);
    return ok ? { healthy: true } : { healthy: false, errorType: 'bad_response', error: `${res.status} without an embedding vector` };
  },
};

export default embedding;
