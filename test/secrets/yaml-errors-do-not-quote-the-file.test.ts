import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { startExporter } from '../support/exporter.js';

/**
 * Issue 16, item 10: `api_key: *CNRYalias` put the alias name into the unauthenticated
 * readiness config_error, the reload's 400 body and the logs; a binary file's error quoted raw bytes.
 */
const CANARY = 'CNRYalias7f3e';
const aliased = `model_list:\n  - model_name: m\n    litellm_params: { model: openai/x, api_key: *${CANARY} }\n`;

function issuesOf(text: string): readonly string[] {
  try {
    parseConfig(text, 'c.yaml', {});
    return [];
  } catch (e) {
    return (e as ConfigError).issues;
  }
}

describe('YAML errors', () => {
  it('name the problem without quoting the file', () => {
    const issues = issuesOf(aliased);
    expect(issues).toEqual([expect.stringContaining('Unresolved alias')]);
    expect(issues.join()).not.toContain(CANARY);
  });

  it('nor do the YAML library\'s warnings (a collection used as a key) reach stderr with it', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      parseConfig('model_list: []\nfoo:\n  ? [sk-warned-canary-4411, b]\n  : x\n', 'c.yaml', {});
      expect(warn.mock.calls.map((c) => String(c[0])).join()).not.toContain('sk-warned-canary-4411');
    } finally {
      warn.mockRestore();
    }
  });

  it('of a binary file carry no raw bytes', () => {
    const issues = issuesOf('\u0000\u0001\u00ffkey\u001b[2J: [\n  sk-bytes-9f8e\n');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.join()).not.toMatch(/[^\x20-\x7e]/);
    expect(issues.join()).not.toContain('sk-bytes-9f8e');
  });

  it('never reach readiness, the reload answer or the logs with the quoted text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lhe-yamlerr-'));
    const file = join(dir, 'config.yaml');
    const ex = await startExporter('model_list: []\n', { file });
    try {
      await writeFile(file, aliased);
      const reload = await fetch(`${ex.url}/-/reload`, { method: 'POST' });
      expect(reload.status).toBe(400);
      const ready = await (await fetch(`${ex.url}/health/readiness`)).text();
      expect(ready).toContain('config_error');
      for (const text of [await reload.text(), ready, ex.logs()]) expect(text).not.toContain(CANARY);
    } finally {
      await ex.close();
    }
  });
});
