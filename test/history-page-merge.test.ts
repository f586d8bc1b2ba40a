import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newestFirst } from '../src/views/history-merge.js';

describe('newestFirst (a page of several histories, newest first)', () => {
  it('equals sorting everything and slicing, for any lists, offset and limit', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 20 }).map((l) => [...l].sort((a, b) => a - b)), { maxLength: 12 }),
      fc.nat({ max: 50 }),
      fc.integer({ min: 1, max: 60 }),
      (lists, skip, take) => {
        const expected = lists.flat().sort((a, b) => b - a).slice(skip, skip + take);
        const page = newestFirst(lists.map((l) => ({ length: l.length, checkedAt: (i: number) => l[i]! })), skip, take);
        expect(page.map(({ list, index }) => lists[list]![index])).toEqual(expected);
      },
    ), { numRuns: 500, seed: 3 });
  });
});
