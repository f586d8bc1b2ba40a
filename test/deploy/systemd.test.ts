import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { PACKAGE_ROOT } from '../../src/core/meta.js';
import { run } from '../support/tools.js';

/**
 * deploy/systemd/llm-health-exporter.service, checked by systemd's own tools. No systemd runs as
 * PID 1 in this sandbox, so the unit is verified and scored (systemd-analyze verify and
 * security --offline), not started: that its sandbox lets node run is not shown here.
 */
const UNIT = join(PACKAGE_ROOT, 'deploy/systemd/llm-health-exporter.service');
let text: string;
let tmp: string;
let unitCopy: string;

/** The unit's settings, `Key` → every value it is given (in order). */
function settings(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}
const execStart = () => settings(text).get('ExecStart')![0]!.split(/\s+/);

beforeAll(async () => {
  text = await readFile(UNIT, 'utf8');
  tmp = await mkdtemp(join(tmpdir(), 'lhe-systemd-'));
  // verify checks that ExecStart's binary exists: the installed binary's stand-in runs this build.
  const bin = join(tmp, basename(execStart()[0]!));
  await writeFile(bin, `#!/bin/sh\nexec ${process.execPath} ${join(PACKAGE_ROOT, 'dist/src/cli/main.js')} "$@"\n`);
  await chmod(bin, 0o755);
  unitCopy = join(tmp, basename(UNIT));
  await writeFile(unitCopy, text.replace(execStart()[0]!, bin));
});
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

describe('deploy/systemd/llm-health-exporter.service', () => {
  it('runs the package binary installed by npm install --global', async () => {
    const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(execStart()[0]).toBe('/usr/local/bin/llm-health-exporter');
    expect(Object.keys(pkg.bin)).toContain(basename(execStart()[0]!));
  });

  it('passes systemd-analyze verify with no warning', async () => {
    const r = await run('systemd-analyze', ['verify', unitCopy]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('scores OK in systemd-analyze security (exposure at most 2.0 of 10)', async () => {
    const r = await run('systemd-analyze', ['security', '--offline=yes', '--no-pager', unitCopy]);
    const m = /Overall exposure level for [^:]+: (\d+\.\d+) (\w+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2);
    expect(m![2]).toBe('OK');
  });

  it('is hardened, and leaves V8 its JIT', () => {
    const s = settings(text);
    for (const [k, v] of Object.entries({ DynamicUser: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', NoNewPrivileges: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes', CapabilityBoundingSet: '' })) {
      expect(s.get(k), k).toEqual([v]);
    }
    expect(s.get('MemoryDenyWriteExecute')).toBeUndefined();
    expect(s.get('RestrictAddressFamilies')![0]!.split(' ').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
  });

  it('stops with SIGTERM and time to finish, reloads with SIGHUP, both handled by the CLI', async () => {
    const s = settings(text);
    expect(s.get('KillSignal')).toEqual(['SIGTERM']);
    expect(Number.parseInt(s.get('TimeoutStopSec')![0]!, 10)).toBeGreaterThan(10); // the CLI gives up waiting after 10 s
    expect(s.get('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    const cli = await readFile(join(PACKAGE_ROOT, 'src/cli/main.ts'), 'utf8');
    expect(cli).toContain("process.on('SIGHUP', reload)");
    expect(cli).toContain("process.once('SIGTERM'");
  });

  it("takes keys from an EnvironmentFile, and ExecStart's arguments load a config that references them", async () => {
    const s = settings(text);
    expect(s.get('EnvironmentFile')).toEqual(['-/etc/llm-health-exporter/env']);
    const args = execStart().slice(1);
    const configPath = args[args.indexOf('--config') + 1]!;
    expect(configPath).toBe('/etc/llm-health-exporter/config.yaml');
    // The demo config (keys from the environment) at the unit's path, and the unit's arguments.
    const config = join(tmp, 'config.yaml');
    await writeFile(config, await readFile(join(PACKAGE_ROOT, 'examples/demo/config.yaml')));
    let out = '';
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => { out += String(c); });
    const saved = { base: process.env.DEMO_API_BASE, key: process.env.DEMO_API_KEY };
    process.env.DEMO_API_BASE = 'http://127.0.0.1:9/v1';
    process.env.DEMO_API_KEY = 'sk-from-the-environment-file';
    try {
      expect(await main([...args.map((a) => (a === configPath ? config : a)), '--check-config'], sink, sink)).toBe(0);
    } finally {
      if (saved.base === undefined) delete process.env.DEMO_API_BASE; else process.env.DEMO_API_BASE = saved.base;
      if (saved.key === undefined) delete process.env.DEMO_API_KEY; else process.env.DEMO_API_KEY = saved.key;
    }
    expect(out).toContain('config ok: 2 deployment(s)');
    expect(out).not.toContain('warning');
  });
});
