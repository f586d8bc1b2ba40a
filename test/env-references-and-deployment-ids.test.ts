import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { redact } from '../src/redact.js';

const one = (params: string, info = '', name = 'm') => `
model_list:
  - model_name: ${name}
    litellm_params: ${params}
${info ? `    model_info: ${info}\n` : ''}`;

describe('os.environ/ references', () => {
  it('resolve in litellm_params, nested extra_headers and model_info', () => {
    const [d] = parseConfig(one('{ model: azure/x, api_base: os.environ/BASE, api_key: os.environ/KEY, api_version: os.environ/VER, extra_headers: { X-Token: os.environ/TOK } }', '{ health_check_model: os.environ/HCM }'), 'c.yaml', {
      BASE: 'https://r.openai.azure.com', KEY: 'key-123456', VER: '2024-10-21', TOK: 'tok-654321', HCM: 'azure/y',
    }).deployments;
    expect(d).toMatchObject({ apiBase: 'https://r.openai.azure.com', apiVersion: '2024-10-21', probeModel: 'azure/y', providerModel: 'y' });
    expect(d!.credentials).toEqual({ apiKey: 'key-123456', organization: undefined, extraHeaders: { 'X-Token': 'tok-654321' } });
    expect(d!.configError).toBeUndefined();
  });

  it('an unset variable makes only that deployment unprobeable, with an error naming variable and key', () => {
    const c = parseConfig(`
model_list:
  - model_name: broken
    litellm_params: { model: gpt-4o, api_key: os.environ/NOT_SET_ANYWHERE }
  - model_name: fine
    litellm_params: { model: gpt-4o, api_key: literal-key-1 }
`, 'c.yaml', {});
    expect(c.deployments).toHaveLength(2);
    expect(c.deployments[0]!.configError).toBe('environment variable NOT_SET_ANYWHERE (referenced by model_list[0].litellm_params.api_key) is not set');
    expect(c.deployments[1]!.configError).toBeUndefined();
  });

  it('resolved secrets are known for redaction and api_base is shown without user info or query', () => {
    const [d] = parseConfig(one('{ model: gpt-4o, api_base: "https://usr1:pw-9876@gw.example.com/v1?key=qk-5555", api_key: os.environ/KEY, extra_headers: { Authorization: "Bearer hdr-4444" } }'), 'c.yaml', { KEY: 'sk-env-3333' }).deployments;
    expect(d!.secrets).toEqual(expect.arrayContaining(['sk-env-3333', 'Bearer hdr-4444', 'hdr-4444', 'usr1', 'pw-9876', 'qk-5555']));
    expect(d!.publicApiBase).toBe('https://gw.example.com/v1');
  });
});

describe('redact()', () => {
  it('removes known secrets and credential-shaped text', () => {
    const text = 'bad key sk-live-abcdefgh1234 at https://u:p@h.example/v1?key=AIzaSecret&x=1 with Bearer tok.en-123456 and my-known-secret';
    const out = redact(text, ['my-known-secret']);
    for (const leak of ['sk-live-abcdefgh1234', 'u:p@', 'AIzaSecret', 'tok.en-123456', 'my-known-secret']) expect(out).not.toContain(leak);
    expect(out).toContain('key=[REDACTED]&x=1');
    expect(out).toContain('Bearer [REDACTED]');
  });
});

describe('deployment ids', () => {
  it('use model_info.id when given (numbers become strings)', () => {
    expect(parseConfig(one('{ model: gpt-4o }', '{ id: 12 }'), 'c.yaml', {}).deployments[0]!.id).toBe('12');
  });

  it('are a stable SHA-256 of model_name and litellm_params otherwise, independent of key order', () => {
    const a = parseConfig(one('{ model: gpt-4o, api_base: "http://a/v1", api_key: k1 }'), 'c.yaml', {}).deployments[0]!.id;
    const b = parseConfig(one('{ api_key: k1, api_base: "http://a/v1", model: gpt-4o }'), 'c.yaml', {}).deployments[0]!.id;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });

  it('change with api_base, model or model_name', () => {
    const base = parseConfig(one('{ model: gpt-4o, api_base: "http://a/v1" }'), 'c.yaml', {}).deployments[0]!.id;
    const ids = [
      parseConfig(one('{ model: gpt-4o, api_base: "http://b/v1" }'), 'c.yaml', {}).deployments[0]!.id,
      parseConfig(one('{ model: gpt-4o-mini, api_base: "http://a/v1" }'), 'c.yaml', {}).deployments[0]!.id,
      parseConfig(one('{ model: gpt-4o, api_base: "http://a/v1" }', '', 'other'), 'c.yaml', {}).deployments[0]!.id,
    ];
    expect(new Set([base, ...ids]).size).toBe(4);
  });

  it('hash the env reference, not the secret behind it, so rotating a key keeps the id', () => {
    const cfg = one('{ model: gpt-4o, api_key: os.environ/KEY }');
    expect(parseConfig(cfg, 'c.yaml', { KEY: 'old-key-1' }).deployments[0]!.id).toBe(parseConfig(cfg, 'c.yaml', { KEY: 'new-key-2' }).deployments[0]!.id);
  });

  it('dedupe: entries sharing an id are probed once, with a warning naming both', () => {
    const c = parseConfig(`
model_list:
  - model_name: first
    litellm_params: { model: gpt-4o }
    model_info: { id: same }
  - model_name: second
    litellm_params: { model: gpt-4o-mini }
    model_info: { id: same }
`, 'c.yaml', {});
    expect(c.deployments.map((d) => d.modelName)).toEqual(['first']);
    expect(c.warnings).toEqual(['model_list[1] (second) has the same id as first: probed once']);
  });
});
