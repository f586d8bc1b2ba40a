import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { startExporter } from './support/exporter.js';

/**
 * An exporter keeps results in memory and runs alone unless configured otherwise; the SQLite,
 * Postgres and Redis clients it would not use were ~10 MB of its RSS when loaded at start-up.
 * (All three are CommonJS, so once loaded they are in the CommonJS module cache.)
 */
const require = createRequire(import.meta.url);
const loadedDrivers = () => Object.keys(require.cache)
  .map((p) => /node_modules[\\/](better-sqlite3|pg|ioredis)[\\/]/.exec(p)?.[1])
  .filter((x): x is string => x !== undefined);

describe('database and Redis clients', () => {
  it('are not loaded by an exporter that keeps results in memory and runs alone', async () => {
    const ex = await startExporter(`model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:9/v1", api_key: sk-test }
`, { listen: false });
    try {
      expect(ex.app.persistence.status().kind).toBe('memory');
      expect([...new Set(loadedDrivers())]).toEqual([]);
    } finally {
      await ex.close();
    }
  });
});
