import type { ProbePlugin } from '../src/core/plugin.js';

/**
 * Chat: one short user message with a small max_tokens. Healthy when the provider answers 2xx
 * with at least one choice. An empty message is still an answer: a reasoning model may spend the
 * whole budget thinking (finish_reason "length"), which proves it works and is no false alarm.
 */
const chat: ProbePlugin = {
  mode: 'chat',
  description: 'chat completion with one short user message',
  async probe(d, ctx) {
    const res = await ctx.call('chat', {
      messages: [{ role: 'user', content: ctx.prompt }],
      ...(ctx.maxTokens !== undefined ? { max_tokens: ctx.maxTokens } : {}),
      ...(d.reasoningEffort ? { reasoning_effort: d.reasoningEffort } : {}),
    });
    const choices = (res.json as { choices?: Array<{ finish_reason?: string; message?: { content?: string | null } }> } | undefined)?.choices;
    if (!Array.isArray(choices) || choices.length === 0) {
      return { healthy: false, errorType: 'bad_response', error: `${res.status} without choices in the chat completion` };
    }
    const first = choices[0]!;
    if (!first.message?.content && first.finish_reason === 'length') {
      return { healthy: true, details: { note: 'empty answer: max_tokens spent (reasoning)' } };
    }
    return { healthy: true };
  },
};

export default chat;
