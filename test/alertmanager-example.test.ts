import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { freePort, run, waitFor } from './support/tools.js';

const EXAMPLE = join(PACKAGE_ROOT, 'examples/alertmanager/alertmanager.yml');

describe('examples/alertmanager/alertmanager.yml', () => {
  it('passes amtool check-config', async () => {
    const r = await run('amtool', ['check-config', EXAMPLE]);
    expect(r.stdout).toContain('SUCCESS');
    expect(r.stdout).toContain('3 inhibit rules');
    expect(r.code).toBe(0);
  });

  it('routes critical alerts to the pager, warnings to the chat and the info overview nowhere', async () => {
    const receiver = async (...labels: string[]) => {
      const r = await run('amtool', ['config', 'routes', 'test', `--config.file=${EXAMPLE}`, ...labels]);
      expect(r.code).toBe(0);
      return r.stdout.trim();
    };
    expect(await receiver('alertname=LLMModelGroupDown', 'severity=critical', 'model_name=gpt')).toBe('llm-oncall-pager');
    expect(await receiver('alertname=LLMHealthExporterDown', 'severity=critical', 'instance=exp:4000')).toBe('llm-oncall-pager');
    expect(await receiver('alertname=LLMDeploymentUnhealthy', 'severity=warning', 'model_name=gpt', 'model_id=a1')).toBe('llm-team-chat');
    expect(await receiver('alertname=LLMHealthProbesStale', 'severity=warning', 'model_name=gpt', 'model_id=a1')).toBe('llm-team-chat');
    expect(await receiver('alertname=LLMUnhealthyDeployments', 'severity=info', 'model_name=gpt')).toBe('overview-only');
  });
});

interface Notification { receiver: string; groupLabels: Record<string, string>; alerts: Array<{ labels: Record<string, string> }> }

/**
 * A real Alertmanager (Debian's prometheus-alertmanager) with the example's route and inhibit
 * rules; only its receivers point at a local webhook and group_wait is 1 s instead of 30 s.
 */
describe('a real Alertmanager with the example configuration', () => {
  let am: ChildProcess;
  let amUrl: string;
  let hook: Server;
  let dir: string;
  let amLog = '';
  const notifications: Notification[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += String(c); });
      req.on('end', () => {
        notifications.push({ ...(JSON.parse(body) as Notification), receiver: req.url!.slice(1) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
    const example = await readFile(EXAMPLE, 'utf8');
    expect(example).toContain('http://alert-gateway.example.internal/llm-health/');
    expect(example).toContain('group_wait: 30s');
    const config = example.replaceAll('http://alert-gateway.example.internal/llm-health/', hookUrl).replace('group_wait: 30s', 'group_wait: 1s');
    dir = await mkdtemp(join(tmpdir(), 'lhe-am-'));
    await writeFile(join(dir, 'alertmanager.yml'), config);
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn('prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    am.stderr!.on('data', (c: Buffer) => { amLog += String(c); });
    await waitFor(async () => (await fetch(`${amUrl}/-/ready`)).ok, 15_000, `alertmanager ready (log: ${amLog.slice(-500)})`);
  }, 30_000);

  afterAll(async () => {
    if (am && am.exitCode === null) {
      const exited = new Promise((resolve) => am.once('exit', resolve));
      am.kill('SIGTERM');
      await exited;
    }
    await new Promise((resolve) => hook?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sends one notification per outage: the inhibited alerts are listed as suppressed and never sent', async () => {
    const alert = (labels: Record<string, string>) => ({ labels, annotations: { summary: labels.alertname! } });
    const alerts = [
      // gpt's only deployment down: three alerts, one page.
      alert({ alertname: 'LLMModelGroupDown', severity: 'critical', model_name: 'gpt' }),
      alert({ alertname: 'LLMDeploymentUnhealthy', severity: 'warning', model_name: 'gpt', model_id: 'a1' }),
      alert({ alertname: 'LLMUnhealthyDeployments', severity: 'info', model_name: 'gpt' }),
      // claude: one of two deployments down (c3), and d4 no longer probed with an old verdict.
      alert({ alertname: 'LLMDeploymentUnhealthy', severity: 'warning', model_name: 'claude', model_id: 'c3' }),
      alert({ alertname: 'LLMUnhealthyDeployments', severity: 'info', model_name: 'claude' }),
      alert({ alertname: 'LLMHealthProbesStale', severity: 'warning', model_name: 'claude', model_id: 'd4' }),
      alert({ alertname: 'LLMDeploymentUnhealthy', severity: 'warning', model_name: 'claude', model_id: 'd4' }),
      // An exporter that cannot be scraped, and a user's own per-instance alert about it.
      alert({ alertname: 'LLMHealthExporterDown', severity: 'critical', instance: 'replica-b:4000', job: 'llm-health-exporter' }),
      alert({ alertname: 'LLMHealthPendingTooLong', severity: 'warning', instance: 'replica-b:4000', job: 'llm-health-exporter' }),
    ];
    const posted = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    expect(posted.status).toBe(200);

    const key = (l: Record<string, string>) => [l.alertname, l.model_name ?? l.instance, l.model_id].filter(Boolean).join(' ');
    type Listed = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
    const listed = await waitFor(async () => {
      const r = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as Listed[];
      return r.length === alerts.length && r.filter((a) => a.status.state === 'suppressed').length === 4 ? r : undefined;
    }, 10_000, 'alerts listed with their inhibitions');
    expect(listed.filter((a) => a.status.state === 'suppressed').map((a) => key(a.labels)).sort()).toEqual([
      'LLMDeploymentUnhealthy claude d4',
      'LLMDeploymentUnhealthy gpt a1',
      'LLMHealthPendingTooLong replica-b:4000',
      'LLMUnhealthyDeployments gpt',
    ]);

    // group_wait 1 s, group_interval 5 m: every notification arrives once within a few seconds.
    await waitFor(() => (notifications.length >= 3 ? true : undefined), 10_000, 'three notifications');
    await new Promise((r) => setTimeout(r, 1500));
    const sent = notifications.map((n) => ({ receiver: n.receiver, group: n.groupLabels.model_name ?? '', alerts: n.alerts.map((a) => key(a.labels)).sort() }))
      .sort((a, b) => `${a.receiver} ${a.group}`.localeCompare(`${b.receiver} ${b.group}`));
    expect(sent).toEqual([
      { receiver: 'chat', group: 'claude', alerts: ['LLMDeploymentUnhealthy claude c3', 'LLMHealthProbesStale claude d4'] },
      { receiver: 'page', group: '', alerts: ['LLMHealthExporterDown replica-b:4000'] },
      { receiver: 'page', group: 'gpt', alerts: ['LLMModelGroupDown gpt'] },
    ]);
  }, 20_000);
});
