import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { demoBanner, demoUpstreamPort, onPath } from '../src/cli/demo-text.js';
import { freePort, waitFor } from './support/tools.js';

const banner = (jq: boolean) => demoBanner({ upstreamUrl: 'http://127.0.0.1:9', config: 'c.yaml', base: 'http://127.0.0.1:4000', modelIds: ['abc'], jq });

describe('npm run demo', () => {
  it('pipes every JSON command through jq when jq is on PATH, and says how otherwise', () => {
    const curls = (text: string) => text.split('\n').filter((l) => l.trim().startsWith('curl') && !l.includes('/metrics'));
    expect(curls(banner(true)).length).toBeGreaterThanOrEqual(6);
    for (const line of curls(banner(true))) expect(line).toMatch(/ \| jq$/);
    for (const line of curls(banner(false))) expect(line).not.toContain('jq');
    expect(banner(false)).toContain('jq is not installed');
    expect(banner(true)).toContain('curl -s "http://127.0.0.1:4000/health/probe?model_id=abc&debug=true" -H "Authorization: Bearer sk-demo-master-key" | jq');
  });

  it('reads DEMO_UPSTREAM_PORT (unset: any free port; not a port: refused)', () => {
    expect(demoUpstreamPort({})).toBe(0);
    expect(demoUpstreamPort({ DEMO_UPSTREAM_PORT: '' })).toBe(0);
    expect(demoUpstreamPort({ DEMO_UPSTREAM_PORT: '8081' })).toBe(8081);
    expect(demoUpstreamPort({ DEMO_UPSTREAM_PORT: 'http' })).toEqual({ error: 'DEMO_UPSTREAM_PORT: not a port number: http' });
    expect(onPath('node', { PATH: process.env.PATH })).toBe(true);
    expect(onPath('node', { PATH: '' })).toBe(false);
  });

  it('runs the upstream on DEMO_UPSTREAM_PORT and the exporter on PORT (the built demo, as npm run demo starts it)', async () => {
    const [port, upstreamPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'dist/src/cli/demo.js')], {
      env: { ...process.env, PORT: String(port), DEMO_UPSTREAM_PORT: String(upstreamPort), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => { out += String(c); });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(() => out.includes('Ctrl-C stops it.'), 20_000, 'the demo banner');
      expect(out).toContain(`simulated upstream: http://127.0.0.1:${upstreamPort} `);
      expect(out).toContain(`exporter:           http://127.0.0.1:${port} `);
      expect(out.includes('| jq')).toBe(onPath('jq'));
      // The upstream really is there: it answers unknown paths with its 404.
      expect((await fetch(`http://127.0.0.1:${upstreamPort}/nothing`)).status).toBe(404);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/readiness`)).status === 200, 20_000, 'readiness');
      const health: any = await (await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: 'Bearer sk-demo-master-key' } })).json();
      expect([health.healthy_count, health.unhealthy_count]).toEqual([1, 1]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
