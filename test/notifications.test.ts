import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/cli/logger.js';
import { parseConfig } from '../src/config/load.js';
import { buildSnapshot } from '../src/config/snapshot.js';
import { judge, type ProbeResult } from '../src/core/result.js';
import { Notifier } from '../src/notify/notifier.js';
import { MemoryStore } from '../src/store/memory.js';
import { closeWhenTestEnds, exporterForTest, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { byName, parsePromText } from './support/prom-text.js';
import { waitFor } from './support/tools.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Webhook notifications against a local receiver: one message per confirmed change (after the
 * failure/success thresholds), a resolved one on recovery, one grouped message for 20
 * deployments, retries with backoff, failures in metrics and logs, and none of the config's
 * secrets (webhook URL and header, provider keys, even echoed by the upstream) in any payload.
 */
const URL_CANARY = 'CANARY-url-token-8a1f';
const PATH_CANARY = 'CANARY-path-secret-77c3';
const HEADER_CANARY = 'CANARY-header-token-3e9d';
const KEY_CANARY = 'sk-CANARY-provider-key-51b2';
const BAD_KEY_CANARY = 'sk-CANARY-rotated-key-90fe';

let up: FakeUpstream | undefined;
let rx: WebhookReceiver | undefined;
let ex: TestExporter | undefined;

const metricsOf = async (name: string) => byName(parsePromText(await (await fetch(`${ex!.url}/metrics`)).text()), name);
const noCanary = (d: { raw: string }) => expect(d.raw).not.toMatch(/CANARY/);

describe('a scripted outage of one deployment', () => {
  it('sends exactly one "down" and one "resolved" message to each target, in its format, with its auth header', async () => {
    up = closeWhenTestEnds(await startFakeUpstream({ apiKey: KEY_CANARY }));
    rx = closeWhenTestEnds(await startWebhookReceiver());
    ex = await exporterForTest(`model_list:
  - model_name: steady
    litellm_params: { model: openai/steady, api_base: "${up.openaiBase}", api_key: os.environ/UPSTREAM_KEY }
    model_info: { id: steady }
  - model_name: flaky
    litellm_params: { model: openai/flaky, api_base: "${up.openaiBase}", api_key: os.environ/UPSTREAM_KEY }
    model_info: { id: flaky }
general_settings:
  background_health_checks: true
  health_check_interval: 1
  health_check_retry_interval: 1
  health_check_failure_threshold: 2
  health_check_success_threshold: 2
  notification_group_wait: 1
  notifications:
    - { name: ops-json, url: "${rx.url}/generic?token=${URL_CANARY}", headers: { Authorization: os.environ/HOOK_AUTH } }
    - { name: ops-slack, type: slack, url: "${rx.url}/slack/T0/B0/${PATH_CANARY}" }
    - { name: ops-teams, type: teams, url: "${rx.url}/teams" }
`, { env: { UPSTREAM_KEY: KEY_CANARY, HOOK_AUTH: `Bearer ${HEADER_CANARY}` }, logLevel: 'debug' });
    await waitFor(async () => (await fetch(`${ex!.url}/health/readiness`)).status === 200 || undefined, 10_000, 'ready');
    await ex.app.notifier.settled();
    expect(rx.received).toEqual([]); // first verdicts healthy: nothing to say

    const flakyProbes = () => up!.count('flaky');
    up.behaviourOf.set('flaky', 'server_error');
    await waitFor(() => rx!.accepted('/teams').length === 1 || undefined, 20_000, 'the down message');
    up.behaviourOf.delete('flaky');
    await waitFor(() => rx!.accepted('/teams').length === 2 || undefined, 20_000, 'the resolved message');
    // Healthy probes go on; nothing more is said.
    const after = flakyProbes();
    await waitFor(() => flakyProbes() >= after + 3 || undefined, 15_000, 'three more probes');
    await ex.app.notifier.settled();

    for (const path of ['/generic', `/slack/T0/B0/${PATH_CANARY}`, '/teams']) {
      expect(rx.received.filter((d) => d.path === path).map((d) => d.status), path).toEqual([200, 200]);
    }
    const [down, resolved] = rx.accepted('/generic');
    expect(down!.headers.authorization).toBe(`Bearer ${HEADER_CANARY}`);
    expect(down!.body).toMatchObject({
      source: 'llm-health-exporter', status: 'down',
      deployments: [{ model_name: 'flaky', model_id: 'flaky', model: 'openai/flaky', provider: 'openai', server_address: '127.0.0.1', state: 'unhealthy', error_type: 'server_error' }],
      model_groups: [{ model_name: 'flaky', state: 'down', deployments: 1, unhealthy: 1 }],
    });
    expect(down!.body.deployments[0].error).toContain('The server had an error');
    // Confirmed (the threshold is 2); the message shows the latest result when it leaves.
    expect(down!.body.deployments[0].consecutive_failures).toBeGreaterThanOrEqual(2);
    expect(down!.body.title).toBe('🔴 1 LLM deployment down; no healthy deployment left for flaky');
    expect(resolved!.body).toMatchObject({ status: 'resolved', deployments: [{ model_id: 'flaky', state: 'healthy' }], model_groups: [{ model_name: 'flaky', state: 'healthy' }] });

    const [slackDown, slackResolved] = rx.accepted(`/slack/T0/B0/${PATH_CANARY}`);
    expect(slackDown!.body.text).toContain('1 LLM deployment down');
    expect(slackDown!.body.blocks.map((b: any) => b.type)).toEqual(['header', 'section']);
    expect(slackDown!.body.blocks[1].text.text).toMatch(/^• flaky: openai\/flaky \(127\.0\.0\.1, id flaky\): server_error: 500/);
    expect(slackResolved!.body.text).toContain('Resolved');
    const [teamsDown] = rx.accepted('/teams');
    expect(teamsDown!.body).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }] });
    expect(teamsDown!.body.attachments[0].content.body[0]).toMatchObject({ color: 'Attention', text: down!.body.title });

    for (const d of rx.received) noCanary(d);
    const messages = await metricsOf('llm_notification_messages_total');
    expect(messages.filter((s) => s.labels.outcome === 'delivered').map((s) => [s.labels.target, s.value])).toEqual([['ops-json', 2], ['ops-slack', 2], ['ops-teams', 2]]);
    expect(messages.filter((s) => s.labels.outcome === 'failed').map((s) => s.value)).toEqual([0, 0, 0]);
    // Secrets in the targets appear nowhere the exporter writes: logs, metrics, /health, the status data.
    const everywhere = [ex.logs(), await (await fetch(`${ex.url}/metrics`)).text(), await (await fetch(`${ex.url}/health`)).text(), await (await fetch(`${ex.url}/status.json`)).text()].join('\n');
    expect(everywhere).not.toMatch(/CANARY/);
    expect(ex.logs()).toContain('"msg":"notification sent"');
  }, 60_000);
});

describe('20 deployments going down at once', () => {
  it('make one grouped message; the keys they echo back are redacted', async () => {
    up = closeWhenTestEnds(await startFakeUpstream({ apiKey: KEY_CANARY }));
    rx = closeWhenTestEnds(await startWebhookReceiver());
    const entries = Array.from({ length: 20 }, (_, i) => `  - model_name: group-${i < 10 ? 'a' : 'b'}
    litellm_params: { model: openai/m${i}, api_base: "${up!.openaiBase}", api_key: os.environ/UPSTREAM_KEY }
    model_info: { id: d${i} }
`).join('');
    const yaml = `model_list:\n${entries}general_settings:
  health_check_min_interval: 0
  notification_group_wait: 5
  notifications:
    - { url: "${rx.url}/hook?token=${URL_CANARY}" }
`;
    ex = await exporterForTest(yaml, { env: { UPSTREAM_KEY: KEY_CANARY } });
    expect((await (await fetch(`${ex.url}/health`)).json() as any).healthy_count).toBe(20);
    await ex.app.notifier.settled();
    expect(rx.received).toEqual([]);

    // The key is rotated under them: every probe now gets a 401 that quotes the key it was sent.
    ex.app.applyConfig(parseConfig(yaml, 'c.yaml', { UPSTREAM_KEY: BAD_KEY_CANARY }));
    expect((await (await fetch(`${ex.url}/health`)).json() as any).unhealthy_count).toBe(20);
    await ex.app.notifier.settled();

    expect(rx.received).toHaveLength(1);
    const [message] = rx.received;
    expect(message!.body.status).toBe('down');
    expect(message!.body.deployments.map((d: any) => d.model_id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `d${i}`).sort());
    expect(message!.body.model_groups.map((g: any) => [g.model_name, g.deployments, g.unhealthy])).toEqual([['group-a', 10, 10], ['group-b', 10, 10]]);
    expect(message!.body.title).toBe('🔴 20 LLM deployments down; no healthy deployment left for group-a, group-b');
    expect(message!.body.deployments.every((d: any) => d.error_type === 'auth' && d.error.includes('[REDACTED]'))).toBe(true);
    // 20 deployments and 2 groups make 22 lines: listed, not cut.
    expect(message!.body.text.split('\n')).toHaveLength(22);
    noCanary(message!);
  }, 30_000);
});

describe('delivery', () => {
  const oneDown = (hook: string, extra = '') => `model_list:
  - model_name: broken
    litellm_params: { model: openai/server_error, api_base: "${up!.openaiBase}" }
    model_info: { id: broken }
general_settings:
  notification_group_wait: 0
  notifications:
    - { name: hook, url: "${hook}" }
${extra}`;

  it('retries with backoff when the receiver answers 500 first, and counts the failed attempt', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    rx = closeWhenTestEnds(await startWebhookReceiver());
    rx.failNext('/hook', 500);
    ex = await exporterForTest(oneDown(`${rx.url}/hook?token=${URL_CANARY}`));
    await fetch(`${ex.url}/health`);
    await ex.app.notifier.settled();
    expect(rx.received.map((d) => d.status)).toEqual([500, 200]);
    expect(rx.received[1]!.raw).toBe(rx.received[0]!.raw);
    expect(rx.received[0]!.body).toMatchObject({ status: 'down', deployments: [{ model_id: 'broken' }] });
    expect((await metricsOf('llm_notification_attempt_failures_total')).map((s) => [s.labels.target, s.value])).toEqual([['hook', 1]]);
    expect((await metricsOf('llm_notification_messages_total')).map((s) => [s.labels.outcome, s.value])).toEqual([['delivered', 1], ['failed', 0]]);
    const warn = ex.logs().split('\n').find((l) => l.includes('notification attempt failed; retrying'))!;
    expect(JSON.parse(warn)).toMatchObject({ level: 40, target: 'hook', attempt: 1, error: 'answered 500', retry_in_ms: 1000 });
    expect(ex.logs()).not.toContain(URL_CANARY);
  }, 30_000);

  it('gives up at once on an answer that retrying cannot fix, and never connects to a metadata address', async () => {
    up = closeWhenTestEnds(await startFakeUpstream());
    rx = closeWhenTestEnds(await startWebhookReceiver());
    rx.failNext('/hook', 400);
    ex = await exporterForTest(oneDown(`${rx.url}/hook`, `    - { name: metadata, url: "http://169.254.169.254/latest/meta-data/${PATH_CANARY}" }\n`));
    await fetch(`${ex.url}/health`);
    await ex.app.notifier.settled();
    expect(rx.received.map((d) => d.status)).toEqual([400]);
    const messages = await metricsOf('llm_notification_messages_total');
    expect(messages.map((s) => [s.labels.target, s.labels.outcome, s.value])).toEqual([
      ['hook', 'delivered', 0], ['hook', 'failed', 1], ['metadata', 'delivered', 0], ['metadata', 'failed', 1],
    ]);
    const errors = ex.logs().split('\n').filter((l) => l.includes('"notification not delivered"')).map((l) => JSON.parse(l));
    expect(errors.map((e) => [e.level, e.target]).sort()).toEqual([[50, 'hook'], [50, 'metadata']]);
    expect(ex.logs()).toContain('169.254.169.254 is in general_settings.health_check_deny_networks');
    expect(ex.logs()).not.toContain(PATH_CANARY);
  }, 30_000);
});

describe('the notifier on its own (results fed by hand, a recording post)', () => {
  const yaml = `model_list:
  - model_name: gpt
    litellm_params: { model: openai/a }
    model_info: { id: a }
  - model_name: gpt
    litellm_params: { model: openai/b }
    model_info: { id: b }
general_settings:
  notification_group_wait: 0
  notifications: [{ url: "http://127.0.0.1:9/hook" }]
  maintenance_windows:
    - { start: "2000-01-01T00:00:00Z", end: "2999-01-01T00:00:00Z", model_ids: [b] }
`;
  const setup = () => {
    const snapshot = buildSnapshot(parseConfig(yaml, 'c.yaml', {}), 0);
    const store = new MemoryStore();
    const sent: any[] = [];
    const notifier = new Notifier({ snapshot: () => snapshot, store, logger: createLogger('silent'), post: async (_t, body) => { sent.push(JSON.parse(body)); return { ok: true }; } });
    let t = Date.now();
    const result = (id: string, healthy: boolean, prev?: ProbeResult): ProbeResult => {
      t += 1000;
      const r: ProbeResult = { deploymentId: id, healthy, startedAt: t, checkedAt: t, latencyMs: 5, headers: {}, ...(healthy ? {} : { errorType: 'server_error', error: '500' }) };
      Object.assign(r, judge(prev, healthy, { failureThreshold: 1, successThreshold: 1 }));
      store.set(r);
      notifier.observe(snapshot.byId.get(id)!, r, prev);
      return r;
    };
    return { sent, notifier, result };
  };

  it('mutes a deployment in a maintenance window', async () => {
    const { sent, notifier, result } = setup();
    result('b', false, result('b', true));
    await notifier.settled();
    expect(sent).toEqual([]);
    // The one outside the window is not muted (and, alone in the group outside the window, takes the group down).
    result('a', false, result('a', true));
    await notifier.settled();
    expect(sent.map((m) => [m.status, m.deployments.map((d: any) => d.model_id), m.model_groups.map((g: any) => g.model_name)])).toEqual([['down', ['a'], ['gpt']]]);
  });

  it('says nothing about a flap inside one batch, or a first verdict that is healthy', async () => {
    const { sent, notifier, result } = setup();
    const first = result('a', true);
    const down = result('a', false, first);
    result('a', true, down); // all before the batch (group wait 0: the next turn) is sent
    await notifier.settled();
    expect(sent).toEqual([]);
  });
});
