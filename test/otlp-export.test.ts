import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { METRIC_LIST, METRICS } from '../src/telemetry/metrics.js';
import { otlpSettings } from '../src/telemetry/otlp-settings.js';
import { closeWhenTestEnds, exporterForTest, startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { makeCert, startFakeTlsUpstream, type FakeTlsUpstream, type TestCert } from './support/fake-tls.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';

const CANARY = 'CANARY-otlp-9999';
let up: FakeUpstream;
let cert: TestCert;
let tls: FakeTlsUpstream;
beforeAll(async () => { up = await startFakeUpstream(); cert = await makeCert(30); tls = await startFakeTlsUpstream(cert); });
afterAll(async () => { await up.close(); await tls.close(); });

function config(extraGeneral = '') {
  return `
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_base: "${up.openaiBase}?key=${CANARY}", api_key: sk-${CANARY} }
    model_info: { id: gpt-ok }
  - model_name: gpt
    litellm_params: { model: azure/eu-dep, api_base: "${up.url}", api_key: ${CANARY}, api_version: "2024-10-21" }
    model_info: { id: az-ok }
  - model_name: broken
    litellm_params: { model: openai/server_error, api_base: "${up.openaiBase}", extra_headers: { Authorization: "Bearer ${CANARY}" } }
    model_info: { id: broken }
  - model_name: gpt
    litellm_params: { model: openai/tls-model, api_base: "${tls.openaiBase}", ssl_certificate: ${cert.certFile} }
    model_info: { id: tls-ok }
general_settings:
  health_check_latency_threshold: 60
  # Give the notification and maintenance metrics their series (nothing is sent: the batch waits an hour).
  notification_group_wait: 3600
  notifications: [{ name: otlp-test, url: "http://127.0.0.1:9/hook" }]
  maintenance_windows: [{ start: "2000-01-01T00:00:00Z", end: "2000-01-01T01:00:00Z" }]
${extraGeneral}
`;
}

describe.each(['http/protobuf', 'http/json'] as const)('OTLP over %s to a collector', (protocol) => {
  let rx: OtlpReceiver;
  let ex: TestExporter;
  beforeEach(async () => {
    rx = closeWhenTestEnds(await startOtlpReceiver());
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment.name=test';
    ex = await exporterForTest(config(`  otel_exporter_otlp_endpoint: ${rx.url}\n  otel_exporter_otlp_protocol: ${protocol}`), {
      env: { OTEL_SERVICE_NAME: 'llm-health-test' },
    });
    await fetch(`${ex.url}/health`);
    await ex.app.telemetry.forceFlush();
  });
  afterEach(async () => {
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
  });

  it('sends with the protocol asked for and lists otlp in readiness', async () => {
    expect([...rx.contentTypes].every((t) => t.startsWith(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf'))).toBe(true);
    const ready: any = await (await fetch(`${ex.url}/health/readiness`)).json();
    expect(ready.success_callbacks).toEqual(['prometheus', 'otlp']);
  });

  it('one CLIENT span per probe, named and attributed per the GenAI conventions, under a round span', () => {
    const probes = rx.spans.filter((s) => s.name !== 'health_check round');
    expect(probes.map((s) => s.name).sort()).toEqual(['chat eu-dep', 'chat gpt-4o', 'chat server_error', 'chat tls-model']);
    const az = probes.find((s) => s.name === 'chat eu-dep')!;
    expect(az.kind).toBe(protocol === 'http/json' ? 3 : 3); // SPAN_KIND_CLIENT
    expect(az.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'azure.ai.openai', 'gen_ai.request.model': 'eu-dep',
      'server.address': '127.0.0.1', 'llm.deployment.id': 'az-ok', 'llm.model_name': 'gpt',
    });
    expect(az.status.code).toBe(0);
    const round = rx.spans.find((s) => s.name === 'health_check round')!;
    for (const p of probes) {
      expect(p.parentSpanId).toBe(round.spanId);
      expect(p.traceId).toBe(round.traceId);
    }
  });

  it('a failed probe span has status ERROR and error.type', () => {
    const failed = rx.spans.find((s) => s.name === 'chat server_error')!;
    expect(failed.status.code).toBe(2); // STATUS_CODE_ERROR
    expect(failed.status.message).toContain('500');
    expect(failed.attributes['error.type']).toBe('server_error');
  });

  it('sends the deployment metrics and the GenAI histogram with the resource attributes', () => {
    for (const name of ['llm.deployment.healthy', 'llm.deployment.probe.duration', 'llm.deployment.probes', 'llm.health.unhealthy_count', 'gen_ai.client.operation.duration']) {
      expect(rx.metricNames).toContain(name);
    }
    expect(rx.resourceAttributes).toMatchObject({ 'service.name': 'llm-health-test', 'deployment.environment.name': 'test' });
  });

  it('sends the metrics of src/telemetry/metrics.ts under their OTLP names, with their description, unit, type and attributes', () => {
    // On demand here, so no background interval and no staleness threshold (the table says both
    // need background mode): the staleness metric is sent without points.
    const background = [METRICS.checkInterval, METRICS.staleAfter] as const;
    const expected = METRIC_LIST.filter((m) => m.otlp !== null && !(background as readonly unknown[]).includes(m));
    expect([...rx.metrics.keys()].filter((k) => k !== METRICS.staleAfter.otlp).sort()).toEqual(expected.map((m) => m.otlp).sort());
    for (const m of expected) {
      const got = rx.metrics.get(m.otlp!)!;
      expect({ metric: m.otlp, description: got.description, unit: got.unit, type: got.type }).toEqual({ metric: m.otlp, description: m.help, unit: m.unit, type: m.type });
      // Every listed attribute arrives (this config has a failed probe and ports), and no other.
      expect([...got.attributeKeys].sort(), m.otlp!).toEqual(m.labels.map((l) => l.attribute).sort());
    }
  });

  it('carries no secret and no prompt in anything it sends', () => {
    const everything = rx.rawBodies.join('\n');
    expect(everything.length).toBeGreaterThan(0);
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toMatch(/"ping"|\bping\b/);
  });
});

describe('OTLP settings', () => {
  const warn = () => {};
  it('are off without an endpoint, and off when OTEL_SDK_DISABLED=true', () => {
    expect(otlpSettings({}, {}, warn)).toBeUndefined();
    expect(otlpSettings({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }, warn)).toBeUndefined();
  });

  it('follow the standard variables: base endpoint, signal endpoints, protocol, interval', () => {
    expect(otlpSettings({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_METRIC_EXPORT_INTERVAL: '5000' }, warn)).toEqual({
      tracesUrl: 'http://c:4318/v1/traces', metricsUrl: 'http://c:4318/v1/metrics', protocol: 'http/json', metricIntervalMs: 5000,
    });
    expect(otlpSettings({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/custom' }, warn)).toEqual({
      tracesUrl: 'http://t:4318/custom', metricsUrl: undefined, protocol: 'http/protobuf', metricIntervalMs: 60_000,
    });
  });

  it('report gRPC as unsupported and fall back to http/protobuf', () => {
    const warnings: string[] = [];
    expect(otlpSettings({ endpoint: 'http://c:4317', protocol: 'grpc' }, {}, (m) => warnings.push(m))!.protocol).toBe('http/protobuf');
    expect(warnings[0]).toContain('"grpc" is not supported');
  });
});

describe('spans in memory', () => {
  it('never carry the prompt or a secret in any attribute', async () => {
    const mem = new InMemorySpanExporter();
    const ex = await startExporter(config(), { spanProcessors: [new SimpleSpanProcessor({ exporter: mem })] });
    try {
      await fetch(`${ex.url}/health`);
      const spans = mem.getFinishedSpans();
      expect(spans).toHaveLength(5);
      const text = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status]));
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain('ping');
    } finally {
      await ex.close();
    }
  });
});
