/**
 * Every metric the exporter emits, declared once: its name on each export path, type, unit, help
 * text and labels. The producers build their descriptors from this table, docs/metrics.md is
 * rendered from it (`npm run docs`), and test/prometheus-metrics-contract.test.ts checks /metrics
 * against it. Prometheus names are a contract: the alert rules and the dashboard use them.
 */
import { ERROR_TYPES } from '../core/errors.js';
import { sanitizeName } from './prometheus-format.js';

/** The two ways metrics leave the process: /metrics (scraped) and OTLP (pushed). */
export type ExportPath = 'prometheus' | 'otlp';

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface LabelSpec {
  /**
   * The attribute key on the data point, as OTLP carries it. In /metrics it becomes
   * prometheusLabelName(attribute) (the Prometheus exporter replaces '.' by '_').
   */
  readonly attribute: string;
  readonly help: string;
  /** When the label is on a series at all; absent: always. */
  readonly onlyWhen?: string;
}

interface MetricSpecCommon {
  /**
   * The name in /metrics, as queries use it: counters with their `_total`, and the unit in the
   * name (the Prometheus exporter appends no unit suffix). Given to the SDK as is: the
   * exporter appends `_total` only where it is missing and maps '.' to '_'.
   */
  readonly prometheus: string;
  /** The OTLP name (OTel style, unit separate); null for what exists in /metrics only. */
  readonly otlp: string | null;
  /** UCUM unit ('s'), '' for a plain number. */
  readonly unit: string;
  /** Prometheus HELP text and OTLP description. */
  readonly help: string;
  readonly labels: readonly LabelSpec[];
  /** Labels beyond `labels` that configuration adds, in words; absent: none. */
  readonly moreLabels?: string;
  /** Which series exist, when not one per deployment with a result (or the one unlabelled series). */
  readonly onlyWhen?: string;
  /** Who builds it: our code, or the OTel Prometheus exporter itself. */
  readonly emittedBy: 'exporter' | 'otel-library';
}

export type MetricSpec = MetricSpecCommon & (
  | { readonly type: 'gauge' | 'counter' }
  | { readonly type: 'histogram'; /** Explicit bucket boundaries (upper bounds). */ readonly buckets: readonly number[] }
);

/** The Prometheus label name of an attribute key, as the Prometheus exporter writes it. */
export function prometheusLabelName(attribute: string): string {
  return sanitizeName(attribute);
}

/** On every per-deployment series; identify one deployment of the config. */
export const DEPLOYMENT_LABELS = [
  { attribute: 'model_name', help: 'The model group: `model_name` in config.yaml, what clients ask LiteLLM for.' },
  { attribute: 'model_id', help: 'The deployment: `model_info.id`, else an id derived from the entry (the `model_id` of /health).' },
  { attribute: 'model', help: 'The model probed: `model_info.health_check_model`, else `litellm_params.model` (e.g. `azure/gpt-4o`).' },
  { attribute: 'mode', help: 'What the probe sends: `chat`, `embedding`, `completion`, … (`model_info.mode` or inferred).' },
  { attribute: 'provider', help: 'The provider prefix of the model (`openai`, `azure`, …) or `custom_llm_provider`.' },
  { attribute: 'server_address', help: 'The host of the endpoint probed: never a path, query, key or user info.' },
] as const satisfies readonly LabelSpec[];

const HOW_A_PROBE_ENDED = [
  { attribute: 'result', help: '`healthy` or `unhealthy`.' },
  // `stale` is how /health shows an old result, never the outcome of a probe.
  { attribute: 'error_type', help: `Why the probe failed: ${ERROR_TYPES.filter((t) => t !== 'stale' && t !== 'no_healthy_route').map((t) => `\`${t}\``).join(', ')}; empty when healthy.` },
] as const satisfies readonly LabelSpec[];

/** A notification target, named in config (its URL is a secret and never a label). */
const NOTIFICATION_LABELS = [
  { attribute: 'target', help: 'The notification target: its `name` in `general_settings.notifications` (default `<type>-<index>`); never its URL.' },
] as const satisfies readonly LabelSpec[];
const NOTIFICATION_LABELS_WITH_OUTCOME = [
  ...NOTIFICATION_LABELS,
  { attribute: 'outcome', help: '`delivered`, or `failed` after every retry.' },
] as const satisfies readonly LabelSpec[];

/** GenAI semantic conventions attributes of gen_ai.client.operation.duration. */
const GEN_AI_OPERATION_LABELS = [
  { attribute: 'gen_ai.operation.name', help: '`chat`, `text_completion`, `embeddings`, else the mode.' },
  { attribute: 'gen_ai.provider.name', help: 'The semantic-conventions provider name (`openai`, `azure.ai.openai`, `aws.bedrock`, …); `_OTHER` when unknown.' },
  { attribute: 'gen_ai.request.model', help: 'The model name sent on the wire (without the provider prefix).' },
  { attribute: 'server.address', help: 'The host of the endpoint probed.' },
  { attribute: 'server.port', help: 'Its port (443/80 when the URL names none).', onlyWhen: 'the endpoint is known' },
  { attribute: 'error.type', help: 'Why the probe failed: the `error_type` values of the probes counter; `_OTHER` when it has none.', onlyWhen: 'the probe failed' },
] as const satisfies readonly LabelSpec[];

/** GenAI semantic conventions advice for gen_ai.client.operation.duration (seconds). */
const GEN_AI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] as const;

/** Every metric the exporter serves or sends: ours first, then the GenAI histogram, then target_info. */
export const METRICS = {
  deploymentHealthy: {
    prometheus: 'llm_deployment_healthy', otlp: 'llm.deployment.healthy', type: 'gauge', unit: '', emittedBy: 'exporter',
    help: 'The reported verdict of the deployment: healthy (1) or unhealthy (0), after the failure and success thresholds.',
    labels: DEPLOYMENT_LABELS,
    onlyWhen: 'for deployments with a fresh verdict (none while pending or stale: unknown, not unhealthy)',
  },
  probeDuration: {
    prometheus: 'llm_deployment_probe_duration_seconds', otlp: 'llm.deployment.probe.duration', type: 'gauge', unit: 's', emittedBy: 'exporter',
    help: 'Duration of the latest probe of the deployment.',
    labels: DEPLOYMENT_LABELS,
  },
  lastProbeTimestamp: {
    prometheus: 'llm_deployment_last_probe_timestamp_seconds', otlp: 'llm.deployment.last_probe.timestamp', type: 'gauge', unit: 's', emittedBy: 'exporter',
    help: 'Unix time the latest probe of the deployment ended.',
    labels: DEPLOYMENT_LABELS,
  },
  lastSuccessTimestamp: {
    prometheus: 'llm_deployment_last_success_timestamp_seconds', otlp: 'llm.deployment.last_success.timestamp', type: 'gauge', unit: 's', emittedBy: 'exporter',
    help: 'Unix time of the latest successful probe of the deployment.',
    labels: DEPLOYMENT_LABELS,
    onlyWhen: 'for deployments with a successful probe seen since the exporter started',
  },
  probes: {
    prometheus: 'llm_deployment_probes_total', otlp: 'llm.deployment.probes', type: 'counter', unit: '', emittedBy: 'exporter',
    help: 'Probes of the deployment by result and error type.',
    labels: [...DEPLOYMENT_LABELS, ...HOW_A_PROBE_ENDED],
  },
  consecutiveFailures: {
    prometheus: 'llm_deployment_consecutive_failures', otlp: 'llm.deployment.consecutive_failures', type: 'gauge', unit: '', emittedBy: 'exporter',
    help: 'Failed probes of the deployment in a row (0 after a success).',
    labels: DEPLOYMENT_LABELS,
  },
  probeTokens: {
    prometheus: 'llm_deployment_probe_tokens_total', otlp: 'llm.deployment.probe.tokens', type: 'counter', unit: '', emittedBy: 'exporter',
    help: 'Tokens the deployment\'s probes used, as its answers reported them (usage), since the exporter started.',
    labels: [...DEPLOYMENT_LABELS, { attribute: 'direction', help: '`input` (prompt) or `output` (completion).' }],
    onlyWhen: 'for deployments whose answers reported token usage since the exporter started',
  },
  probeCost: {
    prometheus: 'llm_deployment_probe_cost_usd_total', otlp: 'llm.deployment.probe.cost_usd', type: 'counter', unit: '', emittedBy: 'exporter',
    help: 'USD the deployment\'s probes cost since the exporter started: usage priced from the model table (model_info prices override). Probes of unknown cost are left out; /health/spend counts them.',
    labels: DEPLOYMENT_LABELS,
    onlyWhen: 'for deployments with a priced probe since the exporter started (a model without a price has no series: unknown, not 0)',
  },
  uptimeRatio: {
    prometheus: 'llm_deployment_uptime_ratio', otlp: 'llm.deployment.uptime.ratio', type: 'gauge', unit: '', emittedBy: 'exporter',
    help: 'Healthy share of the known time of the deployment over the window ending now, from probe outcomes; time no result covered (the exporter down, not probed yet) counts as neither (/health/uptime has it).',
    labels: [...DEPLOYMENT_LABELS, { attribute: 'window', help: '`1h`, `24h`, `7d` or `30d`.' }],
    onlyWhen: 'per deployment and window with known time in it',
  },
  staleAfter: {
    prometheus: 'llm_deployment_stale_after_seconds', otlp: 'llm.deployment.stale_after', type: 'gauge', unit: 's', emittedBy: 'exporter',
    help: 'Age after which the latest result of the deployment is overdue by its own schedule (interval, timeout, fleet lease) and shown stale.',
    labels: DEPLOYMENT_LABELS,
    onlyWhen: 'for deployments probed in the background',
  },
  degraded: {
    prometheus: 'llm_deployment_degraded', otlp: 'llm.deployment.degraded', type: 'gauge', unit: '', emittedBy: 'exporter',
    help: 'Whether the deployment is healthy but its latest probe was slower than its health_check_latency_threshold (1) or not (0).',
    labels: DEPLOYMENT_LABELS,
    onlyWhen: 'for deployments with a latency threshold and a fresh verdict',
  },
  tlsCertExpiry: {
    prometheus: 'llm_deployment_tls_cert_expiry_timestamp_seconds', otlp: 'llm.deployment.tls_cert.expiry.timestamp', type: 'gauge', unit: 's', emittedBy: 'exporter',
    help: 'Unix time the earliest certificate expires of the chain the upstream presented to the latest probe of the deployment that got an answer over HTTPS.',
    labels: DEPLOYMENT_LABELS,
    onlyWhen: 'for deployments probed over HTTPS whose latest probe got an answer',
  },
  healthyCount: {
    prometheus: 'llm_health_healthy_count', otlp: 'llm.health.healthy_count', type: 'gauge', unit: '', emittedBy: 'exporter',
    help: 'Deployments reported healthy (the /health healthy_count).',
    labels: [],
  },
  unhealthyCount: {
    prometheus: 'llm_health_unhealthy_count', otlp: 'llm.health.unhealthy_count', type: 'gauge', unit: '', emittedBy: 'exporter',
    help: 'Deployments reported unhealthy: failure threshold reached, or stale (the /health unhealthy_count).',
    labels: [],
  },
  pendingCount: {
    prometheus: 'llm_health_pending_count', otlp: 'llm.health.pending_count', type: 'gauge', unit: '', emittedBy: 'exporter',
    help: 'Deployments without a verdict yet: not checked, or failures still under the failure threshold (the /health pending_count).',
    labels: [],
  },
  checkInterval: {
    prometheus: 'llm_health_check_interval_seconds', otlp: 'llm.health_check.interval', type: 'gauge', unit: 's', emittedBy: 'exporter',
    help: 'Configured background health check interval.',
    labels: [],
    onlyWhen: 'only with background health checks on',
  },
  deploymentMaintenance: {
    prometheus: 'llm_deployment_maintenance', otlp: 'llm.deployment.maintenance', type: 'gauge', unit: '', emittedBy: 'exporter',
    help: 'Whether a maintenance window covers the deployment now: 1 (its probes are paused, the shipped alerts and notifications quiet) or 0.',
    labels: DEPLOYMENT_LABELS,
    onlyWhen: 'for deployments a `general_settings.maintenance_windows` entry covers at some time (every deployment for a window without `model_names` or `model_ids`)',
  },
  notificationMessages: {
    prometheus: 'llm_notification_messages_total', otlp: 'llm.notification.messages', type: 'counter', unit: '', emittedBy: 'exporter',
    help: 'Notification messages per webhook target: delivered, or failed after every retry.',
    labels: NOTIFICATION_LABELS_WITH_OUTCOME,
    onlyWhen: 'per target of `general_settings.notifications`, from 0',
  },
  notificationAttemptFailures: {
    prometheus: 'llm_notification_attempt_failures_total', otlp: 'llm.notification.attempt_failures', type: 'counter', unit: '', emittedBy: 'exporter',
    help: 'Failed delivery attempts per webhook target, retried or not (a message delivered at the second attempt counts one).',
    labels: NOTIFICATION_LABELS,
    onlyWhen: 'per target of `general_settings.notifications`, from 0',
  },
  genAiOperationDuration: {
    prometheus: 'gen_ai_client_operation_duration_seconds', otlp: 'gen_ai.client.operation.duration', type: 'histogram', unit: 's', emittedBy: 'exporter',
    help: 'GenAI operation duration (one probe).',
    labels: GEN_AI_OPERATION_LABELS,
    buckets: GEN_AI_DURATION_BUCKETS,
    onlyWhen: 'per deployment and outcome probed since the exporter started',
  },
  targetInfo: {
    prometheus: 'target_info', otlp: null, type: 'gauge', unit: '', emittedBy: 'otel-library',
    help: 'Target metadata',
    labels: [
      { attribute: 'service.name', help: '`llm-health-exporter`, or `OTEL_SERVICE_NAME`. (Over OTLP: the resource.)' },
      { attribute: 'service.version', help: 'The exporter version.' },
    ],
    moreLabels: 'one per `OTEL_RESOURCE_ATTRIBUTES` entry',
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRICS;

/** The attribute keys a metric's table entry allows, for typing the attributes the code builds. */
export type AttributeOf<K extends MetricKey> = (typeof METRICS)[K]['labels'][number]['attribute'];

/** The table as a list. */
export const METRIC_LIST: readonly MetricSpec[] = Object.values(METRICS);

/** A metric with an OTLP name: one our code builds on both export paths. */
export type ExportedMetricSpec = MetricSpec & { readonly otlp: string };

/** A metric's name on an export path. */
export function metricName(spec: ExportedMetricSpec, path: ExportPath): string {
  return spec[path];
}
