/**
 * The chunks `/metrics` answers are written into (PrometheusTextSerializer.serializeParts), kept
 * for the next answer once one is sent: those of the last answer released, so the memory follows
 * the answers as they are now. One buffer sized for the largest answer was kept before: at 10,000
 * deployments it had doubled from 64 KB to 35.7 MB on the first scrape (every block written) and
 * stayed so while later scrapes wrote ~3 MB between the kept blocks (heap snapshot after the
 * hour-equivalent's trickle and serving, bench/FINDINGS.md).
 */

/** A small exposition fits in one small chunk; a large one takes 1 MB ones. */
const CHUNK_MIN = 64 * 1024;
const CHUNK_MAX = 1024 * 1024;

export interface AnswerWriting {
  /** The next chunk to write into, at least `min` bytes: a kept one, else a new one twice the last. */
  next(min: number): Buffer;
  /** The answer is written; `first` is its first segment, what release() will be given. */
  written(first: Buffer | undefined): void;
}

export class AnswerChunks {
  #free: Buffer[] = [];
  /** An answer's first segment → the chunks it was written into. */
  readonly #byAnswer = new WeakMap<Buffer, Buffer[]>();

  begin(): AnswerWriting {
    const used: Buffer[] = [];
    return {
      next: (min) => {
        let chunk = this.#free.pop();
        if (!chunk || chunk.length < min) {
          const size = used.length ? Math.min(CHUNK_MAX, used[used.length - 1]!.length * 2) : CHUNK_MIN;
          chunk = Buffer.allocUnsafe(Math.max(min, size));
        }
        used.push(chunk);
        return chunk;
      },
      written: (first) => { if (first) this.#byAnswer.set(first, used); },
    };
  }

  /** The answer whose first segment is `first` is sent: its chunks are the next answer's. */
  release(first: Buffer): boolean {
    const chunks = this.#byAnswer.get(first);
    if (!chunks) return false;
    this.#byAnswer.delete(first); // a second release must not hand out chunks in use again
    this.#free = chunks.reverse(); // popped in the order they were written
    return true;
  }

  /** Bytes kept for the next answer. */
  get retainedBytes(): number {
    let n = 0;
    for (const c of this.#free) n += c.length;
    return n;
  }
}
