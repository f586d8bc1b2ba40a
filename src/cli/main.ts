#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=4 --heap-growing-percent=50
import { watch } from 'node:fs';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { VERSION } from '../core/meta.js';
import { redact } from '../core/redact.js';
import type { HealthReport } from '../views/health-report.js';
import { formatHealthTable, printableJson } from './format.js';
import { LOG_FORMATS, LOG_LEVELS, logOptions, openLogger } from './log-options.js';

/** Exit codes: 0 all checked and healthy / ok, 1 something unhealthy or not checked yet, 2 bad usage, bad config or unreachable. */
export const EXIT = { ok: 0, unhealthy: 1, usage: 2 } as const;

const HELP = `llm-health-exporter ${VERSION}
Health checks for every deployment in a LiteLLM config.yaml: /health JSON, readiness, liveliness.

Usage:
  llm-health-exporter [--config] config.yaml [--host 0.0.0.0] [--port 4000] [--plugins DIR] [--data-dir DIR]
  llm-health-exporter --check-config [--strict] --config config.yaml
  llm-health-exporter --once --config config.yaml [--json]
  llm-health-exporter --probe MODEL_ID [--debug] [--json] --config config.yaml
  llm-health-exporter --health [--url http://127.0.0.1:4000] [--key KEY] [--json]

Options:
  --config FILE     LiteLLM config.yaml (also accepted as the first positional argument)
  --host HOST       listen address (default 0.0.0.0)
  --port PORT       listen port (default 4000, or $PORT)
  --plugins DIR     an extra folder of probe plugins (repeatable)
  --data-dir DIR    keep history and latest results in DIR/llm-health-exporter.db (SQLite), so a
                    restart re-probes nothing still fresh (also $LLM_HEALTH_DATA_DIR; without
                    either, results live in memory only: docs/persistence.md)
  --check-config    validate the config against the providers, modes and plugins known, print
                    every problem with its path, and exit (0 valid, 2 something can never work)
  --strict          with --check-config: warnings (likely typos, unset variables) are errors too
  --once            probe every deployment once, print the /health answer, exit (0 all healthy, 1 not)
  --health          ask a running exporter's /health (key: --key or $LITELLM_MASTER_KEY)
  --url URL         exporter URL for --health (default http://127.0.0.1:4000)
  --key KEY         master key for --health
  --probe MODEL_ID  probe one deployment now (its model_id, or the start of it), print it, exit (0 healthy, 1 not)
  --debug           with --probe: the trace of its requests (address, TLS, headers, answer, timings; redacted)
  --json            print JSON instead of a table (--health, --once, --probe)
  --watch           reload the config when the file changes (also: SIGHUP, POST /-/reload)
  --log-level LVL   ${LOG_LEVELS.join('|')} (default info, or $LOG_LEVEL)
  --log-format FMT  ${LOG_FORMATS.join('|')} (default json, or $LOG_FORMAT; pretty needs pino-pretty)
  --log-time T      epoch|iso: the time field (default epoch for json, iso otherwise; or $LOG_TIME)
  -h, --help        this help
  -v, --version     the version

Every probe is a real, paid API call. See docs/configuration.md for what is called and how often.`;

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        host: { type: 'string', default: '0.0.0.0' },
        port: { type: 'string', default: process.env.PORT ?? '4000' },
        plugins: { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        'check-config': { type: 'boolean' },
        strict: { type: 'boolean' },
        once: { type: 'boolean' },
        health: { type: 'boolean' },
        url: { type: 'string', default: 'http://127.0.0.1:4000' },
        key: { type: 'string' },
        json: { type: 'boolean' },
        watch: { type: 'boolean' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        'log-time': { type: 'string' },
        probe: { type: 'string' },
        debug: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    err.write(`${(e as Error).message}\n\n${HELP}\n`);
    return EXIT.usage;
  }
  const { values: o, positionals } = args;
  if (o.help) { out.write(`${HELP}\n`); return EXIT.ok; }
  if (o.version) { out.write(`${VERSION}\n`); return EXIT.ok; }
  const logs = logOptions({ level: o['log-level'], format: o['log-format'], time: o['log-time'] }, process.env);
  if ('error' in logs) { err.write(`${logs.error}\n`); return EXIT.usage; }

  if (o.health) return healthCommand(o.url, o.key ?? process.env.LITELLM_MASTER_KEY, o.json === true, out, err);

  const configFile = o.config ?? positionals[0];
  if (!configFile) { err.write(`a config file is required\n\n${HELP}\n`); return EXIT.usage; }
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) { err.write(`--port: not a port number: ${o.port}\n`); return EXIT.usage; }

  if (o['check-config']) {
    const { checkConfigCommand } = await import('./check-config.js');
    return checkConfigCommand(configFile, { strict: o.strict === true, pluginDirs: o.plugins ?? [] }, out, err);
  }

  // Loaded here, not at the top: --help, --version and --health start without them.
  const { loadConfigFile } = await import('../config/load.js');
  let config;
  try {
    config = await loadConfigFile(configFile);
  } catch (e) {
    if (e instanceof ConfigError) { err.write(`${e.message}\n`); return EXIT.usage; }
    throw e;
  }
  // Logs go to stderr (fd 2 directly when it is the process's own, for speed).
  const { App } = await import('../app.js');
  const logger = await openLogger(logs, err === process.stderr ? undefined : err);
  const app = await App.create({
    config, logger, pluginDirs: [...(config.settings.pluginsDir ? [config.settings.pluginsDir] : []), ...(o.plugins ?? [])],
    // --once and --probe probe once and keep nothing: no database is read or written.
    dataDir: o.once || o.probe !== undefined ? false : o['data-dir'],
  });

  if (o.probe !== undefined) {
    const { probeCommand } = await import('./probe-command.js');
    const code = await probeCommand(app, o.probe, { debug: o.debug === true, json: o.json === true }, out, err);
    await app.close();
    return code;
  }

  if (o.once) {
    // A long round says how far it got (stderr), so a slow provider does not look like a hang.
    const total = app.deployments.length;
    const progress = setInterval(() => logger.info({ done: total - app.scheduler.inFlight - app.scheduler.queued, total }, 'probing'), 5000);
    const report = await app.once().finally(() => clearInterval(progress));
    await app.close();
    out.write(`${o.json ? printableJson(report) : formatHealthTable(report)}\n`);
    return verdictExit(report);
  }

  const address = await app.listen(o.host, port);
  logger.info({ address, deployments: app.deployments.length, plugins: app.pluginModes }, 'llm-health-exporter listening');
  // Reload on SIGHUP and, with --watch, when the file changes; a bad file keeps the old config.
  const reload = () => { void app.reload(); };
  process.on('SIGHUP', reload);
  const watcher = o.watch ? watchFiles(config.files.length ? config.files : [configFile], reload) : undefined;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      watcher?.close();
      process.off('SIGHUP', reload);
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      app.close().then(resolve, (e: unknown) => { logger.error({ err: String(e) }, 'shutdown failed'); resolve(); });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return EXIT.ok;
}

/**
 * Calls `onChange` (debounced) when one of `files` (the config and the files it includes, as
 * read at start-up) changes. Watches their folders, not the files: editors and Kubernetes
 * ConfigMaps replace a file by renaming, which ends a watch on the file itself.
 */
function watchFiles(files: readonly string[], onChange: () => void): { close(): void } {
  const names = new Map<string, Set<string>>();
  for (const f of files) {
    const dir = dirname(resolvePath(f));
    names.set(dir, (names.get(dir) ?? new Set()).add(basename(f)));
  }
  let timer: NodeJS.Timeout | undefined;
  const watchers = [...names].map(([dir, wanted]) => watch(dir, (_event, changed) => {
    if (changed !== null && !wanted.has(String(changed)) && !String(changed).startsWith('..')) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, 200);
  }));
  return { close: () => { clearTimeout(timer); for (const w of watchers) w.close(); } };
}

/** 0 only when every deployment has been checked and is healthy: pending is no all-clear. */
function verdictExit(report: HealthReport): number {
  return report.unhealthy_count > 0 || (report.pending_count ?? 0) > 0 ? EXIT.unhealthy : EXIT.ok;
}

/** `--health`: like `litellm --health`, but sends the master key so it works behind auth. */
async function healthCommand(url: string, key: string | undefined, json: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const secrets = key ? [key] : [];
  let target: URL;
  try {
    target = new URL('/health', url);
  } catch {
    err.write(`--url: not a URL\n`);
    return EXIT.usage;
  }
  try {
    const res = await fetch(target, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    if (res.status === 401) {
      err.write(`${target.origin}/health answered 401: set --key or LITELLM_MASTER_KEY\n`);
      return EXIT.usage;
    }
    let report: HealthReport;
    try {
      report = JSON.parse(text) as HealthReport;
      if (!Array.isArray(report.healthy_endpoints)) throw new Error('not a /health answer');
    } catch {
      err.write(`${target.origin}/health answered ${res.status} with something that is not a /health answer\n`);
      return EXIT.usage;
    }
    out.write(`${json ? printableJson(report) : formatHealthTable(report)}\n`);
    return res.status === 503 ? EXIT.unhealthy : verdictExit(report);
  } catch (e) {
    err.write(`cannot reach ${target.origin}: ${redact((e as Error).message, secrets)}\n`);
    return EXIT.usage;
  }
}

// Run only when executed (not when imported by tests).
const invoked = process.argv[1] ? (await import('node:url')).pathToFileURL((await import('node:fs')).realpathSync(process.argv[1])).href : '';
if (invoked === import.meta.url) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
    process.stderr.write(`fatal: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
