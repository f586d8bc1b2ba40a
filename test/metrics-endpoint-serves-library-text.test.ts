import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

/**
 * GET /metrics on a real exporter answers exactly what @opentelemetry/exporter-prometheus's own
 * handler would for the same collect(): status, content-type and body byte for byte.
 * On demand mode, so nothing is probed between the scrape and the reference collect.
 */
describe('GET /metrics serves the library exposition text', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream();
    ex = await startExporter(`
model_list:
  - model_name: 'gpt "quoted" \\ back ü'
    litellm_params: { model: openai/gpt-4o, api_base: "${up.openaiBase}" }
    model_info: { id: good }
  - model_name: broken
    litellm_params: { model: openai/rate_limited, api_base: "${up.openaiBase}" }
    model_info: { id: bad }
  - model_name: down
    litellm_params: { model: openai/server_error, api_base: "${up.openaiBase}" }
    model_info: { id: err }
general_settings:
  health_check_min_interval: 0
`);
  });
  afterAll(async () => { await ex.close(); await up.close(); });

  // The configuration telemetry.ts gives the PrometheusExporter (withoutScopeInfo, target_info kept).
  const library = new PrometheusSerializer(undefined, false, undefined, false, true);
  const expectLibraryText = async () => {
    const res = await fetch(`${ex.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    const body = await res.text();
    const { resourceMetrics } = await ex.app.telemetry.prometheus.collect();
    expect(body).toBe(library.serialize(resourceMetrics));
    return body;
  };

  it('before any probe, and after probes add series and outcomes', async () => {
    await expectLibraryText();
    await fetch(`${ex.url}/health`);
    const first = await expectLibraryText();
    expect(first).toContain('llm_deployment_probes_total{model_name="gpt \\"quoted\\" \\\\ back ü"');
    expect(first).toContain('gen_ai_client_operation_duration_seconds_bucket{');
    // Counts move while the (memoized) label blocks stay; a second round must show the new counts.
    await fetch(`${ex.url}/health`);
    const second = await expectLibraryText();
    expect(second).not.toBe(first);
    expect(second).toMatch(/llm_deployment_probes_total\{[^}]*model_id="bad"[^}]*error_type="rate_limited"\} 2\n/);
  });
});
