/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** How far a word may be from a name to be taken for a typo of it: nothing for very short words. */
export function typoDistance(word: string): number {
  return word.length <= 3 ? 0 : word.length <= 10 ? 1 : word.length <= 20 ? 2 : 3;
}

/** The candidate nearest to `word` (ties: the first) and how far it is; case is no difference. */
export function nearest(word: string, candidates: Iterable<string>): { name: string; distance: number } | undefined {
  let best: { name: string; distance: number } | undefined;
  const lower = word.toLowerCase();
  for (const name of candidates) {
    const distance = editDistance(lower, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best;
}

/** The candidate nearest to `word` within `max` edits, or undefined. */
export function closest(word: string, candidates: Iterable<string>, max = typoDistance(word)): string | undefined {
  const n = nearest(word, candidates);
  return n && n.distance <= max ? n.name : undefined;
}
