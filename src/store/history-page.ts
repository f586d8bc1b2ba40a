/**
 * One page of several time-ordered lists merged newest first, without sorting them all: a
 * k-way merge over the lists' ends reads only skip + take rows (plus log k per row). Each list
 * is oldest first, as the store keeps history.
 */
export function newestFirst<T>(lists: ReadonlyArray<readonly T[]>, time: (row: T) => number, skip: number, take: number): T[] {
  // Max-heap of list indices by the time of each list's current (newest unread) row.
  const cursor = lists.map((l) => l.length - 1);
  const heap: number[] = [];
  const t = (li: number) => time(lists[li]![cursor[li]!]!);
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t(heap[p]!) >= t(heap[i]!)) return;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && t(heap[l]!) > t(heap[m]!)) m = l;
      if (r < heap.length && t(heap[r]!) > t(heap[m]!)) m = r;
      if (m === i) return;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      i = m;
    }
  };
  lists.forEach((l, li) => { if (l.length) { heap.push(li); up(heap.length - 1); } });
  const out: T[] = [];
  for (let n = 0; heap.length && n < skip + take; n++) {
    const li = heap[0]!;
    if (n >= skip) out.push(lists[li]![cursor[li]!]!);
    cursor[li]!--;
    if (cursor[li]! >= 0) down(0);
    else {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
      if (heap.length) down(0);
    }
  }
  return out;
}
