/**
 * One probe's abort: ended by its deadline or by shutdown, read by the provider layer. An
 * AbortController per probe, with undici's listener added to and removed from its EventTarget,
 * was the largest single item of the project's own CPU per probe after the request building
 * (issue 18); undici also takes an EventEmitter-like signal (its documented `signal` option:
 * AbortSignal | EventEmitter), which this is. A real AbortSignal is made only when a plugin or
 * the websocket client asks for one (`signal`).
 */
export class ProbeAbort {
  aborted = false;
  reason: unknown = undefined;
  /** Usually one: undici's, while a request is out. */
  #listeners: Array<() => void> | undefined;
  #controller: AbortController | undefined;

  /** An AbortSignal that follows this abort, made on first use. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const l of listeners) l();
  }

  // EventEmitter's shape, as undici uses it (util.addAbortListener: once + removeListener).
  on(event: string, listener: () => void): this {
    if (event === 'abort' && !this.aborted) (this.#listeners ??= []).push(listener);
    return this;
  }

  /** Abort happens once, so every listener is a once listener. */
  once(event: string, listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(event: string, listener: () => void): this {
    const ls = this.#listeners;
    if (event !== 'abort' || !ls) return this;
    const i = ls.indexOf(listener);
    if (i >= 0) ls.splice(i, 1);
    return this;
  }

  off(event: string, listener: () => void): this {
    return this.removeListener(event, listener);
  }
}
