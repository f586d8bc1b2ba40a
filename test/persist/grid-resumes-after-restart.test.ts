import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { ProbePlugin } from '../../src/core/plugin.js';
import type { ProbeResult } from '../../src/core/result.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { MemoryStore } from '../../src/store/memory.js';

/**
 * The scheduler started over a store holding results read back after a restart, on vitest's
 * fake clock (exact on any machine). Interval 60 s, 4 deployments: deployment i's slots are at
 * origin + i × 15 s + k × 60 s, the origin being the one the previous run stored.
 */
const I = 60_000;
const T = Date.UTC(2025, 0, 1);
const ORIGIN = T - 10 * I; // the previous run's grid
const ids = ['a', 'b', 'c', 'd'];
const config = parseConfig(`model_list:\n${ids.map((m) => `  - model_name: ${m}\n    litellm_params: { model: openai/${m}, api_base: "http://upstream.invalid/v1" }\n    model_info: { id: ${m} }\n`).join('')}`, 'c.yaml', {});
const stored = (id: string, startedAt: number, extra: Partial<ProbeResult> = {}): ProbeResult =>
  ({ deploymentId: id, healthy: true, startedAt, checkedAt: startedAt + 50, latencyMs: 50, headers: {}, verdict: 'healthy', consecutiveFailures: 0, consecutiveSuccesses: 1, restored: true, ...extra });

afterEach(() => { vi.useRealTimers(); });

describe('the background grid resumes after a restart', () => {
  it('probes nothing fresh at start-up, each deployment at its own next slot, an overdue one at once, one in doubt after its retry interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T });
    const store = new MemoryStore();
    const slot = (i: number, k: number) => ORIGIN + i * 15_000 + k * I;
    store.restore([
      stored('a', slot(0, 9) + 200), // probed at its slot 9 (late by 200 ms): next slot 10 = T
      stored('b', slot(1, 9) + 200), // next slot: T + 15 s
      stored('c', T - 2 * I), // its slot passed while the exporter was down: due now
      // one failure, threshold 3: in doubt, confirmed after the retry interval (20 s) from its start
      stored('d', T - 5000, { healthy: false, verdict: 'healthy', errorType: 'server_error', consecutiveFailures: 1, consecutiveSuccesses: 0 }),
    ], new Map(), T);
    const calls: Array<{ id: string; at: number }> = [];
    const chat: ProbePlugin = { mode: 'chat', probe: async (t) => { calls.push({ id: t.id, at: Date.now() - T }); return { healthy: true }; } };
    let readyAt: number | undefined;
    const s = new Scheduler({
      store, plugins: new Map([['chat', chat]]), concurrency: 16, now: () => Date.now(),
      policy: () => ({ failureThreshold: 3, successThreshold: 1, retryMs: 20_000, staleAfterMs: 2 * I + 60_000 }),
    });
    void s.startBackground({ deployments: config.deployments, intervalS: () => I / 1000, origin: ORIGIN }).then(() => { readyAt = Date.now() - T; });
    await vi.advanceTimersByTimeAsync(0);
    // Every deployment had a fresh-enough result: ready at once, before any probe.
    expect(readyAt).toBe(0);
    await vi.advanceTimersByTimeAsync(2 * I - 1);
    await s.stop();
    const at = (id: string) => calls.filter((c) => c.id === id).map((c) => c.at);
    expect(at('a')).toEqual([0, I]); // slot 10 is now; then slot 11
    expect(at('b')).toEqual([15_000, 15_000 + I]);
    expect(at('c')).toEqual([0, 30_000 + I]); // overdue: at once, then back on its slot (origin + 30 s + k × I)
    // In doubt: confirmed at its start + 20 s; the success settles it, so back to its slot (origin + 45 s + k × I).
    expect(at('d')).toEqual([15_000, 45_000 + I]);
  });

  it('readiness waits for the deployments whose stored result is stale, and only for them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T });
    const store = new MemoryStore();
    store.restore([stored('a', T - 1000), stored('b', T - 1000), stored('c', T - 1000), stored('d', T - 10 * I)], new Map(), T);
    const calls: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const chat: ProbePlugin = { mode: 'chat', probe: async (t) => { calls.push(t.id); await gate; return { healthy: true }; } };
    let ready = false;
    const s = new Scheduler({ store, plugins: new Map([['chat', chat]]), concurrency: 16, now: () => Date.now(), policy: () => ({ failureThreshold: 1, successThreshold: 1, retryMs: I, staleAfterMs: 2 * I + 60_000 }) });
    void s.startBackground({ deployments: config.deployments, intervalS: () => I / 1000, origin: ORIGIN }).then(() => { ready = true; });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['d']);
    expect(ready).toBe(false);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(ready).toBe(true);
    await s.stop();
  });
});
