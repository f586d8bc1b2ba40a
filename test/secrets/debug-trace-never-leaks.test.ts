import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { capture } from '../support/capture.js';
import { startExporter, type TestExporter } from '../support/exporter.js';
import { chatAnswer, makeCert, startFakeTlsUpstream, type FakeTlsUpstream, type TlsRequest } from '../support/fake-tls.js';

/**
 * A debug trace shows request headers, answer headers and the answer's body: everything an
 * upstream can echo. A distinct canary sits in every secret-bearing field of the config, the
 * fake upstream echoes every header and the query it got into its answer's headers, a cookie and
 * its body (as JSON and URL-encoded), on a 200 and on a 401: the trace must carry none of them,
 * over HTTP and on the CLI, while still showing the echo (redacted).
 */
const C = {
  apiKey: 'sk-CANARYapikey00001',
  header: 'CANARYheader00004',
  session: 'CANARYsession00005',
  query: 'CANARYquery00006',
  user: 'CANARYuser00007',
  pass: 'CANARYpass00008',
  master: 'sk-CANARYmaster00009',
};
const CANARY = /CANARY/i;

/** Everything the request carried, echoed back every way an upstream might. */
function echo(status: number) {
  return (req: TlsRequest) => {
    const seen = JSON.stringify({ headers: req.headers, url: req.url });
    return {
      status,
      json: status === 200 ? { ...chatAnswer(req.body?.model), echo: seen, encoded: encodeURIComponent(seen) } : { error: { message: `Incorrect API key provided: ${seen}`, type: 'invalid_request_error' } },
      headers: {
        'x-echo-authorization': String(req.headers.authorization ?? ''),
        'x-echo-url': req.url,
        'x-echo-session': String(req.headers['x-session-token'] ?? ''),
        'set-cookie': `session=${String(req.headers.authorization ?? '')}`,
        'x-ratelimit-remaining-tokens': '42',
      },
    };
  };
}

function yaml(ok: FakeTlsUpstream, refusing: FakeTlsUpstream, certFile: string) {
  const hp = (u: FakeTlsUpstream) => u.url.replace('https://', '');
  const entries = (name: string, u: FakeTlsUpstream) => `
  - model_name: ${name}-key
    litellm_params: { model: openai/gpt-4o, api_base: "${u.openaiBase}", api_key: ${C.apiKey}, ssl_certificate: ${certFile} }
    model_info: { id: ${name}-key }
  - model_name: ${name}-headers
    litellm_params:
      model: openai/gpt-4o
      api_base: "${u.openaiBase}"
      ssl_certificate: ${certFile}
      extra_headers: { Authorization: "Bearer ${C.header}", X-Session-Token: ${C.session} }
    model_info: { id: ${name}-headers }
  - model_name: ${name}-url
    litellm_params: { model: openai/gpt-4o, api_base: "https://${C.user}:${C.pass}@${hp(u)}/v1?key=${C.query}", api_key: ${C.apiKey}, ssl_certificate: ${certFile} }
    model_info: { id: ${name}-url }`;
  return `
model_list:${entries('ok', ok)}${entries('refused', refusing)}
general_settings:
  master_key: ${C.master}
  health_check_min_interval: 0
`;
}

const IDS = ['ok-key', 'ok-headers', 'ok-url', 'refused-key', 'refused-headers', 'refused-url'];

describe('a debug trace with a canary in every secret field', () => {
  let ok: FakeTlsUpstream;
  let refusing: FakeTlsUpstream;
  let ex: TestExporter;
  let file: string;
  beforeAll(async () => {
    const cert = await makeCert(5);
    ok = await startFakeTlsUpstream(cert, echo(200));
    refusing = await startFakeTlsUpstream(cert, echo(401));
    file = join(await mkdtemp(join(tmpdir(), 'lhe-trace-')), 'config.yaml');
    await writeFile(file, yaml(ok, refusing, cert.certFile));
    ex = await startExporter(yaml(ok, refusing, cert.certFile), { logLevel: 'trace' });
  });
  afterAll(async () => { await ex.close(); await ok.close(); await refusing.close(); });

  it('shows none over HTTP, though every canary reached the upstream and came back', async () => {
    const bodies: string[] = [];
    for (const id of IDS) {
      const res = await fetch(`${ex.url}/health/probe?model_id=${id}&debug=true`, { headers: { authorization: `Bearer ${C.master}` } });
      expect(res.status).toBe(200);
      bodies.push(await res.text());
    }
    // Not vacuous: the canaries went out, and each trace shows the echo, redacted.
    const sent = JSON.stringify([...ok.requests, ...refusing.requests].map((r) => [r.headers, r.url]));
    for (const c of [C.apiKey, C.header, C.session, C.query]) expect(sent).toContain(c);
    expect(sent).toContain(Buffer.from(`${C.user}:${C.pass}`).toString('base64'));
    for (const [i, text] of bodies.entries()) {
      expect({ id: IDS[i], leaked: CANARY.test(text) }).toEqual({ id: IDS[i], leaked: false });
      const call = JSON.parse(text).trace.requests[0];
      expect(call.request_headers.authorization).toBe('[REDACTED]');
      expect(call.response_headers['set-cookie']).toBe('[REDACTED]');
      expect(call.response_headers['x-echo-authorization']).toContain('[REDACTED]');
      expect(call.response_headers['x-ratelimit-remaining-tokens']).toBe('42');
      expect(call.body).toContain('[REDACTED]');
      expect(call.body.length).toBeGreaterThan(100);
    }
    const urlTrace = JSON.parse(bodies[2]!).trace.requests[0];
    expect(urlTrace.query).toBe('key=[REDACTED]');
    expect(urlTrace.url).toBe(`${ok.openaiBase}/chat/completions`);
    expect(JSON.parse(bodies[3]!).trace.requests[0]).toMatchObject({ status: 401, error: expect.stringContaining('401') });
  });

  it('logs none while tracing', () => {
    expect(ex.logs()).toContain('probe');
    expect(ex.logs()).not.toMatch(CANARY);
  });

  it('shows none on the CLI (--probe ID --debug, as text and as JSON)', async () => {
    for (const id of IDS) {
      for (const extra of [[], ['--json']]) {
        const out = capture();
        const err = capture();
        const code = await main(['--probe', id, '--debug', ...extra, file], out, err);
        expect(code).toBe(id.startsWith('ok') ? 0 : 1);
        expect(out.text()).toContain(extra.length ? '"trace"' : 'POST https://');
        expect({ id, extra, leaked: CANARY.test(out.text() + err.text()) }).toEqual({ id, extra, leaked: false });
      }
    }
  });
});
