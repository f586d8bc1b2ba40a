import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget } from '../../src/core/deployment.js';
import { ProbeError } from '../../src/core/errors.js';
import type { ProbeContext } from '../../src/core/plugin.js';
import {
  BUILTIN_MODE_OPERATIONS, BUILTIN_MODES, OTHER_PREFIX, PROVIDER_MODE_TABLE_END, PROVIDER_MODE_TABLE_START, capabilityMatrix, providerModeTable,
} from '../../src/registry/capabilities.js';
import { BUILTIN_PLUGINS_DIR, loadPlugins } from '../../src/registry/plugins.js';
import { genAiProviderOf, knownPrefixes, providerOfPrefix } from '../../src/registry/providers.js';
import { BUILTIN_MODES as PLUGIN_MODES } from '../support/builtin-modes.js';
import { startExporter } from '../support/exporter.js';
import { deploymentOf } from './probe-once.js';

/**
 * docs/providers.md's provider × mode table is a promise: each ✓ is a mode the provider sends,
 * each — one it refuses as `unsupported`. The table is generated from the capability matrix;
 * here the file is compared with it, the matrix's mode → operation table with what the built-in
 * plugins call, and every provider × mode pair is probed to see the matrix hold.
 */
const docs = readFileSync(new URL('../../docs/providers.md', import.meta.url), 'utf8');
const matrix = capabilityMatrix();
const rowOf = (prefix: string) => matrix.find((r) => r.prefix === prefix)!;

describe('docs/providers.md provider × mode table', () => {
  it('is exactly the table generated from the capability matrix', () => {
    const start = docs.indexOf(PROVIDER_MODE_TABLE_START);
    const end = docs.indexOf(PROVIDER_MODE_TABLE_END);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(docs.indexOf(PROVIDER_MODE_TABLE_START, start + 1)).toBe(-1);
    const table = docs.slice(start + PROVIDER_MODE_TABLE_START.length, end).trim();
    expect(table, 'regenerate: npm run docs').toBe(providerModeTable());
  });

  it('has a column per built-in mode and a row per known prefix, then any other prefix', () => {
    expect([...BUILTIN_MODES].sort()).toEqual([...PLUGIN_MODES].sort());
    expect(matrix.map((r) => r.prefix)).toEqual([...knownPrefixes(), OTHER_PREFIX]);
    expect(providerModeTable().split('\n')[0]).toBe(`| provider (\`model:\` prefix) | ${BUILTIN_MODES.join(' | ')} |`);
  });

  /** The operations a built-in plugin calls for a deployment of its mode, when each call fails with `failure`. */
  async function callsOf(mode: string, failure: ProbeError, modelInfo = `{ mode: ${mode} }`): Promise<string[]> {
    const { byMode } = await loadPlugins([BUILTIN_PLUGINS_DIR]);
    const target = probeTarget(deploymentOf('{ model: openai/some-model }', modelInfo));
    const calls: string[] = [];
    const ctx: ProbeContext = {
      signal: new AbortController().signal,
      prompt: 'ping',
      maxTokens: 16,
      call: async (op) => {
        calls.push(op);
        throw failure;
      },
    };
    await byMode.get(mode)!.probe(target, ctx).catch(() => undefined);
    return calls;
  }

  it('maps each mode to the operation its built-in plugin calls first', async () => {
    const { errors } = await loadPlugins([BUILTIN_PLUGINS_DIR]);
    expect(errors).toEqual([]);
    for (const mode of BUILTIN_MODES) {
      const calls = await callsOf(mode, new ProbeError('server_error', 'no upstream here', { status: 500 }));
      expect({ mode, calls }).toEqual({ mode, calls: [BUILTIN_MODE_OPERATIONS[mode][0]] });
    }
  });

  it('and to the others it may call: chat where there is no batch list, a video job when told to generate', async () => {
    const unsupported = new ProbeError('unsupported', 'provider "x" has no batch_list API');
    expect(await callsOf('batch', unsupported)).toEqual([...BUILTIN_MODE_OPERATIONS.batch]);
    const failed = new ProbeError('server_error', 'no upstream here', { status: 500 });
    expect(await callsOf('video_generation', failed, '{ mode: video_generation, health_check_probe: generate }')).toEqual(['video_generation']);
    expect(BUILTIN_MODE_OPERATIONS.video_generation).toEqual(['video_list', 'video_generation']);
  });
});

describe('every provider × mode pair, probed through the exporter', () => {
  // Each deployment gets its own base path (/c17/…): a request that arrives names its deployment.
  let server: Server;
  let base = '';
  const arrived = new Set<string>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      arrived.add(req.url!.split('/')[1]!);
      req.resume();
      req.on('end', () => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"test upstream"}}'));
    });
    // Realtime probes are websocket handshakes: counted, then dropped.
    server.on('upgrade', (req, socket) => {
      arrived.add(req.url!.split('/')[1]!);
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends each ✓ and refuses each — as unsupported, sending nothing', async () => {
    const models = [
      ...knownPrefixes().map((prefix) => ({ model: `${prefix}/some-model`, row: prefix })),
      { model: 'some-model', row: 'openai' },
      { model: 'some_gateway/some-model', row: OTHER_PREFIX },
    ];
    const pairs = models.flatMap(({ model, row }) => BUILTIN_MODES.map((mode) => ({ model, mode, supported: rowOf(row).modes[mode] })));
    const yaml = `model_list:\n${pairs.map((p, i) => `  - model_name: c${i}
    litellm_params: { model: "${p.model}", api_base: "${base}/c${i}", api_key: probe-key }
    model_info: { mode: ${p.mode}, health_check_timeout: 20 }`).join('\n')}\n`;
    const ex = await startExporter(yaml, { listen: false });
    try {
      const report = await ex.app.once();
      const entries = new Map([...report.healthy_endpoints, ...report.unhealthy_endpoints].map((e) => [e.model_name, e]));
      const seen = pairs.map((p, i) => ({ model: p.model, mode: p.mode, sent: arrived.has(`c${i}`), errorType: entries.get(`c${i}`)?.error_type }));
      const promised = pairs.map((p, i) => ({
        model: p.model,
        mode: p.mode,
        sent: p.supported,
        // The test upstream answers 500 to everything; a websocket it drops is a connection error.
        errorType: p.supported ? (p.mode === 'realtime' ? 'connection' : 'server_error') : 'unsupported',
      }));
      expect(seen).toEqual(promised);
      expect(entries.size).toBe(pairs.length);
    } finally {
      await ex.close();
    }
  }, 60_000);
});

describe('docs/providers.md per-provider table', () => {
  const table = docs.slice(docs.indexOf('| provider | request |')).split('\n').filter((l) => l.startsWith('| `'));
  const rows = table.map((row) => {
    const cells = row.split('|').map((c) => c.trim()).filter(Boolean);
    return { prefix: /^`([a-z_-]+)`/.exec(cells[0]!)![1]!, env: cells[4]!, genAi: /`([^`]+)`/.exec(cells.at(-1)!)?.[1] };
  });

  it('has a row for every provider', () => {
    const providers = new Set(knownPrefixes().map((p) => providerOfPrefix(p, false)!.name));
    expect(new Set(rows.map((r) => providerOfPrefix(r.prefix, false)?.name))).toEqual(providers);
  });

  it.each(rows)('$prefix: gen_ai.provider.name and environment variables as the code has them', ({ prefix, env, genAi }) => {
    expect(genAiProviderOf(deploymentOf(`{ model: ${prefix}/some-model, api_base: "http://127.0.0.1:9" }`))).toBe(genAi);
    // Every variable the provider reads, param by param, in the order they are tried.
    const expected = Object.entries(providerOfPrefix(prefix, false)!.envDefaults)
      .map(([param, vars]) => `${param}: ${vars.map((v) => `\`${v}\``).join(' or ')}`).join('; ');
    expect(env).toBe(expected || 'none');
  });

  it('the intro lists every known prefix', () => {
    const paragraph = docs.slice(docs.indexOf('Known prefixes:'), docs.indexOf('\n\n', docs.indexOf('Known prefixes:')));
    expect([...paragraph.matchAll(/`([a-z_-]+)`/g)].map((m) => m[1]).sort()).toEqual(knownPrefixes().sort());
  });
});
