import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/core/meta.js';
import { freePort, waitFor } from './tools.js';

export interface PromSample { metric: Record<string, string>; value: [number, string] }

export interface TestPrometheus {
  url: string;
  /** An instant query, now or at `time` (epoch seconds); throws on a PromQL error. */
  query(q: string, time?: number): Promise<PromSample[]>;
  close(): Promise<void>;
}

/**
 * A real Prometheus server (Debian's prometheus package) on a loopback port, with `config` as its
 * prometheus.yml and a throwaway TSDB; ready when it answers /-/ready.
 */
export async function startPrometheus(config: string): Promise<TestPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'lhe-prom-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  await writeFile(join(dir, 'prometheus.yml'), config);
  const prom = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prom.stderr!.on('data', (c: Buffer) => { log += String(c); });
  const exited = new Promise<void>((resolve) => prom.once('exit', () => resolve()));
  const close = async () => {
    if (prom.exitCode === null && prom.signalCode === null) prom.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await fetch(`${url}/-/ready`)).ok, 20_000, `prometheus ready (log: ${log.slice(-500)})`);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url,
    async query(q: string, time?: number) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}${time === undefined ? '' : `&time=${time}`}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: PromSample[] } };
      if (body.status !== 'success' || !body.data) throw new Error(`PromQL error for ${q}: ${body.error ?? res.status}`);
      return body.data.result;
    },
    close,
  };
}

/** A prometheus.yml scraping `targets` (host:port) every second as the job the alert rules expect, with those rules loaded. */
export function exporterScrapeConfig(targets: readonly string[]): string {
  return `
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${join(PACKAGE_ROOT, 'alerts', 'llm-health.rules.yml')}
scrape_configs:
  - job_name: llm-health-exporter
    static_configs:
      - targets: ${JSON.stringify(targets)}
`;
}
