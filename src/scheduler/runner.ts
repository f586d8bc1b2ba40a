import { probeTarget, type Deployment } from '../core/deployment.js';
import { isErrorType, ProbeError } from '../core/errors.js';
import type { ProbeContext, ProbeOutcome, ProbePlugin, ProviderResponse } from '../core/plugin.js';
import type { CallOptions, Operation } from '../core/operation.js';
import { callProvider } from '../providers/client.js';
import { providerFor } from '../registry/providers.js';
import { deadlines } from './deadlines.js';
import { ProbeAbort } from '../core/abort.js';
import { redact } from '../core/redact.js';
import type { NetworkList } from '../core/networks.js';
import type { ProbeResult } from '../core/result.js';
import { addUsage, costOf, usageOf, type ProbeSpend } from '../core/usage.js';
import type { ConnectionFacts, ProbeTrace } from '../core/trace.js';
import type { Context } from '@opentelemetry/api';
import { endProbeSpan, type Telemetry } from '../telemetry/telemetry.js';

/** Short and fixed: every token is paid for, and the text is never logged. */
export const DEFAULT_PROMPT = 'ping';
/** The plugin that lists models instead of generating (free). */
export const MODELS_LIST_MODE = 'models_list';

export interface RunnerOptions {
  plugins: ReadonlyMap<string, ProbePlugin>;
  prompt?: string;
  /** Aborts every probe in flight (shutdown). */
  signal?: AbortSignal;
  now?: () => number;
  /** Spans per probe, when telemetry is on. */
  telemetry?: Pick<Telemetry, 'startProbeSpan'>;
  /** Parent span context (the round's). */
  parent?: Context;
  /** Count a 429 as healthy: the deployment answered (general_settings.health_check_rate_limited_as_healthy). */
  rateLimitedAsHealthy?: boolean;
  denyNetworks?: NetworkList;
  /** A debug probe: each request is recorded here, redacted, over its own connection. */
  trace?: ProbeTrace;
}

/**
 * Runs one probe: the core's one place for the timeout, the clock, error typing and redaction.
 * It always resolves with a result, whatever the plugin does (throws, rejects, never settles).
 */
export function runProbe(d: Deployment, opts: RunnerOptions): Promise<ProbeResult> {
  const started = opts.telemetry?.startProbeSpan(d, opts.parent);
  // Tracing off: the span records nothing, and ending it would change nothing.
  const span = started?.isRecording() ? started : undefined;
  const pending = probeOnce(d, opts);
  // Nothing to add to the result: it is returned as it comes, no further promise per probe.
  if (!span && !opts.rateLimitedAsHealthy) return pending;
  return pending.then((probed) => {
    let result = probed;
    if (opts.rateLimitedAsHealthy && !result.healthy && result.errorType === 'rate_limited') {
      const { errorType: _t, error: _e, status: _s, ...rest } = result;
      result = { ...rest, healthy: true, details: { ...result.details, rate_limited: true } };
    }
    if (span) endProbeSpan(span, result);
    return result;
  });
}

async function probeOnce(d: Deployment, opts: RunnerOptions): Promise<ProbeResult> {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const t0 = performance.now();
  // The earliest certificate expiry any HTTPS answer of this probe came over.
  let certExpiresAt: number | undefined;
  const onConnection = (facts: ConnectionFacts) => {
    const at = facts.tls?.certNotAfter;
    if (at !== undefined) certExpiresAt = Math.min(certExpiresAt ?? at, at);
  };
  const headers: Record<string, string> = {};
  // What the answers say was used and what it cost (a failed call is billed nothing).
  let spend: ProbeSpend | undefined;
  // Fields set one by one, in the order results have always had them (no spreads per probe).
  const finish = (outcome: ProbeOutcome, status: number | undefined, retryAfterS?: number): ProbeResult => {
    const r: ProbeResult = {
      deploymentId: d.id,
      healthy: outcome.healthy,
      startedAt,
      checkedAt: now(),
      latencyMs: Math.round((performance.now() - t0) * 10) / 10,
      headers,
    };
    if (certExpiresAt !== undefined) r.tlsCertExpiresAt = certExpiresAt;
    if (spend) r.spend = spend;
    if (status !== undefined) r.status = status;
    if (retryAfterS !== undefined) r.retryAfterS = retryAfterS;
    if (!outcome.healthy) {
      r.errorType = outcome.errorType ?? 'plugin_error';
      r.error = redact(outcome.error ?? 'unhealthy', d.secrets);
    }
    if (outcome.details) r.details = outcome.details;
    return r;
  };

  if (d.configError) return finish({ healthy: false, errorType: 'config', error: d.configError }, 500);
  // The free probe (wildcards, or opted into) replaces the mode's request with a model list.
  const pluginMode = d.probeStrategy === 'models_list' ? MODELS_LIST_MODE : d.mode;
  const plugin = opts.plugins.get(pluginMode);
  if (!plugin) {
    return finish({ healthy: false, errorType: 'no_plugin', error: `no probe plugin for mode "${pluginMode}"` }, 500);
  }

  // One abort per probe, ended by its deadline or by shutdown through the shared sweep
  // (deadlines.ts); its AbortSignal is made only if the plugin reads ctx.signal (core/abort.ts).
  // Not AbortSignal.any: a signal it makes that has an abort listener is kept alive until a
  // source aborts, so with the long-lived shutdown signal as a source every probe leaked (~3 KB
  // each, found by npm run bench). The race below is ended by the same function that aborts.
  const abort = new ProbeAbort();
  let endRace: ((reason: ProbeError) => void) | undefined;
  const watch = deadlines.watch(d.timeoutMs, opts.signal, (why) => {
    const reason = why === 'deadline'
      ? new ProbeError('timeout', 'Timeout exceeded', { status: 408 })
      : new ProbeError('timeout', 'probe aborted (shutting down)', { status: 503 });
    abort.abort(reason);
    endRace?.(reason);
  });
  // The HTTP status of the last answer: a plugin's "unhealthy" verdict on a 200 reports 200.
  let lastStatus: number | undefined;
  // A method taken off a literal (no accessor in it: see PluginContext): plugins have always been
  // given an `async call(…)` they may use unbound.
  const { call } = {
    async call(op: Operation, payload?: Record<string, unknown> | FormData, callOpts?: CallOptions): Promise<ProviderResponse> {
      let res: ProviderResponse;
      try {
        res = await callProvider({ deployment: d, provider: providerFor(d), op, payload, abort, options: callOpts, denyNetworks: opts.denyNetworks, trace: opts.trace, onConnection });
      } catch (err) {
        throw redactedError(err, d.secrets);
      }
      Object.assign(headers, res.headers);
      lastStatus = res.status;
      spend = spent(spend, usageOf(op, payload, res.json), d);
      return res;
    },
  };
  const ctx = new PluginContext(abort, opts.prompt ?? DEFAULT_PROMPT, d.maxTokens, call);

  try {
    // A plugin that never settles still ends at the deadline: its promise races the abort.
    const outcome = await new Promise<unknown>((resolve, reject) => {
      endRace = reject;
      if (abort.aborted) reject(abort.reason);
      else Promise.resolve(plugin.probe(probeTarget(d), ctx)).then(resolve, reject);
    });
    const checked = checkOutcome(outcome, plugin.mode);
    return finish(checked, checked.healthy ? undefined : (lastStatus ?? 500));
  } catch (err) {
    const typed = toProbeError(err, abort);
    return finish({ healthy: false, errorType: typed.errorType, error: typed.message }, typed.status ?? 500, typed.retryAfterS);
  } finally {
    deadlines.release(watch);
  }
}

/**
 * What a plugin is given. A class, not an object literal: a literal with a getter (`signal`,
 * made only when read) is built through a runtime call on every probe (~0.5 µs, issue 18).
 * `call` stays an own property, so a plugin may take it off the object unbound.
 */
class PluginContext implements ProbeContext {
  readonly #abort: ProbeAbort;
  constructor(abort: ProbeAbort, readonly prompt: string, readonly maxTokens: number | undefined, readonly call: ProbeContext['call']) {
    this.#abort = abort;
  }

  get signal(): AbortSignal { return this.#abort.signal; }
}

/** A probe's spend after one more answered call (usage undefined: the answer did not say, so the cost is unknown). */
function spent(so: ProbeSpend | undefined, usage: ReturnType<typeof usageOf>, d: Deployment): ProbeSpend {
  const cost = usage ? costOf(usage, d.prices) : null;
  return {
    usage: addUsage(so?.usage ?? {}, usage ?? {}),
    costUsd: cost === null || (so && so.costUsd === null) ? null : (so?.costUsd ?? 0) + cost,
  };
}

/**
 * The error ctx.call throws, with every secret of the deployment taken out of its text: a
 * provider's 401 may quote the key it was sent, and a plugin must never see it.
 */
function redactedError(err: unknown, secrets: readonly string[]): Error {
  if (err instanceof ProbeError) {
    return new ProbeError(err.errorType, redact(err.message, secrets), { status: err.status, retryAfterS: err.retryAfterS, code: err.code });
  }
  return new Error(redact(err instanceof Error ? err.message : String(err), secrets));
}

function toProbeError(err: unknown, abort: ProbeAbort): ProbeError {
  if (err instanceof ProbeError) return err;
  if (abort.aborted && abort.reason instanceof ProbeError) return abort.reason;
  // Duck-typed so user plugins can signal a type without importing our class.
  const e = err as { errorType?: unknown; message?: unknown; status?: unknown };
  if (e && typeof e === 'object' && isErrorType(e.errorType)) {
    return new ProbeError(e.errorType, String(e.message ?? e.errorType), { status: typeof e.status === 'number' ? e.status : undefined });
  }
  // A thrown plain object ({message}) keeps its message instead of "[object Object]".
  const message = err instanceof Error ? err.message : e && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(err);
  return new ProbeError('plugin_error', `plugin threw: ${message}`);
}

/** A plugin's return value is untrusted: anything that is not a ProbeOutcome is a plugin error. */
function checkOutcome(value: unknown, mode: string): ProbeOutcome {
  if (!value || typeof value !== 'object' || typeof (value as ProbeOutcome).healthy !== 'boolean') {
    return { healthy: false, errorType: 'plugin_error', error: `plugin for mode "${mode}" returned no result ({healthy: boolean})` };
  }
  const o = value as ProbeOutcome;
  // Fields set one by one, in the order they always had: spreads and Object.keys cost per probe.
  const out: ProbeOutcome = { healthy: o.healthy };
  if (!o.healthy) {
    out.error = typeof o.error === 'string' ? o.error : 'unhealthy';
    out.errorType = isErrorType(o.errorType) ? o.errorType : 'bad_response';
  }
  if (o.details && typeof o.details === 'object') {
    let details: Record<string, string | number | boolean> | undefined;
    for (const [k, v] of Object.entries(o.details)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') (details ??= {})[k] = v;
    }
    if (details) out.details = details;
  }
  return out;
}
