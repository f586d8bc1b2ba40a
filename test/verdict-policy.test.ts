import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { parseConfig } from '../src/config/load.js';
import { buildSnapshot } from '../src/config/snapshot.js';
import { inDoubt, judge, type ProbeResult, type Thresholds } from '../src/core/result.js';

const at = (healthy: boolean, prev: ProbeResult | undefined, t: Thresholds): ProbeResult => ({
  deploymentId: 'd', healthy, startedAt: 0, checkedAt: 0, latencyMs: 1, headers: {}, ...judge(prev, healthy, t),
});
/** The verdicts after each probe outcome in `outcomes` (1 = success, 0 = failure). */
function verdicts(outcomes: string, t: Thresholds): string[] {
  let prev: ProbeResult | undefined;
  return [...outcomes].map((o) => (prev = at(o === '1', prev, t)).verdict!);
}

describe('the verdict after each probe (failure and success thresholds)', () => {
  it('with LiteLLM\'s defaults (1/1) every probe is the verdict', () => {
    expect(verdicts('1010', { failureThreshold: 1, successThreshold: 1 })).toEqual(['healthy', 'unhealthy', 'healthy', 'unhealthy']);
  });

  it('one failure under the threshold changes nothing; three in a row do', () => {
    const t = { failureThreshold: 3, successThreshold: 1 };
    expect(verdicts('1011000', t)).toEqual(['healthy', 'healthy', 'healthy', 'healthy', 'healthy', 'healthy', 'unhealthy']);
  });

  it('is pending until a first verdict: a first success at once, first failures only at the threshold', () => {
    expect(verdicts('001', { failureThreshold: 3, successThreshold: 2 })).toEqual(['pending', 'pending', 'healthy']);
    expect(verdicts('000', { failureThreshold: 3, successThreshold: 2 })).toEqual(['pending', 'pending', 'unhealthy']);
  });

  it('recovers only after the success threshold', () => {
    expect(verdicts('0110111', { failureThreshold: 1, successThreshold: 3 })).toEqual(['unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy']);
  });

  it('is in doubt (confirm sooner) only while failures are under the threshold or a recovery is unconfirmed', () => {
    const t = { failureThreshold: 2, successThreshold: 2 };
    const f1 = at(false, at(true, undefined, t), t);
    expect([f1.verdict, inDoubt(f1, t)]).toEqual(['healthy', true]);
    const f2 = at(false, f1, t);
    expect([f2.verdict, inDoubt(f2, t)]).toEqual(['unhealthy', false]); // confirmed: back to the interval
    const f3 = at(false, f2, t);
    expect(inDoubt(f3, t)).toBe(false); // a dead upstream is not retried in a storm
    const s1 = at(true, f3, t);
    expect([s1.verdict, inDoubt(s1, t)]).toEqual(['unhealthy', true]);
    const s2 = at(true, s1, t);
    expect([s2.verdict, inDoubt(s2, t)]).toEqual(['healthy', false]);
  });
});

const deploymentsYaml = (info = '', general = '') => `
model_list:
  - model_name: chat
    litellm_params: { model: openai/gpt-4o }
    model_info: { id: chat }
  - model_name: image
    litellm_params: { model: openai/dall-e-3 }
    model_info: { id: image, mode: image_generation, health_check_interval: 3600${info} }
general_settings:
  background_health_checks: true
  health_check_interval: 15
${general}`;

describe('each deployment\'s policy', () => {
  it('stale only when its own schedule is overdue: its interval and timeout, not the global interval', () => {
    const s = buildSnapshot(parseConfig(deploymentsYaml(), 'c.yaml', {}), 0);
    const [chat, image] = s.deployments;
    expect(s.policy(chat!).staleAfterMs).toBe(2 * 15_000 + 60_000);
    expect(s.policy(image!).staleAfterMs).toBe(2 * 3_600_000 + 60_000);
  });

  it('in a fleet, also the lease of a replica that died mid-probe and the pull period', () => {
    const s = buildSnapshot(parseConfig(deploymentsYaml('', '  use_shared_health_check: true\n  redis_url: redis://127.0.0.1:1\n'), 'c.yaml', {}), 0);
    expect(s.policy(s.deployments[0]!).staleAfterMs).toBe(2 * 15_000 + 60_000 + 60_000 + 2000 + 5000);
  });

  it('never stale when nothing schedules it (on-demand mode, or left out of background checks)', () => {
    const od = buildSnapshot(parseConfig(deploymentsYaml().replace('background_health_checks: true', 'background_health_checks: false'), 'c.yaml', {}), 0);
    expect(od.policy(od.deployments[0]!).staleAfterMs).toBeUndefined();
    const off = buildSnapshot(parseConfig(deploymentsYaml(', disable_background_health_check: true'), 'c.yaml', {}), 0);
    expect(off.policy(off.deployments[1]!).staleAfterMs).toBeUndefined();
  });

  it('thresholds and retry interval from general_settings, overridden per deployment, the retry never above the interval', () => {
    const s = buildSnapshot(parseConfig(deploymentsYaml(', health_check_failure_threshold: 5, health_check_retry_interval: 120',
      '  health_check_failure_threshold: 2\n  health_check_success_threshold: 3\n  health_check_retry_interval: 20\n'), 'c.yaml', {}), 0);
    expect(s.policy(s.deployments[0]!)).toMatchObject({ failureThreshold: 2, successThreshold: 3, retryMs: 15_000, intervalMs: 15_000 });
    expect(s.policy(s.deployments[1]!)).toMatchObject({ failureThreshold: 5, successThreshold: 3, retryMs: 120_000, intervalMs: 3_600_000 });
  });

  it('defaults keep LiteLLM\'s behaviour: threshold 1/1, retry 30 s', () => {
    const s = buildSnapshot(parseConfig(deploymentsYaml(), 'c.yaml', {}), 0);
    expect(s.policy(s.deployments[1]!)).toMatchObject({ failureThreshold: 1, successThreshold: 1, retryMs: 30_000 });
  });
});

describe('the interval floor (every probe is a paid call)', () => {
  const issues = (yaml: string) => {
    try {
      parseConfig(yaml, 'c.yaml', {});
      return [];
    } catch (e) {
      return (e as ConfigError).issues;
    }
  };

  it('refuses a global interval between 0 and 1 s, naming the key', () => {
    const found = issues('model_list: []\ngeneral_settings: { background_health_checks: true, health_check_interval: 0.001 }\n');
    expect(found).toEqual([expect.stringMatching(/^general_settings\.health_check_interval: must be at least 1 second/)]);
  });

  it('refuses a non-finite interval and a per-deployment interval under 1 s', () => {
    expect(issues('model_list: []\ngeneral_settings: { health_check_interval: .inf }\n')).toEqual([expect.stringMatching(/^general_settings\.health_check_interval: /)]);
    expect(issues('model_list:\n  - model_name: m\n    litellm_params: { model: openai/x }\n    model_info: { health_check_interval: 0.5 }\n'))
      .toEqual([expect.stringMatching(/^model_list\[0\]\.model_info\.health_check_interval: must be at least 1 second/)]);
  });

  it('still accepts 0 or less (LiteLLM: background checks off) and 1 s', () => {
    expect(issues('model_list: []\ngeneral_settings: { health_check_interval: 0 }\n')).toEqual([]);
    expect(issues('model_list: []\ngeneral_settings: { health_check_interval: 1 }\n')).toEqual([]);
  });
});
