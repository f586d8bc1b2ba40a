import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import chat from '../plugins/chat.js';
import { parseConfig } from '../src/config/load.js';
import type { Deployment } from '../src/core/deployment.js';
import { NetworkList } from '../src/core/networks.js';
import type { ProbePlugin } from '../src/core/plugin.js';
import { openai } from '../src/providers/openai.js';
import type { OperationCodec } from '../src/providers/types.js';
import { runProbe } from '../src/scheduler/runner.js';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from './support/fake-upstream.js';

/**
 * A deployment's request is built once (URL, headers, JSON body, the deny-list check) and sent
 * again while the plugin's payload stays the same (src/providers/prepared.ts, issue 18). What
 * goes on the wire must not change, and nothing stale may be sent: a changed payload, a reload
 * (new Deployment objects) or another deny list build it again.
 */
let up: FakeUpstream;
beforeAll(async () => { up = await startFakeUpstream(); });
afterAll(async () => { await up.close(); });
afterEach(() => {
  up.reset();
  vi.restoreAllMocks();
});

const chatBuild = () => vi.spyOn(openai.operations.chat as OperationCodec, 'build');
const plugins = (p: ProbePlugin = chat) => new Map([['chat', p]]);
/** A chat plugin that sends `payload()` and calls the deployment healthy. */
const sendingChat = (payload: () => Record<string, unknown>): ProbePlugin => ({
  mode: 'chat',
  async probe(_t, ctx) {
    await ctx.call('chat', payload());
    return { healthy: true };
  },
});
function deployment(key: string, base = up.openaiBase): Deployment {
  return parseConfig(`model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "${base}", api_key: ${key}, organization: org-1 }\n    model_info: { id: d1 }\n`, 'c.yaml', {}).deployments[0]!;
}
/** What the upstream saw, without what differs per connection. */
const wire = (r: RecordedRequest) => {
  const { connection: _c, ...headers } = r.headers;
  return { method: r.method, path: r.path, query: r.query, headers, body: r.rawBody.toString('utf8') };
};

describe('a probe request is built once per deployment and operation', () => {
  it('three probes of one deployment: built once, the same bytes on the wire each time', async () => {
    const build = chatBuild();
    const d = deployment('sk-once-1');
    for (let i = 0; i < 3; i++) expect((await runProbe(d, { plugins: plugins() })).healthy).toBe(true);

    expect(build).toHaveBeenCalledTimes(1);
    expect(up.requests).toHaveLength(3);
    const [first, ...rest] = up.requests.map(wire);
    for (const r of rest) expect(r).toEqual(first);
    expect(first).toMatchObject({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: 'Bearer sk-once-1', 'openai-organization': 'org-1', 'content-type': 'application/json' } });
    expect(JSON.parse(first!.body)).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 });
  });

  it('a plugin that changes the object it sent gets the new body sent, not the old one', async () => {
    const build = chatBuild();
    const payload = { messages: [{ role: 'user', content: 'first' }], max_tokens: 4 };
    const reusing: ProbePlugin = {
      mode: 'chat',
      async probe(_t, ctx) {
        await ctx.call('chat', payload);
        return { healthy: true };
      },
    };
    const d = deployment('sk-once-2');
    await runProbe(d, { plugins: plugins(reusing) });
    payload.messages[0]!.content = 'second';
    await runProbe(d, { plugins: plugins(reusing) });
    await runProbe(d, { plugins: plugins(reusing) });

    expect(up.requests.map((r) => r.body.messages[0].content)).toEqual(['first', 'second', 'second']);
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('keys in another order are another body (JSON keeps the order): built again', async () => {
    let flip = false;
    const ordered: ProbePlugin = {
      mode: 'chat',
      async probe(_t, ctx) {
        await ctx.call('chat', flip ? { max_tokens: 4, messages: [{ role: 'user', content: 'x' }] } : { messages: [{ role: 'user', content: 'x' }], max_tokens: 4 });
        return { healthy: true };
      },
    };
    const d = deployment('sk-once-3');
    await runProbe(d, { plugins: plugins(ordered) });
    flip = true;
    await runProbe(d, { plugins: plugins(ordered) });

    const bodies = up.requests.map((r) => r.rawBody.toString('utf8'));
    expect(bodies[0]).toBe('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"max_tokens":4}');
    expect(bodies[1]).toBe('{"model":"gpt-4o-mini","max_tokens":4,"messages":[{"role":"user","content":"x"}]}');
  });

  it('a payload holding more than plain JSON (a Date, whose JSON could change) is built every time', async () => {
    const build = chatBuild();
    let at = new Date('2026-01-01T00:00:00Z');
    const dated: ProbePlugin = {
      mode: 'chat',
      async probe(_t, ctx) {
        await ctx.call('chat', { messages: [{ role: 'user', content: 'x' }], metadata: { at } });
        return { healthy: true };
      },
    };
    const d = deployment('sk-once-4');
    await runProbe(d, { plugins: plugins(dated) });
    at = new Date('2026-01-02T00:00:00Z');
    await runProbe(d, { plugins: plugins(dated) });
    expect(build).toHaveBeenCalledTimes(2);
    expect(up.requests.map((r) => r.body.metadata.at)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
  });

  it('a reload (new Deployment objects for the same entry) sends the new key', async () => {
    await runProbe(deployment('sk-before-reload'), { plugins: plugins() });
    await runProbe(deployment('sk-after-reload'), { plugins: plugins() });
    expect(up.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-before-reload', 'Bearer sk-after-reload']);
  });

  it('a denied address stays denied on every probe, and another deny list is checked again', async () => {
    const d = deployment('sk-deny');
    const loopback = new NetworkList(['127.0.0.0/8']);
    for (let i = 0; i < 2; i++) {
      const r = await runProbe(d, { plugins: plugins(), denyNetworks: loopback });
      expect(r).toMatchObject({ healthy: false, errorType: 'config' });
      expect(r.error).toContain('127.0.0.1');
    }
    expect(up.requests).toHaveLength(0);
    const other = await runProbe(d, { plugins: plugins(), denyNetworks: new NetworkList(['169.254.0.0/16']) });
    expect(other.healthy).toBe(true);
    expect(up.requests).toHaveLength(1);
  });

  it('deployments sending the same body each keep their own key, and one changing its payload leaves the other as it was', async () => {
    const build = chatBuild();
    let content = 'same';
    const following = sendingChat(() => ({ messages: [{ role: 'user', content }], max_tokens: 4 }));
    const fixed = sendingChat(() => ({ messages: [{ role: 'user', content: 'same' }], max_tokens: 4 }));
    const a = deployment('sk-shared-a');
    const b = deployment('sk-shared-b');
    for (let i = 0; i < 2; i++) {
      await runProbe(a, { plugins: plugins(following) });
      await runProbe(b, { plugins: plugins(fixed) });
    }
    content = 'changed';
    await runProbe(a, { plugins: plugins(following) });
    await runProbe(b, { plugins: plugins(fixed) });

    expect(up.requests.map((r) => [r.headers.authorization, r.body.messages[0].content])).toEqual([
      ['Bearer sk-shared-a', 'same'], ['Bearer sk-shared-b', 'same'], ['Bearer sk-shared-a', 'same'], ['Bearer sk-shared-b', 'same'],
      ['Bearer sk-shared-a', 'changed'], ['Bearer sk-shared-b', 'same'],
    ]);
    // Once per deployment, then once for the changed payload.
    expect(build).toHaveBeenCalledTimes(3);
  });

  it('a payload with a key left undefined is not taken for another deployment\'s with the same body', async () => {
    const build = chatBuild();
    const withUndefined = sendingChat(() => ({ messages: [{ role: 'user', content: 'u' }], max_tokens: 4, user: undefined }));
    const without = sendingChat(() => ({ messages: [{ role: 'user', content: 'u' }], max_tokens: 4 }));
    const a = deployment('sk-undef-a');
    const b = deployment('sk-undef-b');
    for (let i = 0; i < 2; i++) {
      await runProbe(a, { plugins: plugins(withUndefined) });
      await runProbe(b, { plugins: plugins(without) });
    }
    const bodies = up.requests.map((r) => r.rawBody.toString('utf8'));
    expect(new Set(bodies)).toEqual(new Set(['{"model":"gpt-4o-mini","messages":[{"role":"user","content":"u"}],"max_tokens":4}']));
    expect(up.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-undef-a', 'Bearer sk-undef-b', 'Bearer sk-undef-a', 'Bearer sk-undef-b']);
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('two operations of one deployment are each built once and each sent to its own path', async () => {
    const listBuild = vi.spyOn(openai.operations.models_list as OperationCodec, 'build');
    const build = chatBuild();
    const both: ProbePlugin = {
      mode: 'chat',
      async probe(_t, ctx) {
        await ctx.call('chat', { messages: [{ role: 'user', content: 'x' }], max_tokens: 4 });
        await ctx.call('models_list');
        return { healthy: true };
      },
    };
    const d = deployment('sk-two-ops');
    for (let i = 0; i < 3; i++) expect((await runProbe(d, { plugins: plugins(both) })).healthy).toBe(true);
    expect(up.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array.from({ length: 3 }, () => ['POST /v1/chat/completions', 'GET /v1/models']).flat());
    expect(up.requests.every((r) => r.headers.authorization === 'Bearer sk-two-ops')).toBe(true);
    expect([build.mock.calls.length, listBuild.mock.calls.length]).toEqual([1, 1]);
  });
});
