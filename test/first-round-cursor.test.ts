import { describe, expect, it } from 'vitest';
import { FirstRoundCursor } from '../src/scheduler/first-round.js';

describe('the first-round check (scheduler/first-round.ts)', () => {
  it('looks at each deployment a bounded number of times over a round, not once per probe', () => {
    const done = new Set<number>();
    const ids = Array.from({ length: 2000 }, (_, i) => i);
    const cursor = new FirstRoundCursor();
    let looks = 0;
    const isDone = (i: number) => { looks++; return done.has(i); };
    let completeAt: number | undefined;
    for (const i of ids) {
      done.add(i);
      if (cursor.complete(ids, isDone)) completeAt = i;
    }
    expect(completeAt).toBe(1999);
    // Scanning from the start after each probe: ~2 million looks; resuming: about 3 per deployment.
    expect(looks).toBeLessThan(3 * ids.length + 10);
  });

  it('says complete only when every deployment is done at one look (an early result gone stale holds it back)', () => {
    const done = new Set([0, 1, 2, 3]);
    const cursor = new FirstRoundCursor();
    const ids = [0, 1, 2, 3, 4];
    expect(cursor.complete(ids, (i) => done.has(i))).toBe(false);
    done.delete(1); // stale again
    done.add(4);
    expect(cursor.complete(ids, (i) => done.has(i))).toBe(false);
    done.add(1);
    expect(cursor.complete(ids, (i) => done.has(i))).toBe(true);
    cursor.reset();
    done.delete(0);
    expect(cursor.complete(ids, (i) => done.has(i))).toBe(false);
  });
});
