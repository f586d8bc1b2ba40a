import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Deployment } from './core/deployment.js';
import { loadConfigFile, type LoadedConfig, type Settings } from './config/load.js';
import { ConfigError } from './config/errors.js';
import type { BackgroundPlan } from './scheduler/scheduler.js';
import { BUILTIN_PLUGINS_DIR, loadPlugins, type LoadedPlugins } from './registry/plugins.js';
import { hostname } from 'node:os';
import { MemoryStore } from './store/memory.js';
import { RedisCoordinator } from './store/redis-coordinator.js';
import { SharedStore } from './store/shared.js';
import { withStaleness } from './store/staleness.js';
import { newestFirst } from './store/history-page.js';
import { rowsWhere } from './store/history-ring.js';
import type { HistoryRow, ProbeResult } from './core/result.js';
import { Scheduler } from './scheduler/scheduler.js';
import { buildServer } from './server/app.js';
import { healthReport, type HealthReport } from './server/entries.js';
import { VERSION } from './meta.js';
import { Telemetry } from './telemetry/telemetry.js';
import { otlpSettings } from './telemetry/otlp-settings.js';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

export interface ExporterOptions {
  config: LoadedConfig;
  logger: Logger;
  /** Extra plugin folders (after the built-ins, so a user plugin can replace one). */
  pluginDirs?: readonly string[];
  /** Environment for OTEL_* settings (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Extra span processors (tests). */
  spanProcessors?: SpanProcessor[];
}

export interface HealthAnswer {
  statusCode: 200 | 404 | 503;
  body: HealthReport | { error: { message: string; type: string; param?: string; code: number } };
}

/** litellm_params keys safe to show in /model/info; everything else (credentials, headers) is left out. */
const PUBLIC_PARAM_KEYS = new Set([
  'model', 'api_version', 'custom_llm_provider', 'organization', 'region_name', 'aws_region_name',
  'vertex_project', 'vertex_location', 'timeout', 'stream_timeout', 'max_retries', 'rpm', 'tpm', 'base_model',
]);
const PUBLIC_INFO_KEY = /^(id|mode|base_model|description|tier|max_tokens|max_input_tokens|max_output_tokens|input_cost_per_token|output_cost_per_token|supports_[a-z_]+|health_check_(timeout|model|max_tokens|voice|interval)|disable_background_health_check)$/;

/**
 * The composition root: config, plugins, store, scheduler and HTTP server, wired once. Every
 * output (/health, /model/info, the CLI) reads the store; nothing keeps a copy of health state.
 */
export class Exporter {
  readonly logger: Logger;
  readonly store: MemoryStore;
  /** Names this replica in results (checked_by): $REPLICA_ID, else host-pid. */
  readonly replicaId: string;
  /** Fleet mode only. */
  readonly coordinator: RedisCoordinator | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  readonly scheduler: Scheduler;
  readonly server: FastifyInstance;
  readonly telemetry: Telemetry;
  #config: LoadedConfig;
  readonly #env: NodeJS.ProcessEnv;
  #plugins: LoadedPlugins;
  #shuttingDown = false;
  #ids: Set<string>;
  /** Why the last reload was refused (the previous config keeps running). */
  #configError: string | undefined;
  /** Bumped by every applied config: part of the /health cache key. */
  #configGeneration = 0;
  /** Until when every stored result stays fresh, for one store version and config. */
  #freshness: { version: number; config: number; until: number } | undefined;
  #backgroundStarted = false;

  private constructor(config: LoadedConfig, plugins: LoadedPlugins, opts: ExporterOptions) {
    this.#config = config;
    this.#plugins = plugins;
    this.#ids = new Set(config.deployments.map((d) => d.id));
    const env = opts.env ?? process.env;
    this.#env = env;
    this.replicaId = env.REPLICA_ID || `${hostname()}-${process.pid}`;
    const redisUrl = config.settings.sharedRedisUrl;
    this.coordinator = redisUrl
      ? new RedisCoordinator({
        url: redisUrl,
        replicaId: this.replicaId,
        logger: opts.logger,
        // Results outlive a few intervals (staleness marks them), then expire from Redis.
        ttlS: Math.max(3600, 4 * config.settings.intervalS),
        historySize: () => this.settings.historySize,
      })
      : undefined;
    this.store = this.coordinator ? new SharedStore(config.settings.historySize, this.coordinator) : new MemoryStore(config.settings.historySize);
    this.logger = opts.logger;
    this.telemetry = new Telemetry({
      deployments: () => this.deployments,
      store: this.store,
      intervalS: () => (this.backgroundOn ? this.settings.intervalS : undefined),
      view: (id) => this.#view(id),
      env,
      spanProcessors: opts.spanProcessors,
      otlp: otlpSettings({ endpoint: config.settings.otlpEndpoint, protocol: config.settings.otlpProtocol }, env, (m) => this.logger.warn(m)),
    });
    this.scheduler = new Scheduler({
      store: this.store,
      plugins: plugins.byMode,
      concurrency: config.settings.concurrency,
      prompt: config.settings.prompt,
      replicaId: this.replicaId,
      coordinator: this.coordinator,
      telemetry: this.telemetry,
      accept: (id) => this.#ids.has(id),
      rateLimitedAsHealthy: () => this.settings.rateLimitedAsHealthy,
      onResult: (d, r) => {
        this.telemetry.recordProbe(d, r);
        this.#logTransition(d, r);
      },
    });
    this.server = buildServer(this, opts.logger);
  }

  static async create(opts: ExporterOptions): Promise<Exporter> {
    const plugins = await loadPlugins([BUILTIN_PLUGINS_DIR, ...(opts.pluginDirs ?? [])]);
    const ex = new Exporter(opts.config, plugins, opts);
    ex.#reportStartupProblems();
    return ex;
  }

  get settings(): Settings { return this.#config.settings; }
  get deployments(): readonly Deployment[] { return this.#config.deployments; }
  get shuttingDown(): boolean { return this.#shuttingDown; }
  get pluginModes(): string[] { return [...this.#plugins.byMode.keys()].sort(); }

  /**
   * Swaps in a new config: unchanged ids keep their results and history; removed ids leave the
   * store (and so /health, history and every metric series); added ones are probed soon. The
   * plugins stay as loaded at start-up.
   */
  applyConfig(config: LoadedConfig): void {
    const wasOn = this.backgroundOn;
    this.#config = config;
    this.#configGeneration++;
    this.#ids = new Set(config.deployments.map((d) => d.id));
    this.#configError = undefined;
    this.store.retain(this.#ids);
    this.store.historySize = config.settings.historySize;
    this.scheduler.concurrency = config.settings.concurrency;
    if (this.backgroundOn && this.#backgroundStarted) this.scheduler.updateBackground(this.#backgroundPlan());
    else if (this.backgroundOn) this.startBackground();
    else if (wasOn) this.scheduler.updateBackground({ deployments: [], intervalS: () => this.settings.intervalS });
    this.#reportStartupProblems();
  }

  /**
   * Re-reads the config file (SIGHUP, POST /-/reload, --watch). An invalid file is refused: its
   * errors are logged and shown in readiness as config_error, and the running config stays.
   */
  async reload(): Promise<{ ok: true; deployments: number } | { ok: false; errors: readonly string[] }> {
    try {
      const next = await loadConfigFile(this.#config.file, this.#env);
      this.applyConfig(next);
      this.logger.info({ deployments: next.deployments.length }, 'config reloaded');
      return { ok: true, deployments: next.deployments.length };
    } catch (err) {
      const errors = err instanceof ConfigError ? err.issues : [String((err as Error).message ?? err)];
      this.#configError = errors.join('; ');
      this.logger.error({ errors }, 'config reload refused; the previous config keeps running');
      return { ok: false, errors };
    }
  }

  /** The deployments probed in the background: not disabled, and in the allowed model groups. */
  #backgroundPlan(): BackgroundPlan {
    const groups = this.settings.backgroundModelGroups;
    return {
      deployments: this.deployments.filter((d) => !d.backgroundDisabled && (!groups || groups.includes(d.modelName))),
      intervalS: (d) => d.intervalS ?? this.settings.intervalS,
    };
  }

  /** Starts background checks when configured (LiteLLM: interval ≤ 0 disables them). */
  startBackground(): void {
    if (!this.backgroundOn || this.#backgroundStarted) return;
    this.#backgroundStarted = true;
    const plan = this.#backgroundPlan();
    this.logger.info({ interval_s: this.settings.intervalS, deployments: plan.deployments.length }, 'background health checks on');
    this.scheduler.startBackground(plan).catch((err: unknown) => this.logger.error({ err: String(err) }, 'background scheduling failed'));
    if (this.store instanceof SharedStore) this.#startFleetSync(this.store);
  }

  /** Fleet mode: pull the fleet's results into this replica's view a few times per interval. */
  #startFleetSync(store: SharedStore): void {
    const everyMs = Math.min(5000, Math.max(200, (this.settings.intervalS * 1000) / 5));
    const tick = async () => {
      await store.sync(this.deployments.map((d) => d.id));
      this.scheduler.refreshFirstRound();
      if (!this.#shuttingDown) this.#syncTimer = setTimeout(tick, everyMs);
    };
    this.#syncTimer = setTimeout(tick, everyMs);
  }

  get backgroundOn(): boolean {
    return this.settings.backgroundHealthChecks && this.settings.intervalS > 0;
  }

  /**
   * /health. Background mode answers from the store and calls nothing; `?model=`/`?model_id=`
   * (and every call in on-demand mode) probe now, but never a deployment more often than
   * health_check_min_interval: inside it, the stored result is served, marked `cached`.
   */
  async health(query: { model?: string; model_id?: string }): Promise<HealthAnswer> {
    let targets = this.deployments;
    if (this.settings.skipDisabledOnDemand) targets = targets.filter((d) => !d.backgroundDisabled);
    if (query.model_id !== undefined) {
      targets = targets.filter((d) => d.id === query.model_id);
      if (!targets.length) return notFound(`no deployment with model_id "${query.model_id}"`, 'model_id');
    }
    if (query.model !== undefined) {
      const m = query.model;
      targets = targets.filter((d) => d.modelName === m || d.model === m || d.probeModel === m);
      if (!targets.length) return notFound(`no deployment matches model "${m}"`, 'model');
    }
    const targeted = query.model !== undefined || query.model_id !== undefined;
    const cached = new Set<string>();
    if (targeted || !this.backgroundOn) {
      const results = await this.scheduler.probeAll(targets, this.settings.minIntervalS * 1000);
      for (const r of results) if (r.cached) cached.add(r.result.deploymentId);
    }
    const body = healthReport(targets, (id) => this.#view(id), this.settings.details, cached);
    return { statusCode: targeted && body.healthy_count === 0 ? 503 : 200, body };
  }

  /**
   * A key for /health without a query in background mode, whose answer changes only when the
   * store or the config does, or when a result goes stale: equal keys, equal answers. Undefined
   * when the answer must be built now (on-demand probes, or a result already stale: its age is
   * in the text).
   */
  healthCacheKey(query: { model?: string; model_id?: string }): string | undefined {
    if (query.model !== undefined || query.model_id !== undefined || !this.backgroundOn) return undefined;
    const version = this.store.version;
    let f = this.#freshness;
    if (!f || f.version !== version || f.config !== this.#configGeneration) {
      const staleMs = this.settings.stalenessS! * 1000;
      let until = Infinity;
      for (const d of this.deployments) {
        const r = this.store.get(d.id);
        if (r) until = Math.min(until, r.checkedAt + staleMs);
      }
      f = this.#freshness = { version, config: this.#configGeneration, until };
    }
    return Date.now() <= f.until ? `${f.config}:${f.version}` : undefined;
  }

  /** One round over every deployment, without a server (CLI --once). */
  async once(): Promise<HealthReport> {
    await this.scheduler.probeAll(this.deployments);
    return healthReport(this.deployments, (id) => this.#view(id), this.settings.details);
  }

  /** A stored result as shown: stale ones (background/fleet mode) as unhealthy. */
  #view(id: string): ProbeResult | undefined {
    return withStaleness(this.store.get(id), Date.now(), this.backgroundOn ? this.settings.stalenessS! * 1000 : undefined);
  }

  /** /health/shared-status: this replica's part in the fleet. */
  sharedStatus() {
    const c = this.coordinator;
    const st = c?.status;
    return {
      replica_id: this.replicaId,
      shared: c !== undefined,
      redis: c?.redisUrl ?? null,
      redis_reachable: st?.reachable ?? false,
      leases_held: st?.leasesHeld ?? 0,
      last_writer: st?.lastWriter ?? null,
      cache_age_s: st?.lastSyncAt !== undefined ? Math.round((Date.now() - st.lastSyncAt) / 100) / 10 : null,
    };
  }

  /** /health/history: rows newest first over the deployments asked for, one page at a time. */
  history(q: { model?: string; model_id?: string; status_filter?: 'healthy' | 'unhealthy'; limit: number; offset: number }) {
    const ds = this.deployments.filter((d) =>
      (q.model_id === undefined || d.id === q.model_id) &&
      (q.model === undefined || d.modelName === q.model || d.model === q.model || d.probeModel === q.model));
    const wanted = q.status_filter === undefined ? undefined : q.status_filter === 'healthy';
    const lists = ds.map((d) => {
      const h = this.store.history(d.id);
      return wanted === undefined ? h : rowsWhere(h, wanted);
    });
    const page = newestFirst(lists, q.offset, q.limit);
    return {
      health_checks: page.map(({ list, index }) => historyRow(ds[list]!, lists[list]!.row(index), this.settings.details)),
      total_records: lists.reduce((n, l) => n + l.length, 0),
      limit: q.limit,
      offset: q.offset,
    };
  }

  /** /health/latest: the latest row of every deployment probed so far, by model_id. */
  latest() {
    const latest: Record<string, ReturnType<typeof historyRow>> = {};
    for (const d of this.deployments) {
      const r = this.#view(d.id);
      if (r) latest[d.id] = historyRow(d, r, this.settings.details);
    }
    return { latest_health_checks: latest, total_models: Object.keys(latest).length };
  }

  readiness(): { ready: boolean; body: Record<string, unknown> } {
    const last = this.scheduler.lastRoundAt;
    const body: Record<string, unknown> = {
      status: 'healthy',
      db: 'Not connected',
      cache: this.coordinator ? (this.coordinator.status.reachable ? 'redis' : 'local (redis unreachable)') : null,
      version: VERSION,
      success_callbacks: this.telemetry.callbacks,
      plugins: this.pluginModes,
      deployments: this.deployments.length,
    };
    if (this.#plugins.errors.length) body.plugin_errors = this.#plugins.errors;
    if (this.#configError) body.config_error = this.#configError;
    if (last !== undefined) body.last_updated = new Date(last).toISOString();
    let reason: string | undefined;
    if (this.#shuttingDown) reason = 'shutting down';
    // A load balancer must never see an empty /health: wait for the first background round.
    else if (this.backgroundOn && last === undefined) reason = 'first background health check round not finished';
    if (reason) {
      body.status = this.#shuttingDown ? 'shutting_down' : 'starting';
      body.reason = reason;
    }
    return { ready: reason === undefined, body };
  }

  modelInfo(): Array<{ model_name: string; litellm_params: Record<string, unknown>; model_info: Record<string, unknown> }> {
    return this.deployments.map((d) => {
      const params: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d.params)) if (PUBLIC_PARAM_KEYS.has(k) && isScalar(v)) params[k] = v;
      if (d.publicApiBase) params.api_base = d.publicApiBase;
      const info: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d.raw.model_info ?? {})) if (PUBLIC_INFO_KEY.test(k) && isScalar(v)) info[k] = v;
      info.id = d.id;
      info.mode = d.mode;
      return { model_name: d.modelName, litellm_params: params, model_info: info };
    });
  }

  async listen(host: string, port: number): Promise<string> {
    const address = await this.server.listen({ host, port });
    this.startBackground();
    return address;
  }

  /** Graceful stop: answer 503 on liveliness/readiness, abort probes in flight, close the server. */
  async close(): Promise<void> {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    clearTimeout(this.#syncTimer);
    await this.scheduler.stop();
    await this.server.close();
    await this.coordinator?.close();
    await this.telemetry.shutdown();
  }

  #reportStartupProblems(): void {
    for (const w of this.#config.warnings) this.logger.warn(w);
    for (const e of this.#plugins.errors) this.logger.error({ file: e.file }, `plugin not loaded: ${e.reason}`);
    const modes = new Set(this.deployments.map((d) => d.mode));
    for (const m of modes) {
      if (!this.#plugins.byMode.has(m)) this.logger.warn(`no probe plugin for mode "${m}": its deployments will report unhealthy`);
    }
    for (const d of this.deployments) {
      if (d.configError) this.logger.warn({ model_name: d.modelName, model_id: d.id }, d.configError);
    }
  }

  #logTransition(d: Deployment, r: ProbeResult): void {
    const fields = { model_name: d.modelName, model_id: d.id, latency_ms: r.latencyMs };
    if (r.healthy) this.logger.debug(fields, 'probe healthy');
    else this.logger.info({ ...fields, error_type: r.errorType, error: r.error }, 'probe unhealthy');
  }
}

/** A history row (LiteLLM's column names); the error text only with health_check_details. */
function historyRow(d: Deployment, r: HistoryRow, details: boolean) {
  return {
    model_name: d.modelName,
    model_id: d.id,
    status: r.healthy ? 'healthy' : 'unhealthy',
    response_time_ms: r.latencyMs,
    error_message: r.healthy || !details ? null : (r.error ?? null),
    error_type: r.healthy ? null : (r.errorType ?? null),
    checked_at: new Date(r.checkedAt).toISOString(),
    checked_by: r.checkedBy ?? null,
  };
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function notFound(message: string, param: string): HealthAnswer {
  return { statusCode: 404, body: { error: { message, type: 'not_found', param, code: 404 } } };
}

