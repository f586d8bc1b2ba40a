/**
 * Serialises calls of `run`: one runs at a time, and every call made while one runs shares a
 * single further run after it. So the last state asked for wins (that run starts after the last
 * call), and a storm of N calls costs at most two runs, not N at once (config reloads).
 */
export function coalesced<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  const start = (): Promise<T> => {
    running = run().finally(() => { running = undefined; });
    return running;
  };
  return () => {
    if (!running) return start();
    next ??= running.then(
      () => { next = undefined; return start(); },
      () => { next = undefined; return start(); },
    );
    return next;
  };
}
