import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { run } from './support/tools.js';

const ALERTS = join(PACKAGE_ROOT, 'alerts');

describe('alerts/llm-health.rules.yml', () => {
  it('is valid Prometheus rule syntax with the eight alerts', async () => {
    const r = await run('promtool', ['check', 'rules', 'llm-health.rules.yml'], { cwd: ALERTS });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('SUCCESS: 8 rules found');
    expect(r.code).toBe(0);
  });

  it('passes its promtool unit tests (firing, not firing, labels and annotations)', async () => {
    const r = await run('promtool', ['test', 'rules', 'llm-health.rules.test.yml'], { cwd: ALERTS });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});
