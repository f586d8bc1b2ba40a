import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { openLogger, toLogfmt } from '../src/cli/log-options.js';
import { capture } from './support/capture.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

/** --log-format json|pretty|logfmt, --log-time epoch|iso, and what an invalid --log-level does. */
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('log formats (--once on a fake upstream, logs on stderr)', () => {
  let up: FakeUpstream;
  let file: string;
  beforeAll(async () => {
    up = await startFakeUpstream();
    file = join(await mkdtemp(join(tmpdir(), 'lhe-logs-')), 'config.yaml');
    await writeFile(file, `
model_list:
  - model_name: fine
    litellm_params: { model: openai/ok, api_base: "${up.openaiBase}" }
  - model_name: broken
    litellm_params: { model: openai/server_error, api_base: "${up.openaiBase}" }
`);
  });
  afterAll(async () => { await up.close(); });

  async function logsOf(...flags: string[]): Promise<string[]> {
    const out = capture();
    const err = capture();
    expect(await main(['--once', file, ...flags], out, err)).toBe(1);
    expect(out.text()).toContain('UNHEALTHY');
    const lines = err.text().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    return lines;
  }

  it('json (the default): one JSON object a line, time in epoch ms; --log-time iso makes it ISO 8601', async () => {
    for (const line of await logsOf()) {
      const entry = JSON.parse(line);
      expect(typeof entry.time).toBe('number');
      expect(entry).toMatchObject({ service: 'llm-health-exporter' });
    }
    const iso = (await logsOf('--log-time', 'iso')).map((l) => JSON.parse(l));
    for (const entry of iso) expect(entry.time).toMatch(ISO);
    expect(iso.find((e) => e.msg === 'first verdict: unhealthy')).toMatchObject({ level: 40, model_name: 'broken', error_type: 'server_error' });
  });

  it('logfmt: key=value pairs, time (ISO by default), level as a word, msg quoted, fields flat', async () => {
    const lines = await logsOf('--log-format', 'logfmt', '--log-level', 'debug');
    for (const line of lines) expect(line).toMatch(/^time=\S+ level=(trace|debug|info|warn|error|fatal) msg=/);
    expect(lines[0]!.split(' ')[0]!.slice('time='.length)).toMatch(ISO);
    const broken = lines.find((l) => l.includes('msg="first verdict: unhealthy"'))!;
    expect(broken).toMatch(/^time=\S+ level=warn msg="first verdict: unhealthy" service=llm-health-exporter /);
    expect(broken).toContain(' model_name=broken ');
    expect(broken).toContain(' error_type=server_error ');
    expect(lines.some((l) => l.includes('level=debug'))).toBe(true);
    expect(lines.every((l) => !l.startsWith('{'))).toBe(true);
  });

  it('logfmt quotes what needs quoting and dots nested keys', () => {
    expect(toLogfmt({ time: 1, level: 30, msg: 'a "b"', n: 2, ok: true, nested: { x: 'y z' }, list: [1, 2], empty: '' }))
      .toBe('time=1 level=info msg="a \\"b\\"" n=2 ok=true nested.x="y z" list=[1,2] empty=""');
  });

  it('pretty (pino-pretty): a readable line per entry with level word and message, no colours off a terminal', async () => {
    const lines = await logsOf('--log-format', 'pretty', '--log-level', 'debug');
    const text = lines.join('\n');
    expect(text).toMatch(/WARN.*: first verdict: unhealthy/);
    expect(text).toMatch(/DEBUG.*: first verdict: healthy/);
    expect(text).toContain('model_name: "broken"');
    expect(text).not.toMatch(/\u001b\[/);
    expect(lines[0]).not.toMatch(/^\{/);
    // --log-time iso: the time in brackets as ISO 8601.
    expect((await logsOf('--log-format', 'pretty', '--log-time', 'iso'))[0]).toMatch(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\]/);
  });

  it('pretty without pino-pretty installed: JSON, and a first line that says why', async () => {
    const err = capture();
    const logger = await openLogger({ level: 'info', format: 'pretty', time: 'epoch' }, err, () => Promise.reject(new Error("Cannot find package 'pino-pretty'")));
    logger.info('after');
    const [first, second] = err.text().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(first).toMatchObject({ level: 40 });
    expect(first.msg).toContain('pino-pretty');
    expect(first.msg).toContain('logging JSON instead');
    expect(second).toMatchObject({ msg: 'after' });
  });
});

describe('invalid log options are usage errors (exit 2) naming the valid values', () => {
  it('--log-level verbose', async () => {
    const out = capture();
    const err = capture();
    expect(await main(['--once', 'no-such-config.yaml', '--log-level', 'verbose'], out, err)).toBe(2);
    expect(err.text()).toBe('--log-level: "verbose" is not one of fatal, error, warn, info, debug, trace, silent\n');
    expect(out.text()).toBe('');
  });

  it('LOG_LEVEL=verbose, --log-format xml and --log-time local', async () => {
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'verbose';
    try {
      const err = capture();
      expect(await main(['--once', 'x.yaml'], capture(), err)).toBe(2);
      expect(err.text()).toContain('LOG_LEVEL: "verbose" is not one of fatal, error, warn, info, debug, trace, silent');
      // The flag wins over the variable.
      const ok = capture();
      expect(await main(['--check-config', 'no-such-config.yaml', '--log-level', 'warn'], capture(), ok)).toBe(2);
      expect(ok.text()).not.toContain('LOG_LEVEL');
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
    const fmt = capture();
    expect(await main(['--once', 'x.yaml', '--log-format', 'xml'], capture(), fmt)).toBe(2);
    expect(fmt.text()).toContain('--log-format: "xml" is not one of json, pretty, logfmt');
    const time = capture();
    expect(await main(['--once', 'x.yaml', '--log-time', 'local'], capture(), time)).toBe(2);
    expect(time.text()).toContain('--log-time: "local" is not one of epoch, iso');
  });
});
