import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { DEFAULT_DENY_NETWORKS, NetworkList, isNetwork } from '../../src/core/networks.js';
import { closeWhenTestEnds, exporterForTest } from '../support/exporter.js';
import { startFakeUpstream } from '../support/fake-upstream.js';

/**
 * Issue 16: 169.254.169.254 and other metadata addresses were probed when configured. Cloud
 * metadata services answer with credentials and no LLM API lives on link-local addresses, so
 * they are denied by default; private ranges stay allowed (self-hosted models live there), and
 * general_settings.health_check_deny_networks sets the list (`[]` allows everything).
 */

const entry = (base: string, name = 'm') =>
  `  - model_name: ${name}\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "${base}", api_key: sk-x }\n    model_info: { health_check_timeout: 2 }\n`;

describe('the default deny list', () => {
  const deny = new NetworkList(DEFAULT_DENY_NETWORKS);

  it('holds metadata and link-local addresses in every spelling a URL may give them', () => {
    for (const host of ['169.254.169.254', '169.254.0.1', '[::ffff:a9fe:a9fe]', '::ffff:169.254.169.254', '[fe80::1]', 'fd00:ec2::254', '100.100.100.200']) {
      expect(deny.contains(host), host).toBe(true);
    }
  });

  it('leaves loopback, private ranges and public addresses alone', () => {
    for (const host of ['127.0.0.1', '10.0.0.5', '192.168.1.10', '172.16.0.1', '[::1]', 'fd12::1', '8.8.8.8', 'api.openai.com']) {
      expect(deny.contains(host), host).toBe(false);
    }
  });

  it('answers the same when asked again, past the number of answers it remembers', () => {
    const list = new NetworkList(DEFAULT_DENY_NETWORKS);
    // 169.254.x.y is denied, 10.x.y.z allowed: 10,000 distinct addresses, each asked twice.
    const hosts = Array.from({ length: 5_000 }, (_, i) => [`169.254.${i >> 8}.${i & 255}`, `10.0.${i >> 8}.${i & 255}`]).flat();
    for (let pass = 0; pass < 2; pass++) {
      const wrong = hosts.filter((h) => list.contains(h) !== h.startsWith('169.254.'));
      expect(wrong).toEqual([]);
    }
  });

  it('an api_base that is a metadata address is refused before any connection, as a config error', async () => {
    const hosts = ['http://169.254.169.254/latest/meta-data', 'http://[::ffff:169.254.169.254]/v1', 'http://2852039166/v1'];
    const ex = await exporterForTest(`model_list:\n${hosts.map((h, i) => entry(h, `m${i}`)).join('')}`);
    const report = await ex.app.once();
    expect(report.unhealthy_count).toBe(3);
    for (const e of report.unhealthy_endpoints) {
      expect(e.error_type).toBe('config');
      expect(String(e.error)).toContain('health_check_deny_networks');
    }
  });
});

describe('general_settings.health_check_deny_networks', () => {
  it('is applied after DNS: a host name resolving into a denied network is refused and never reached', async () => {
    const upstream = closeWhenTestEnds(await startFakeUpstream());
    const base = upstream.openaiBase.replace('127.0.0.1', 'localhost');
    const ex = await exporterForTest(`model_list:\n${entry(base)}general_settings:\n  health_check_deny_networks: ["127.0.0.0/8", "::1"]\n`);
    const report = await ex.app.once();
    expect(report.unhealthy_endpoints[0]).toMatchObject({ error_type: 'config' });
    expect(String(report.unhealthy_endpoints[0]!.error)).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    expect(upstream.requests).toHaveLength(0);
  });

  it('an empty list allows every address (the operator decides)', async () => {
    const ex = await exporterForTest(`model_list:\n${entry('http://169.254.169.254:9/v1')}general_settings:\n  health_check_deny_networks: []\n`);
    const report = await ex.app.once();
    // Attempted: it fails as the network fails (no route, refused or timeout), not as refused by us.
    expect(report.unhealthy_endpoints[0]!.error_type).not.toBe('config');
  });

  it('the default still allows loopback and private upstreams', async () => {
    const upstream = closeWhenTestEnds(await startFakeUpstream());
    const ex = await exporterForTest(`model_list:\n${entry(upstream.openaiBase)}`);
    expect((await ex.app.once()).healthy_count).toBe(1);
  });

  it('a malformed network is a config error naming the key', () => {
    expect(isNetwork('10.0.0.0/33')).toBe(false);
    expect(isNetwork('10.0.0.0/8')).toBe(true);
    let issues: readonly string[] = [];
    try {
      parseConfig('model_list: []\ngeneral_settings:\n  health_check_deny_networks: ["10.0.0.0/8", "metadata"]\n', 'c.yaml', {});
    } catch (e) { issues = (e as ConfigError).issues; }
    expect(issues).toEqual([expect.stringContaining('general_settings.health_check_deny_networks[1]')]);
  });
});
