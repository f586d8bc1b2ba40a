import { describe, expect, it } from 'vitest';
import { PrometheusTextSerializer } from '../src/telemetry/prometheus-text.js';

/**
 * deployment-text.ts renders the per-deployment lines from labelText() (a string per attributes
 * object, kept). A UTF-8 copy of every label block next to it was ~17 MB of Buffers at 10,000
 * deployments (90,000 attributes objects) that the kept lines never read.
 */
describe('PrometheusTextSerializer.labelText', () => {
  it('keeps no UTF-8 copy of the label blocks it hands out as text', () => {
    const ours = new PrometheusTextSerializer({ withoutScopeInfo: true });
    const attributes = Array.from({ length: 20_000 }, (_, i) => ({
      model_id: `deployment-${i}-${'x'.repeat(60)}`, model_name: `model-${i}`, api_base: 'https://api.example.com/v1',
    }));
    const before = process.memoryUsage().arrayBuffers;
    const texts = attributes.map((a) => ours.labelText(a));
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(texts[7]).toBe(`model_id="deployment-7-${'x'.repeat(60)}",model_name="model-7",api_base="https://api.example.com/v1"`);
    // 20,000 blocks of ~120 bytes: ~2.4 MB if each were encoded and kept.
    expect(grown).toBeLessThan(256 * 1024);
  });
});
