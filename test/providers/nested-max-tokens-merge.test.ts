import { describe, expect, it } from 'vitest';
import { nestedMaxTokens } from '../../src/providers/translate.js';

/**
 * Bedrock's inferenceConfig, Gemini's generationConfig and Ollama's options all hold max_tokens
 * under their own name, merged with the user's object of that name from health_check_params.
 */
describe('nestedMaxTokens', () => {
  const inferenceConfig = { object: 'inferenceConfig', field: 'maxTokens' };

  it('puts max_tokens under the provider\'s name, merged with the user\'s object (whose keys win)', () => {
    expect(nestedMaxTokens({ messages: [], max_tokens: 16, inferenceConfig: { temperature: 0, maxTokens: 4 } }, ['messages'], inferenceConfig))
      .toEqual({ inferenceConfig: { maxTokens: 4, temperature: 0 } });
    expect(nestedMaxTokens({ prompt: 'p', max_tokens: 8, options: { seed: 1 }, keep_alive: '5m' }, ['prompt'], { object: 'options', field: 'num_predict' }))
      .toEqual({ options: { num_predict: 8, seed: 1 }, keep_alive: '5m' });
  });

  it('leaves the object out when there is nothing to put in it, and drops a non-object under its name', () => {
    expect(nestedMaxTokens({ messages: [] }, ['messages'], inferenceConfig)).toEqual({});
    expect(nestedMaxTokens({ messages: [], inferenceConfig: 'fast', max_tokens: 3 }, ['messages'], inferenceConfig)).toEqual({ inferenceConfig: { maxTokens: 3 } });
  });

  it('keeps the other params after the object, without the translated ones, model and reasoning_effort', () => {
    const out = nestedMaxTokens({ model: 'x', messages: [], max_tokens: 2, reasoning_effort: 'low', safetySettings: [] }, ['messages'], { object: 'generationConfig', field: 'maxOutputTokens' });
    expect(Object.keys(out)).toEqual(['generationConfig', 'safetySettings']);
    expect(out).toEqual({ generationConfig: { maxOutputTokens: 2 }, safetySettings: [] });
  });
});
