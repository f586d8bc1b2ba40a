import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { ProbeContext, ProbePlugin } from '../src/core/plugin.js';
import { runProbe } from '../src/scheduler/runner.js';

// A real GC on demand, so the test can see whether a probe's signal is still reachable.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const [deployment] = parseConfig('model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o-mini }\n    model_info: { health_check_timeout: 0.05 }\n', 'c.yaml', {}).deployments;

/** A plugin that keeps only a weak reference to each probe's signal, then behaves as told. */
function pluginThat(behaviour: 'answers' | 'throws' | 'hangs', seen: WeakRef<AbortSignal>[]): Map<string, ProbePlugin> {
  const probe = async (_d: unknown, ctx: ProbeContext) => {
    seen.push(new WeakRef(ctx.signal));
    if (behaviour === 'throws') throw new Error('boom');
    if (behaviour === 'hangs') return new Promise<never>(() => {});
    return { healthy: true };
  };
  return new Map([['chat', { mode: 'chat', probe }]]);
}

async function collected(refs: WeakRef<AbortSignal>[]): Promise<number> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  return refs.filter((r) => r.deref() === undefined).length;
}

describe('a probe releases what it allocated for its deadline and for shutdown', () => {
  for (const behaviour of ['answers', 'throws', 'hangs'] as const) {
    it(`when the plugin ${behaviour}: no listener left on the long-lived shutdown signal, and the probe's signal is collectable`, async () => {
      const shutdown = new AbortController();
      const seen: WeakRef<AbortSignal>[] = [];
      const plugins = pluginThat(behaviour, seen);
      const results = [];
      for (let i = 0; i < 20; i++) results.push(await runProbe(deployment!, { plugins, signal: shutdown.signal }));

      expect(results.every((r) => r.healthy === (behaviour === 'answers'))).toBe(true);
      if (behaviour === 'hangs') expect(results[0]!.errorType).toBe('timeout');
      expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
      // Every probe ran against a long-lived shutdown signal that never aborted; each probe's own
      // signal must still be garbage once the probe is over (AbortSignal.any kept them all).
      expect(seen).toHaveLength(20);
      expect(await collected(seen)).toBe(20);
    });
  }

  it('shutdown still aborts a probe in flight, typed timeout and saying why', async () => {
    const shutdown = new AbortController();
    const pending = runProbe(deployment!, { plugins: pluginThat('hangs', []), signal: shutdown.signal });
    shutdown.abort();
    const r = await pending;
    expect(r).toMatchObject({ healthy: false, errorType: 'timeout' });
    expect(r.error).toContain('shutting down');
  });
});
