/**
 * Whether every deployment of the first round is done, asked after every probe. Results come
 * roughly in plan order, so each look resumes where the last one stopped (linear over the round;
 * scanning from the start every time was quadratic, ~50 million looks at 10,000 deployments),
 * then checks them all once before saying yes: a result may have gone stale meanwhile.
 */
export class FirstRoundCursor {
  /** Every deployment before this index was done when last looked at. */
  #at = 0;

  /** The plan changed: look at every deployment again. */
  reset(): void { this.#at = 0; }

  complete<T>(ds: readonly T[], done: (d: T) => boolean): boolean {
    while (this.#at < ds.length && done(ds[this.#at]!)) this.#at++;
    if (this.#at < ds.length) return false;
    const notDone = ds.findIndex((d) => !done(d));
    if (notDone >= 0) this.#at = notDone;
    return notDone < 0;
  }
}
