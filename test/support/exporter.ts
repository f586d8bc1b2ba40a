import { Writable } from 'node:stream';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { onTestFinished } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { App, type AppOptions } from '../../src/app.js';
import { createLogger } from '../../src/cli/logger.js';

export interface TestExporter {
  app: App;
  /** http://127.0.0.1:PORT */
  url: string;
  /** Every log line written so far (JSON lines, at the level asked for). */
  logs(): string;
  close(): Promise<void>;
}

export interface ExporterOptions {
  env?: NodeJS.ProcessEnv;
  logLevel?: string;
  pluginDirs?: string[];
  listen?: boolean;
  spanProcessors?: SpanProcessor[];
  file?: string;
  serverLimits?: AppOptions['serverLimits'];
  dataDir?: string;
}

/**
 * Starts a real app (real fastify on a loopback port) on a config given as YAML text. The caller
 * closes it; inside a test, exporterForTest() closes it for you.
 */
export async function startExporter(yaml: string, opts: ExporterOptions = {}): Promise<TestExporter> {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const logger = createLogger(opts.logLevel ?? 'trace', sink);
  // With `file`, the YAML is written there first, so reload() has a file to re-read.
  if (opts.file) await writeFile(opts.file, yaml);
  const config = opts.file ? await loadConfigFile(opts.file, opts.env ?? {}) : parseConfig(yaml, 'test-config.yaml', opts.env ?? {});
  const app = await App.create({ config, logger, pluginDirs: opts.pluginDirs, env: opts.env ?? {}, spanProcessors: opts.spanProcessors, serverLimits: opts.serverLimits, dataDir: opts.dataDir });
  let url = '';
  if (opts.listen !== false) url = (await app.listen('127.0.0.1', 0)).replace('localhost', '127.0.0.1');
  return { app, url, logs: () => lines.join(''), close: () => app.close() };
}

/**
 * Closes `resource` (an exporter, a fake upstream, a receiver) when the running test ends, passed
 * or failed, so no file repeats an afterEach for it. Call it from a test or a beforeEach. Closing
 * runs after the file's afterEach hooks, newest first: an exporter started after its upstream
 * stops probing before the upstream goes away. Closing twice is harmless (App.close returns at
 * once the second time), so a test may still close early, e.g. to restart.
 */
export function closeWhenTestEnds<T extends { close(): Promise<unknown> }>(resource: T): T {
  onTestFinished(async () => { await resource.close(); });
  return resource;
}

/** startExporter() for one test: closed when the test ends (closeWhenTestEnds). */
export async function exporterForTest(yaml: string, opts: ExporterOptions = {}): Promise<TestExporter> {
  return closeWhenTestEnds(await startExporter(yaml, opts));
}
