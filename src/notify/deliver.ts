import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import type { NotificationTarget } from '../config/status-settings.js';
import type { NetworkList } from '../core/networks.js';
import { redact } from '../core/redact.js';
import { guardedLookup } from '../providers/network-guard.js';

/** How one message is delivered: attempts, backoff, per-attempt timeout. */
export interface RetryPolicy {
  maxAttempts: number;
  /** Before the second attempt; doubled before each next one, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, timeoutMs: 10_000 };

/** One attempt's outcome: delivered, or why not and whether another attempt may succeed. */
export type AttemptResult = { ok: true } | { ok: false; retry: boolean; why: string; retryAfterMs?: number };

export type Post = (target: NotificationTarget, body: string, signal: AbortSignal) => Promise<AttemptResult>;

export interface DeliveryHooks {
  /** A failed attempt; `retryInMs` undefined: no more attempts. `why` is redacted. */
  attemptFailed(attempt: number, why: string, retryInMs: number | undefined): void;
  sleep(ms: number): Promise<void>;
  /** Stops retrying (shutdown). */
  stopped(): boolean;
}

/**
 * Delivers one message to one target: retries with exponential backoff (honouring Retry-After)
 * on network errors, timeouts, 408, 429 and 5xx; gives up at once on other answers. Resolves
 * true when delivered.
 */
export async function deliver(target: NotificationTarget, body: string, post: Post, hooks: DeliveryHooks, policy: RetryPolicy = DEFAULT_RETRY): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const r = await post(target, body, AbortSignal.timeout(policy.timeoutMs)).catch((err: unknown): AttemptResult => ({ ok: false, retry: true, why: errorText(err) }));
    if (r.ok) return true;
    const last = !r.retry || attempt >= policy.maxAttempts || hooks.stopped();
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const wait = last ? undefined : Math.min(policy.maxDelayMs, Math.max(backoff, r.retryAfterMs ?? 0));
    hooks.attemptFailed(attempt, redact(r.why, target.secrets), wait);
    if (wait === undefined) return false;
    await hooks.sleep(wait);
    if (hooks.stopped()) return false;
  }
}

function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  return [e?.code ?? e?.cause?.code, e?.message ?? String(err)].filter(Boolean).join(': ');
}

const agents = new Map<string, Agent>();
function agentFor(deny: NetworkList | undefined): Agent {
  const key = deny?.key ?? '';
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { ...(key ? { lookup: guardedLookup(deny!) } : {}) }, keepAliveTimeout: 10_000 });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * The real POST: JSON, the target's headers, nothing read back but the status. Like probes, it
 * never connects to a denied network (metadata addresses), checked on the written address and
 * after DNS.
 */
export function httpPost(deny: () => NetworkList | undefined): Post {
  return async (target, body, signal) => {
    const list = deny();
    const host = new URL(target.url).hostname.replace(/^\[|\]$/g, '');
    if (list && isIP(host) && list.contains(host)) return { ok: false, retry: false, why: `${host} is in general_settings.health_check_deny_networks` };
    const res = await request(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'llm-health-exporter', ...target.headers },
      body,
      signal,
      dispatcher: agentFor(list),
    });
    await res.body.dump().catch(() => undefined);
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
    const ra = Number(res.headers['retry-after']);
    const retry = res.statusCode === 408 || res.statusCode === 429 || res.statusCode >= 500;
    return { ok: false, retry, why: `answered ${res.statusCode}`, ...(Number.isFinite(ra) && ra > 0 ? { retryAfterMs: ra * 1000 } : {}) };
  };
}
