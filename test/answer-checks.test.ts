import { describe, expect, it } from 'vitest';
import { badAnswer, expectAnswer, readAnswer, type AnswerShape } from '../src/core/answer.js';
import { ProbeError } from '../src/core/errors.js';

const answer = (json: unknown, status = 200) => ({ status, json });

/** The error expectAnswer throws, or undefined when it returns. */
function failure(fn: () => unknown): ProbeError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err as ProbeError;
  }
}

describe('readAnswer', () => {
  const res = answer({ choices: [{ message: { content: 'pong' }, finish_reason: 'stop' }], data: [] });

  it('follows object keys and array indexes', () => {
    expect(readAnswer(res, 'choices.0.message.content')).toBe('pong');
    expect(readAnswer(res, 'choices.0.finish_reason')).toBe('stop');
    expect(readAnswer(res, 'data')).toEqual([]);
  });

  it('is undefined for any missing step, a non-JSON answer, or a step through a primitive', () => {
    expect(readAnswer(res, 'choices.1.message')).toBeUndefined();
    expect(readAnswer(res, 'nope.0')).toBeUndefined();
    expect(readAnswer(answer(undefined), 'choices')).toBeUndefined();
    expect(readAnswer(answer(null), 'choices')).toBeUndefined();
    expect(readAnswer(res, 'choices.0.message.content.length')).toBeUndefined();
  });

  it('never reads inherited properties (an answer cannot pass by naming the prototype)', () => {
    expect(readAnswer(answer({}), 'constructor')).toBeUndefined();
    expect(readAnswer(answer({}), '__proto__')).toBeUndefined();
    expect(readAnswer(answer({ data: [] }), 'data.map')).toBeUndefined();
  });
});

describe('expectAnswer', () => {
  const cases: Array<[AnswerShape, unknown[], unknown[]]> = [
    ['list', [[], [1]], [undefined, null, {}, 'a']],
    ['non-empty list', [[0], [{}, {}]], [[], undefined, {}, 'a']],
    ['string', ['', 'a'], [undefined, 1, null, []]],
    ['non-empty string', ['a'], ['', undefined, 1]],
    ['vector', [[0.1, -2], [0], 'AAAAPw==', 'abc-_9\nAA=='], [[], ['0.1'], [null, 0.1], '', {}]],
    ['object', [{}, { a: 1 }], [[], null, 'a', 1]],
  ];

  it.each(cases)('%s: returns what fits and throws on the rest', (shape, good, bad) => {
    for (const v of good) expect(expectAnswer(answer({ v }), 'v', shape, 'a v')).toEqual(v);
    for (const v of bad) expect(failure(() => expectAnswer(answer({ v }), 'v', shape, 'a v'))?.message).toBe('200 without a v');
  });

  it('throws bad_response "<status> without <what>" carrying the answer\'s status', () => {
    const err = failure(() => expectAnswer(answer({}, 201), 'choices', 'non-empty list', 'choices in the chat completion'));
    expect(err).toBeInstanceOf(ProbeError);
    expect(err).toMatchObject({ errorType: 'bad_response', status: 201, message: '201 without choices in the chat completion' });
  });

  it('with several paths, returns the first that fits', () => {
    const paths = ['data.0.url', 'data.0.b64_json'];
    expect(expectAnswer(answer({ data: [{ url: 'https://x/y.png' }] }), paths, 'non-empty string', 'an image')).toBe('https://x/y.png');
    expect(expectAnswer(answer({ data: [{ url: '', b64_json: 'iVBORw0=' }] }), paths, 'non-empty string', 'an image')).toBe('iVBORw0=');
    expect(failure(() => expectAnswer(answer({ data: [{}] }), paths, 'non-empty string', 'an image'))?.message).toBe('200 without an image');
  });
});

describe('badAnswer', () => {
  it('is a bad_response ProbeError "<status> <problem>" with the status', () => {
    expect(badAnswer({ status: 200 }, 'with an empty audio body')).toMatchObject({
      errorType: 'bad_response', status: 200, message: '200 with an empty audio body',
    });
  });
});
