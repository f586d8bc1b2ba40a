import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { closeWhenTestEnds, startExporter } from './support/exporter.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';

/**
 * An exporter loads what its config uses. The SQLite, Postgres and Redis clients were ~10 MB of
 * RSS when loaded at start-up; the OTLP exporters and the SigV4 signer ~70 ms of start-up and
 * ~3.4 MB of heap. All of them load as CommonJS (their packages name a CommonJS `main`), so once
 * loaded they are in the CommonJS module cache. The tests run in this order in one process: what
 * a later one loads stays loaded.
 */
const require = createRequire(import.meta.url);
const OPTIONAL = /node_modules[\\/](better-sqlite3|pg|ioredis|@opentelemetry[\\/]exporter-[a-z-]+-otlp-[a-z]+|@smithy[\\/]signature-v4|@aws-crypto[\\/]sha256-js)[\\/]/;
const loaded = () => [...new Set(Object.keys(require.cache).map((p) => OPTIONAL.exec(p)?.[1]?.replaceAll('\\', '/')).filter((x): x is string => x !== undefined))].sort();

const deployment = `model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:9/v1", api_key: sk-test }
`;

describe('optional packages', () => {
  it('none is loaded by an exporter in memory, alone, without OTLP or Bedrock', async () => {
    const ex = await startExporter(deployment, { listen: false });
    try {
      expect(ex.app.persistence.status().kind).toBe('memory');
      expect(ex.app.telemetry.callbacks).toEqual(['prometheus']);
      expect(loaded()).toEqual([]);
    } finally {
      await ex.close();
    }
  });

  it('OTLP loads only the configured protocol\'s two exporters', async () => {
    const rx = closeWhenTestEnds(await startOtlpReceiver());
    const ex = await startExporter(`${deployment}general_settings:\n  otel_exporter_otlp_endpoint: ${rx.url}\n  otel_exporter_otlp_protocol: http/json\n`, { listen: false });
    try {
      expect(ex.app.telemetry.callbacks).toEqual(['prometheus', 'otlp']);
      expect(loaded()).toEqual(['@opentelemetry/exporter-metrics-otlp-http', '@opentelemetry/exporter-trace-otlp-http']);
    } finally {
      await ex.close();
    }
  });
});
