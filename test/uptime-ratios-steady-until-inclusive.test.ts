import { describe, expect, it } from 'vitest';
import { steadyRatiosUntil, uptimeBetween, type UptimeSegment } from '../src/store/uptime-runs.js';

/** /metrics keeps a deployment's uptime lines until the ratios move (telemetry/deployment-text.ts): that edge must be exact. */
describe('steadyRatiosUntil', () => {
  const H = 3_600_000;
  const ratio = (segs: UptimeSegment[], now: number, length: number) => {
    const f = uptimeBetween(segs, now - length, now);
    const known = f.healthyMs + f.unhealthyMs;
    return known ? f.healthyMs / known : null;
  };

  it('is the last millisecond at which every window still shows what it shows now (the next one differs)', () => {
    const segs: UptimeSegment[] = [{ start: 0, lastAt: 10 * 60_000, until: 11 * 60_000, healthy: true, probes: 11 }];
    const now = 20 * 60_000;
    const until = steadyRatiosUntil(segs, now, [H]);
    expect(ratio(segs, now, H)).toBe(1);
    expect(ratio(segs, until, H)).toBe(1);
    expect(ratio(segs, until + 1, H)).toBeNull();
  });

  it('is -Infinity while an unhealthy run makes the ratio move with the clock', () => {
    const segs: UptimeSegment[] = [{ start: 0, lastAt: 60_000, until: 120_000, healthy: false, probes: 2 }];
    expect(steadyRatiosUntil(segs, 30 * 60_000, [H])).toBe(-Infinity);
  });
});
