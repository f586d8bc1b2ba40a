import { expectAnswer, readAnswer, type ProbePlugin } from '../src/core/plugin.js';

/**
 * Chat: one short user message with a small max_tokens. Healthy when the provider answers 2xx
 * with at least one choice. An empty message is still an answer: a reasoning model may spend the
 * whole budget thinking (finish_reason "length"), which proves it works and is no false alarm.
 */
const chat: ProbePlugin = {
  mode: 'chat',
  description: 'chat completion with one short user message',
  async probe(target, ctx) {
    // Keys in the order of the JSON sent, no spreads (this runs on every probe); one literal
    // per shape, so the usual payload is not grown by a property added afterwards.
    const messages = [{ role: 'user', content: ctx.prompt }];
    const payload: Record<string, unknown> = ctx.maxTokens !== undefined ? { messages, max_tokens: ctx.maxTokens } : { messages };
    if (target.reasoningEffort) payload.reasoning_effort = target.reasoningEffort;
    const res = await ctx.call('chat', payload);
    expectAnswer(res, 'choices', 'non-empty list', 'choices in the chat completion');
    expectAnswer(res, 'choices.0', 'object', 'a choice object in the chat completion');
    if (!readAnswer(res, 'choices.0.message.content') && readAnswer(res, 'choices.0.finish_reason') === 'length') {
      return { healthy: true, details: { note: 'empty answer: max_tokens spent (reasoning)' } };
    }
    return { healthy: true };
  },
};

export default chat;
