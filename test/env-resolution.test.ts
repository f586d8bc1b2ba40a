import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { parseConfig, type LoadedConfig } from '../src/config/load.js';
import type { Deployment } from '../src/core/deployment.js';
import { REDACTED, redact } from '../src/core/redact.js';

function load(yaml: string, env: NodeJS.ProcessEnv): LoadedConfig {
  return parseConfig(yaml, 'config.yaml', env);
}

function only(yaml: string, env: NodeJS.ProcessEnv): Deployment {
  const { deployments } = load(yaml, env);
  expect(deployments).toHaveLength(1);
  return deployments[0]!;
}

describe('os.environ/NAME values resolve from the env given to parseConfig', () => {
  const env = {
    MY_AZURE_KEY: 'azure-key-from-env-1234',
    MY_AZURE_BASE: 'https://east.example.openai.azure.com/',
    MY_AZURE_VERSION: '2024-10-21',
    MY_SESSION: 'session-token-from-env-5678',
    MY_MODE: 'embedding',
    MY_HC_MODEL: 'azure/text-embedding-3-small',
  };
  const yaml = `
model_list:
  - model_name: emb
    litellm_params:
      model: azure/text-embedding-ada-002
      api_key: os.environ/MY_AZURE_KEY
      api_base: os.environ/MY_AZURE_BASE
      api_version: os.environ/MY_AZURE_VERSION
      extra_headers:
        X-Session-Token: os.environ/MY_SESSION
        X-Static: plain-value
    model_info:
      mode: os.environ/MY_MODE
      health_check_model: os.environ/MY_HC_MODEL
`;

  it('resolves api_key, api_base and api_version', () => {
    const d = only(yaml, env);
    expect(d.credentials.apiKey).toBe(env.MY_AZURE_KEY);
    expect(d.apiBase).toBe(env.MY_AZURE_BASE);
    expect(d.apiVersion).toBe(env.MY_AZURE_VERSION);
    expect(d.params.api_key).toBe(env.MY_AZURE_KEY);
    expect(d.configError).toBeUndefined();
  });

  it('resolves values nested in extra_headers and leaves plain values alone', () => {
    const d = only(yaml, env);
    expect(d.credentials.extraHeaders).toEqual({ 'X-Session-Token': env.MY_SESSION, 'X-Static': 'plain-value' });
  });

  it('resolves model_info values', () => {
    const d = only(yaml, env);
    expect(d.mode).toBe('embedding');
    expect(d.probeModel).toBe('azure/text-embedding-3-small');
    expect(d.providerModel).toBe('text-embedding-3-small');
  });

  it('reads only the env it is given, not process.env', () => {
    const name = 'LLM_HEALTH_TEST_ONLY_IN_PROCESS_ENV';
    process.env[name] = 'from-process-env-value';
    try {
      const d = only(`model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o, api_key: os.environ/${name} }\n`, {});
      expect(d.credentials.apiKey).toBeUndefined();
      expect(d.configError).toContain(name);
    } finally {
      delete process.env[name];
    }
  });

  it('keeps the raw entry as written, with the reference and not the secret', () => {
    const d = only(yaml, env);
    expect(d.raw.litellm_params.api_key).toBe('os.environ/MY_AZURE_KEY');
    expect(JSON.stringify(d.raw)).not.toContain(env.MY_AZURE_KEY);
  });
});

describe('a missing environment variable', () => {
  const yaml = `
model_list:
  - model_name: ok
    litellm_params: { model: openai/gpt-4o, api_key: os.environ/PRESENT_KEY }
  - model_name: broken
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: os.environ/ABSENT_KEY
  - model_name: broken-header
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: os.environ/PRESENT_KEY
      extra_headers: { X-Tenant: os.environ/ABSENT_TENANT }
`;
  const env = { PRESENT_KEY: 'present-key-value-1234' };

  it('does not throw: the deployment gets a configError naming the variable and the key path', () => {
    const config = load(yaml, env);
    expect(config.deployments.map((d) => d.modelName)).toEqual(['ok', 'broken', 'broken-header']);
    const broken = config.deployments[1]!;
    expect(broken.configError).toContain('ABSENT_KEY');
    expect(broken.configError).toContain('model_list[1].litellm_params.api_key');
    expect(broken.credentials.apiKey).toBeUndefined();
  });

  it('names the nested path of a missing extra_headers variable', () => {
    const d = load(yaml, env).deployments[2]!;
    expect(d.configError).toContain('ABSENT_TENANT');
    expect(d.configError).toContain('model_list[2].litellm_params.extra_headers.X-Tenant');
  });

  it('leaves the other deployments untouched', () => {
    const ok = load(yaml, env).deployments[0]!;
    expect(ok.configError).toBeUndefined();
    expect(ok.credentials.apiKey).toBe(env.PRESENT_KEY);
  });

  it('treats an empty variable as missing', () => {
    const d = load(yaml, { ...env, ABSENT_KEY: '' }).deployments[1]!;
    expect(d.configError).toContain('ABSENT_KEY');
  });

  it('general_settings.master_key: os.environ/MISSING refuses to start', () => {
    const text = 'general_settings:\n  master_key: os.environ/MISSING_MASTER_KEY\nmodel_list: []\n';
    let caught: unknown;
    try {
      load(text, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const issues = (caught as ConfigError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^general_settings\.master_key: /);
    expect(issues[0]).toContain('MISSING_MASTER_KEY');
  });

  it('general_settings.master_key: os.environ/SET resolves to the value', () => {
    const config = load('general_settings:\n  master_key: os.environ/MASTER\n', { MASTER: 'sk-master-from-env-99' });
    expect(config.settings.masterKey).toBe('sk-master-from-env-99');
  });
});

describe('resolved secrets are listed in deployment.secrets', () => {
  const env = {
    KEY: 'sk-proj-resolvedkey-0001',
    AUTH: 'Bearer header-bearer-token-0002',
    BASE: 'https://gw-user:gw-pass-0003@gateway.example.com/v1?key=query-key-0004&region=east',
  };
  const d = only(`
model_list:
  - model_name: gw
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/KEY
      api_base: os.environ/BASE
      extra_headers:
        Authorization: os.environ/AUTH
        X-Org-Secret: inline-header-secret-0005
`, env);

  it('the resolved api_key', () => {
    expect(d.secrets).toContain(env.KEY);
  });

  it('extra_headers values, and the token inside a Bearer header', () => {
    expect(d.secrets).toContain(env.AUTH);
    expect(d.secrets).toContain('header-bearer-token-0002');
    expect(d.secrets).toContain('inline-header-secret-0005');
  });

  it("the user, password and query values of api_base", () => {
    expect(d.secrets).toEqual(expect.arrayContaining(['gw-user', 'gw-pass-0003', 'query-key-0004']));
  });

  it('a password with a literal % in api_base is still listed', () => {
    const pct = only('model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o, api_base: "https://gw-user:pa%ss-word@h.example.com/v1?key=query-key-0006" }\n', {});
    expect(pct.secrets).toEqual(expect.arrayContaining(['gw-user', 'pa%ss-word', 'query-key-0006']));
    expect(pct.publicApiBase).toBe('https://h.example.com/v1');
  });

  it('publicApiBase drops the user info and the query', () => {
    expect(d.apiBase).toBe(env.BASE);
    expect(d.publicApiBase).toBe('https://gateway.example.com/v1');
  });

  it('redact() with the secrets removes every one of them from text', () => {
    const text = `upstream said: key ${env.KEY}, header ${env.AUTH}, url ${env.BASE}, org inline-header-secret-0005`;
    const out = redact(text, d.secrets);
    for (const s of ['resolvedkey-0001', 'header-bearer-token-0002', 'gw-pass-0003', 'query-key-0004', 'inline-header-secret-0005']) {
      expect(out).not.toContain(s);
    }
    expect(out).toContain('upstream said');
  });
});

describe('redact()', () => {
  it('replaces known secrets wherever they appear', () => {
    expect(redact('token=abc-known-secret; again abc-known-secret.', ['abc-known-secret'])).toBe(`token=${REDACTED}; again ${REDACTED}.`);
  });

  it('replaces the longest secret whole when one contains another', () => {
    expect(redact('value: secret-long-value', ['secret', 'secret-long-value'])).toBe(`value: ${REDACTED}`);
  });

  it('removes Bearer and Basic tokens, keeping the scheme', () => {
    const out = redact('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig and Basic dXNlcjpwYXNz');
    expect(out).toBe(`Authorization: Bearer ${REDACTED} and Basic ${REDACTED}`);
  });

  it('removes ?key= and similar query values from URLs', () => {
    const out = redact('GET https://generativelanguage.googleapis.com/v1/models?key=AIzaSyExampleKey123&alt=json failed; next &api_key=zzz999');
    expect(out).not.toContain('AIzaSyExampleKey123');
    expect(out).not.toContain('zzz999');
    expect(out).toContain(`?key=${REDACTED}&alt=json`);
  });

  it('removes sk- style keys', () => {
    const out = redact('Incorrect API key provided: sk-proj-AbCdEf1234567890. and sk-ant-api03-xyzxyzxyz');
    expect(out).not.toMatch(/sk-[A-Za-z0-9]/);
    expect(out).toContain('Incorrect API key provided');
  });

  it('removes user:pass@ from URLs, keeping the host', () => {
    const out = redact('connect ECONNREFUSED https://alice:s3cr3t@proxy.internal:8443/v1');
    expect(out).toBe(`connect ECONNREFUSED https://${REDACTED}@proxy.internal:8443/v1`);
  });

  it('leaves ordinary text alone', () => {
    const text = 'Rate limit reached for gpt-4o in organization on tokens per min. Please try again in 20s.';
    expect(redact(text)).toBe(text);
  });

  it('ignores known secrets shorter than 4 characters (they would shred ordinary text)', () => {
    expect(redact('a bad gateway', ['a'])).toBe('a bad gateway');
  });
});

describe('an empty key (YAML null) is a key not written, as in LiteLLM', () => {
  const env = {
    OPENAI_API_KEY: 'sk-openai-from-env-1234',
    AZURE_API_KEY: 'azure-key-from-env-5678',
    AZURE_API_BASE: 'https://east.example.openai.azure.com/',
    AZURE_API_VERSION: '2024-10-21',
  };

  it('api_key: (empty) falls back to the provider\'s variable instead of failing validation', () => {
    const d = only('model_list:\n  - model_name: gpt\n    litellm_params:\n      model: openai/gpt-4o\n      api_key:\n', env);
    expect(d.credentials.apiKey).toBe(env.OPENAI_API_KEY);
    expect(d.configError).toBeUndefined();
  });

  it('empty api_base, api_version and api_key of an Azure entry all come from the AZURE_* variables', () => {
    const d = only('model_list:\n  - model_name: a\n    litellm_params: { model: azure/gpt-4o, api_key: ~, api_base: null, api_version: }\n', env);
    expect(d).toMatchObject({ apiBase: env.AZURE_API_BASE, apiVersion: env.AZURE_API_VERSION, credentials: { apiKey: env.AZURE_API_KEY } });
  });

  it('empty model_info keys and an empty model_info take the defaults; an empty model_list is no deployment', () => {
    const d = only('model_list:\n  - model_name: e\n    litellm_params: { model: openai/text-embedding-3-small, api_key: k }\n    model_info: { mode: , health_check_timeout: ~, health_check_params: ~, disable_background_health_check: }\n', env);
    expect(d).toMatchObject({ mode: 'embedding', timeoutMs: 60_000, checkParams: {}, backgroundDisabled: false });
    expect(only('model_list:\n  - model_name: e\n    litellm_params: { model: gpt-4o, api_key: k }\n    model_info:\n', env).mode).toBe('chat');
    expect(load('model_list:\ngeneral_settings:\n  health_check_interval:\n  master_key:\n', env)).toMatchObject({ deployments: [], settings: { intervalS: 300, masterKey: undefined } });
  });

  it('an empty model is still an error: there is nothing to probe', () => {
    expect(() => load('model_list:\n  - model_name: a\n    litellm_params: { model: }\n', env)).toThrow(/model_list\[0\]\.litellm_params\.model/);
  });
});
