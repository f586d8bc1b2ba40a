import type { NotificationType } from '../config/status-settings.js';
import { serverEndpoint } from '../registry/providers.js';
import type { Message } from './message.js';

/** Lines listed in one message at most; the rest are counted ("… and 180 more"). */
const MAX_LINES = 25;
const MAX_ERROR = 300;

/**
 * The JSON a target receives. Built from an allow-list like every other output: names, ids, the
 * endpoint's host, the error type and (with health_check_details) the redacted error text;
 * never a URL path, key or header. Slack and Teams get their own shapes of the same text.
 */
export function payloadOf(type: NotificationType, m: Message, details: boolean): unknown {
  const title = titleOf(m);
  const lines = linesOf(m, details);
  if (type === 'slack') return slackPayload(title, lines);
  if (type === 'teams') return teamsPayload(m, title, lines);
  return {
    source: 'llm-health-exporter',
    version: 1,
    status: m.status,
    title,
    text: lines.join('\n'),
    at: new Date(m.at).toISOString(),
    deployments: m.deployments.map(({ d, result: r }) => ({
      model_name: d.modelName,
      model_id: d.id,
      model: d.probeModel,
      provider: d.provider,
      server_address: serverEndpoint(d).address,
      state: m.status === 'down' ? 'unhealthy' : 'healthy',
      ...(r ? { checked_at: new Date(r.checkedAt).toISOString(), consecutive_failures: r.consecutiveFailures ?? (r.healthy ? 0 : 1) } : {}),
      ...(r && !r.healthy ? { error_type: r.errorType ?? 'plugin_error', ...(details ? { error: cut(r.error ?? 'unhealthy') } : {}) } : {}),
    })),
    model_groups: m.groups.map((g) => ({ model_name: g.modelName, state: m.status === 'down' ? 'down' : 'healthy', deployments: g.deployments, unhealthy: g.unhealthy })),
  };
}

export function titleOf(m: Message): string {
  const n = m.deployments.length;
  const groups = m.groups.map((g) => g.modelName).join(', ');
  if (m.status === 'down') {
    const what = n ? `${n} LLM deployment${n === 1 ? '' : 's'} down` : 'LLM model group down';
    return `🔴 ${what}${groups ? `; no healthy deployment left for ${groups}` : ''}`;
  }
  const what = n ? `${n} LLM deployment${n === 1 ? '' : 's'} recovered` : 'LLM model group recovered';
  return `✅ Resolved: ${what}${groups ? `; ${groups} ${m.groups.length === 1 ? 'has' : 'have'} a healthy deployment again` : ''}`;
}

function linesOf(m: Message, details: boolean): string[] {
  const lines = m.deployments.map(({ d, result: r }) => {
    const where = `${d.modelName}: ${d.probeModel} (${serverEndpoint(d).address}, id ${d.id.slice(0, 12)})`;
    if (m.status === 'resolved' || !r || r.healthy) return where;
    return `${where}: ${r.errorType ?? 'plugin_error'}${details && r.error ? `: ${cut(r.error)}` : ''}`;
  });
  for (const g of m.groups) {
    lines.push(m.status === 'down'
      ? `model group ${g.modelName}: all ${g.deployments} deployment${g.deployments === 1 ? '' : 's'} with a verdict unhealthy`
      : `model group ${g.modelName}: healthy again (${g.deployments - g.unhealthy} of ${g.deployments} healthy)`);
  }
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES - 1), `… and ${lines.length - MAX_LINES + 1} more`];
}

const cut = (s: string) => (s.length > MAX_ERROR ? `${s.slice(0, MAX_ERROR - 1)}…` : s);
/** Slack's mrkdwn treats these three as markup. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function slackPayload(title: string, lines: string[]) {
  const text = lines.map((l) => `• ${slackEscape(l)}`).join('\n');
  return {
    text: slackEscape(title),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: text.length > 3000 ? `${text.slice(0, 2999)}…` : text } },
    ],
  };
}

/** A Microsoft Teams message with an Adaptive Card, as Teams' Workflows (and older connectors) accept. */
function teamsPayload(m: Message, title: string, lines: string[]) {
  return {
    type: 'message',
    attachments: [{
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        body: [
          { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, color: m.status === 'down' ? 'Attention' : 'Good', text: title },
          { type: 'TextBlock', wrap: true, text: lines.map((l) => `- ${l}`).join('\n\n') },
        ],
      },
    }],
  };
}
