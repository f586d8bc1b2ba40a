/** A list ordered by time, oldest first, read by index (a History, or a filtered view of one). */
export interface TimeOrdered {
  readonly length: number;
  checkedAt(i: number): number;
}

/** Where a row of a merged page is: which list, which index in it. */
export interface RowAt { list: number; index: number }

/**
 * One page of several time-ordered lists merged newest first, without sorting them all: a
 * k-way merge over the lists' ends reads only skip + take rows (plus log k per row).
 */
export function newestFirst(lists: readonly TimeOrdered[], skip: number, take: number): RowAt[] {
  // Max-heap of list indices by the time of each list's current (newest unread) row.
  const cursor = lists.map((l) => l.length - 1);
  const heap: number[] = [];
  const t = (li: number) => lists[li]!.checkedAt(cursor[li]!);
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
  const out: RowAt[] = [];
  for (let n = 0; heap.length && n < skip + take; n++) {
    const li = heap[0]!;
    if (n >= skip) out.push({ list: li, index: cursor[li]! });
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
