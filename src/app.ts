import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { hostname } from 'node:os';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { ConfigError } from './config/errors.js';
import { loadConfigFile, type LoadedConfig } from './config/load.js';
import { buildSnapshot, type Snapshot } from './config/snapshot.js';
import { coalesced } from './core/coalesce.js';
import type { Deployment } from './core/deployment.js';
import type { Coordinator } from './fleet/coordinator.js';
import { coordinatorFor, loadCoordinator } from './fleet/select.js';
import { FleetSync } from './fleet/sync.js';
import { VERSION } from './core/meta.js';
import { Notifier } from './notify/notifier.js';
import { BUILTIN_PLUGINS_DIR, loadPlugins, type LoadedPlugins } from './registry/plugins.js';
import { Scheduler, type BackgroundPlan } from './scheduler/scheduler.js';
import { buildServer } from './server/http.js';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from './server/limits.js';
import { openPersistence, type Persistence } from './persist/persistence.js';
import { MemoryStore } from './store/memory.js';
import { loadOtlp, type OtlpPipeline } from './telemetry/otlp-exporters.js';
import { otlpSettings } from './telemetry/otlp-settings.js';
import { logConfigProblems, logFirstRound, logProbe } from './telemetry/log-lines.js';
import { snapshotMetricSource } from './telemetry/snapshot-source.js';
import { StaleWatch } from './telemetry/stale-watch.js';
import { Telemetry } from './telemetry/telemetry.js';
import { storeViews } from './views/bound.js';
import { healthReport, type HealthReport } from './views/health-report.js';
import type { Views } from './views/index.js';
import { readiness, sharedStatus } from './views/readiness.js';
import { shownResult } from './views/staleness.js';
import { statusViews } from './views/status-views.js';
import { OnDemand } from './app/on-demand.js';

export interface AppOptions {
  config: LoadedConfig;
  logger: Logger;
  /** Extra plugin folders (after the built-ins, so a user plugin can replace one). */
  pluginDirs?: readonly string[];
  /** Environment for REPLICA_ID and OTEL_* settings (default process.env). */
  env?: NodeJS.ProcessEnv;
  spanProcessors?: SpanProcessor[]; // extra ones (tests)
  serverLimits?: Partial<ServerLimits>;
  /** The history database's default folder (--data-dir, else LLM_HEALTH_DATA_DIR); false: no database (--once). */
  dataDir?: string | false;
}

/**
 * The composition root: config snapshot → plugins → coordinator → store → telemetry → scheduler
 * → views → server, wired once. The config lives in one immutable Snapshot, swapped in
 * applyConfig; every answer is a pure view (src/views) over that snapshot and the store.
 */
export class App {
  readonly logger: Logger;
  readonly store: MemoryStore;
  readonly coordinator: Coordinator;
  readonly scheduler: Scheduler;
  readonly telemetry: Telemetry;
  readonly server: FastifyInstance;
  readonly views: Views;
  /** /health's probes, /health/probe, --once and --probe. */
  readonly onDemand: OnDemand;
  /** Webhook notifications on confirmed state changes (general_settings.notifications). */
  readonly notifier: Notifier;
  readonly #env: NodeJS.ProcessEnv;
  readonly #plugins: LoadedPlugins;
  #snapshot: Snapshot;
  /** Why the last reload was refused (the previous config keeps running). */
  #configError: string | undefined;
  #shuttingDown = false;
  #backgroundStarted = false;
  #fleetSync: FleetSync | undefined;
  readonly #staleWatch: StaleWatch;

  private constructor(config: LoadedConfig, plugins: LoadedPlugins, opts: AppOptions, readonly persistence: Persistence, otlp: OtlpPipeline | undefined) {
    this.#snapshot = buildSnapshot(config, 0);
    this.#plugins = plugins;
    this.logger = opts.logger;
    const env = this.#env = opts.env ?? process.env;
    const replicaId = env.REPLICA_ID || `${hostname()}-${process.pid}`;
    this.coordinator = coordinatorFor(config.settings, replicaId, opts.logger, () => this.#snapshot.settings.historySize);
    this.store = new MemoryStore(config.settings.historySize, (id) => { const d = this.#snapshot.byId.get(id); return d && this.#snapshot.policy(d).coverMs; });
    persistence.attach(this.store, replicaId, Date.now());
    this.notifier = new Notifier({ snapshot: () => this.#snapshot, store: this.store, logger: opts.logger });
    this.telemetry = new Telemetry({
      ...snapshotMetricSource(() => this.#snapshot, this.store),
      env,
      spanProcessors: opts.spanProcessors,
      status: { deployments: () => this.#snapshot.deployments, maintenance: () => this.#snapshot.settings.status.maintenance, notifications: () => this.notifier.stats() },
      otlp,
    });
    this.scheduler = new Scheduler({
      store: this.store,
      plugins: plugins.byMode,
      concurrency: config.settings.concurrency,
      prompt: config.settings.prompt,
      coordinator: this.coordinator,
      telemetry: this.telemetry,
      accept: (id) => this.#snapshot.byId.has(id),
      rateLimitedAsHealthy: () => this.#snapshot.settings.rateLimitedAsHealthy,
      denyNetworks: () => this.#snapshot.settings.denyNetworks,
      policy: (d) => this.#snapshot.policy(d),
      maintenanceUntil: (d, now) => this.#snapshot.settings.status.maintenance.covering(d, now)?.until,
      onResult: (d, r, prev) => {
        this.telemetry.recordProbe(d, r);
        logProbe(this.logger, d, r, prev);
        // Probes aborted by shutdown fail: that is no outage to tell anyone about.
        if (!this.#shuttingDown) this.notifier.observe(d, r, prev);
      },
    });
    this.onDemand = new OnDemand({ snapshot: () => this.#snapshot, store: this.store, scheduler: this.scheduler, logger: this.logger });
    this.#staleWatch = new StaleWatch({ snapshot: () => this.#snapshot, store: this.store, logger: this.logger });
    this.views = this.#buildViews();
    this.server = buildServer(this.views, opts.logger, { ...DEFAULT_SERVER_LIMITS, ...opts.serverLimits });
  }

  static async create(opts: AppOptions): Promise<App> {
    const plugins = await loadPlugins([BUILTIN_PLUGINS_DIR, ...(opts.pluginDirs ?? [])]);
    await loadCoordinator(opts.config.settings);
    const env = opts.env ?? process.env;
    const { otlpEndpoint: endpoint, otlpProtocol: protocol } = opts.config.settings;
    const otlp = await loadOtlp(otlpSettings({ endpoint, protocol }, env, (m) => opts.logger.warn(m)));
    const app = new App(opts.config, plugins, opts, await openPersistence(opts.config, { ...opts, env }), otlp);
    logConfigProblems(app.logger, app.#snapshot, plugins);
    return app;
  }

  get snapshot(): Snapshot { return this.#snapshot; }
  get deployments(): readonly Deployment[] { return this.#snapshot.deployments; }
  get shuttingDown(): boolean { return this.#shuttingDown; }
  get pluginModes(): string[] { return [...this.#plugins.byMode.keys()].sort(); }

  /**
   * Swaps in a new config: unchanged ids keep their results and history; removed ids leave the
   * store (and every output); added ones are probed soon. Plugins stay as loaded at start-up.
   */
  applyConfig(config: LoadedConfig): void {
    const wasOn = this.#snapshot.backgroundOn;
    const s = this.#snapshot = buildSnapshot(config, this.#snapshot.generation + 1);
    this.#configError = undefined;
    this.store.retain(new Set(s.byId.keys()));
    this.store.historySize = s.settings.historySize;
    this.scheduler.concurrency = s.settings.concurrency;
    if (s.backgroundOn && this.#backgroundStarted) this.scheduler.updateBackground(backgroundPlan(s));
    else if (s.backgroundOn) this.startBackground();
    else if (wasOn) this.scheduler.updateBackground({ deployments: [], intervalS: () => s.settings.intervalS });
    logConfigProblems(this.logger, this.#snapshot, this.#plugins);
  }

  /**
   * Re-reads the config file (SIGHUP, POST /-/reload, --watch), one at a time: calls during one
   * share the next (core/coalesce.ts). An invalid file is refused (logged, shown in readiness
   * as config_error) and the running config stays.
   */
  readonly reload = coalesced(() => this.#reloadOnce());

  async #reloadOnce(): Promise<{ ok: true; deployments: number } | { ok: false; errors: readonly string[] }> {
    try {
      const next = await loadConfigFile(this.#snapshot.config.file, this.#env);
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

  /** Starts background checks when configured; in a fleet, also the pull of the fleet's results. */
  startBackground(): void {
    const s = this.#snapshot;
    if (!s.backgroundOn || this.#backgroundStarted) return;
    this.#backgroundStarted = true;
    const plan = { ...backgroundPlan(s), origin: this.coordinator.status().shared ? undefined : this.persistence.gridOrigin(Date.now()) };
    this.logger.info({ interval_s: s.settings.intervalS, deployments: plan.deployments.length }, 'background health checks on: first round started');
    this.scheduler.startBackground(plan).then(
      () => logFirstRound(this.logger, plan.deployments, (id) => this.store.get(id)),
      (err: unknown) => this.logger.error({ err: String(err) }, 'background scheduling failed'),
    );
    this.#staleWatch.start();
    if (this.coordinator.status().shared) {
      const ids = () => this.#snapshot.deployments.map((d) => d.id);
      this.#fleetSync = new FleetSync({ coordinator: this.coordinator, store: this.store, ids, intervalS: () => this.#snapshot.settings.intervalS, afterPull: () => this.scheduler.refreshFirstRound() });
      this.#fleetSync.start();
    }
  }

  /** One round over every deployment, without a server (CLI --once). */
  async once(): Promise<HealthReport> {
    const s = this.#snapshot;
    await this.onDemand.round(s.deployments, 0);
    return healthReport(s.deployments, (id) => shownResult(s, this.store, id, Date.now()), s.settings.details, () => true);
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
    this.#fleetSync?.stop();
    this.#staleWatch.stop();
    this.persistence.seal(); // probes aborted now end as timeouts that say nothing: never written
    await this.scheduler.stop();
    await this.persistence.close();
    await this.notifier.close();
    await this.server.close();
    await this.coordinator.close();
    await this.telemetry.shutdown();
  }

  /** What the routes may ask: each a view over the snapshot current at the time of asking. */
  #buildViews(): Views {
    return {
      masterKey: () => this.#snapshot.settings.masterKey,
      metricsKey: () => (this.#snapshot.settings.metricsAuth ? this.#snapshot.settings.masterKey : undefined),
      health: (q) => this.onDemand.health(q),
      probe: (q) => this.onDemand.probe(q),
      ...storeViews(() => this.#snapshot, this.store),
      sharedStatus: () => sharedStatus(this.coordinator.replicaId, this.coordinator.status(), Date.now()),
      readiness: () => readiness({
        snapshot: this.#snapshot, version: VERSION, lastRoundAt: this.scheduler.lastRoundAt, shuttingDown: this.#shuttingDown,
        configError: this.#configError, pluginModes: this.pluginModes, pluginErrors: this.#plugins.errors,
        callbacks: this.telemetry.callbacks, fleet: this.coordinator.status(), db: this.persistence.status(),
      }),
      shuttingDown: () => this.#shuttingDown,
      reload: () => this.reload(),
      serveMetrics: (req, res) => this.telemetry.serveMetrics(req, res),
      ...statusViews(() => this.#snapshot, this.store),
    };
  }
}

function backgroundPlan(s: Snapshot): BackgroundPlan {
  return { deployments: s.background, intervalS: (d) => s.policy(d).intervalMs / 1000 };
}
