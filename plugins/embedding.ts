import { expectAnswer, type ProbePlugin } from '../src/core/plugin.js';

/** Embeddings: a one-item input; healthy only if a non-empty vector came back. */
const embedding: ProbePlugin = {
  mode: 'embedding',
  description: 'embeddings of a one-item input',
  async probe(_target, ctx) {
    const res = await ctx.call('embedding', { input: [ctx.prompt] });
    // Numbers, or a base64 string when health_check_params ask for encoding_format: base64.
    expectAnswer(res, 'data.0.embedding', 'vector', 'an embedding vector');
    return { healthy: true };
  },
};

export default embedding;
