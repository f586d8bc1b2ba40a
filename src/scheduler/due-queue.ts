/** A min-heap of ids by due time (epoch ms): the background scheduler's one timer wheel. */
export class DueQueue {
  #heap: Array<{ id: string; due: number }> = [];
  /** Latest due per id; heap items whose due differs are stale (lazy deletion). */
  readonly #due = new Map<string, number>();

  set(id: string, due: number): void {
    this.#due.set(id, due);
    this.#push({ id, due });
  }

  delete(id: string): void { this.#due.delete(id); }

  /** When `id` is due, or undefined when it is not queued (e.g. its probe is running). */
  dueOf(id: string): number | undefined { return this.#due.get(id); }

  clear(): void {
    this.#heap = [];
    this.#due.clear();
  }

  /** The earliest due time, or undefined when empty. */
  peek(): number | undefined {
    this.#dropStale();
    return this.#heap[0]?.due;
  }

  /** Removes and returns the ids due at or before `now` (at most `max`, earliest first), with the time each was due. */
  popDue(now: number, max = Infinity): Array<{ id: string; due: number }> {
    const out: Array<{ id: string; due: number }> = [];
    while (out.length < max) {
      this.#dropStale();
      const top = this.#heap[0];
      if (!top || top.due > now) return out;
      this.#pop();
      this.#due.delete(top.id);
      out.push(top);
    }
    return out;
  }

  #dropStale() {
    while (this.#heap.length && this.#due.get(this.#heap[0]!.id) !== this.#heap[0]!.due) this.#pop();
  }

  #push(item: { id: string; due: number }) {
    const h = this.#heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.due <= h[i]!.due) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  #pop() {
    const h = this.#heap;
    const last = h.pop()!;
    if (!h.length) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.due < h[m]!.due) m = l;
      if (r < h.length && h[r]!.due < h[m]!.due) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}
