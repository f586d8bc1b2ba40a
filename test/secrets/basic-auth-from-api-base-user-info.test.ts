import { describe, expect, it } from 'vitest';
import { closeWhenTestEnds, exporterForTest, type TestExporter } from '../support/exporter.js';
import { startFakeUpstream } from '../support/fake-upstream.js';

/**
 * Issue 16, item 13: `api_base: https://user:pass@gateway/v1` (how LiteLLM users reach
 * self-hosted gateways behind Basic auth) was silently dropped. It is sent as Basic auth, as
 * LiteLLM's HTTP client does, and shown nowhere, in any of its forms.
 */
const USER = 'gw-user';
const PASSWORD = 'p@ss-w0rd-7731';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const FORMS = [PASSWORD, encodeURIComponent(PASSWORD), BASIC, `${USER}:`];

function config(base: string): string {
  const withUser = base.replace('http://', `http://${USER}:${encodeURIComponent(PASSWORD)}@`);
  return `model_list:\n  - model_name: gateway\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "${withUser}", api_key: sk-bearer-ignored-0001 }\n`;
}

async function outputs(e: TestExporter): Promise<string> {
  const bodies = await Promise.all(['/health', '/health/latest', '/health/history', '/model/info', '/metrics'].map(async (p) => (await fetch(`${e.url}${p}`)).text()));
  return [...bodies, e.logs()].join('\n');
}

describe('api_base user info', () => {
  it('is sent as Basic auth, not in the URL, and replaces the bearer header (as httpx does)', async () => {
    const upstream = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(config(upstream.openaiBase));
    const report = await ex.app.once();
    expect(report.healthy_count).toBe(1);
    const [req] = upstream.requests;
    expect(req!.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(req!.path).toBe('/v1/chat/completions');
    const shown = await outputs(ex);
    expect(shown).toContain('127.0.0.1');
    for (const form of FORMS) expect(shown).not.toContain(form);
  });

  it('is not shown when the gateway refuses it and echoes the header back', async () => {
    const upstream = closeWhenTestEnds(await startFakeUpstream({ apiKey: 'sk-the-gateway-wants-this' }));
    const ex = await exporterForTest(config(upstream.openaiBase));
    const report = await ex.app.once();
    expect(report.unhealthy_count).toBe(1);
    // The gateway's 401 quotes what it got: "Incorrect API key provided: Basic <base64>".
    expect(JSON.stringify(report)).toContain('Incorrect API key provided');
    const shown = `${JSON.stringify(report)}\n${await outputs(ex)}`;
    for (const form of FORMS) expect(shown).not.toContain(form);
  });

  it('gives way to an Authorization header written in extra_headers (the more explicit wish)', async () => {
    const upstream = closeWhenTestEnds(await startFakeUpstream());
    const yaml = config(upstream.openaiBase).replace('api_key: sk-bearer-ignored-0001 }', 'extra_headers: { Authorization: "Bearer sk-explicit-0002" } }');
    const ex = await exporterForTest(yaml);
    await ex.app.once();
    expect(upstream.requests[0]!.headers.authorization).toBe('Bearer sk-explicit-0002');
  });
});
