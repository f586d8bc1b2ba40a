import type { ProbePlugin } from '../src/plugins/contract.js';

/**
 * Chat: one short user message with a small max_tokens. Healthy when the provider answers 2xx
 * with at least one choice; an empty message is still an answer (reasoning models may spend the
 * whole budget thinking) and must not raise a false alarm.
 */
const chat: ProbePlugin = {
  mode: 'chat',
  description: 'chat completion with one short user message',
  async probe(_deployment, ctx) {
    const res = await ctx.call('chat', {
      messages: [{ role: 'user', content: ctx.prompt }],
      max_tokens: ctx.maxTokens,
    });
    const choices = (res.json as { choices?: unknown } | undefined)?.choices;
    if (!Array.isArray(choices) || choices.length === 0) {
      return { healthy: false, errorType: 'bad_response', error: `${res.status} without choices in the chat completion` };
    }
    return { healthy: true };
  },
};

export default chat;
