import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { SESSION_TTL_S, sessionLeftS, sessionToken } from '../src/server/status-auth.js';
import { startExporter, type TestExporter } from './support/exporter.js';

/**
 * Private mode over plain HTTP: the sign-in form's cookie (what it holds, its attributes, its
 * lifetime, what it opens and what it does not), cross-site posts, and the session token itself
 * with an injected clock.
 */
const KEY = 'sk-status-master-key-1234';
const yaml = (key: string) => `model_list:
  - model_name: gpt
    litellm_params: { model: openai/ok, api_base: "http://127.0.0.1:9/v1" }
general_settings:
  master_key: ${key}
`;

describe('the status page session', () => {
  let ex: TestExporter;
  beforeAll(async () => { ex = await startExporter(yaml(KEY)); });
  afterAll(async () => { await ex.close(); });

  const login = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${ex.url}/status/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

  it('the right key gets a short-lived HttpOnly SameSite=Strict cookie that holds no key, and a redirect to the page', async () => {
    const res = await login(`key=${KEY}&next=/status`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/status');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(new RegExp(`^llm_status_session=\\d+\\.[\\w-]{43}; Path=/; Max-Age=${SESSION_TTL_S}; HttpOnly; SameSite=Strict$`));
    expect(setCookie).not.toContain(KEY);
    const cookie = { cookie: cookieOf(res) };
    expect((await fetch(`${ex.url}/status.json`, { headers: cookie })).status).toBe(200);
    expect((await fetch(`${ex.url}/`, { headers: cookie })).status).toBe(200);
    expect((await fetch(`${ex.url}/badge/gpt/status.svg`, { headers: cookie })).status).toBe(200);
    // Only the status routes: the API still wants the key itself.
    for (const path of ['/health', '/health/latest', '/model/info']) expect((await fetch(`${ex.url}${path}`, { headers: cookie })).status, path).toBe(401);
  });

  it('behind HTTPS the cookie is Secure; a wrong key gets the form again and no cookie; next= goes nowhere else', async () => {
    expect((await login(`key=${KEY}`, { 'x-forwarded-proto': 'https' })).headers.get('set-cookie')).toMatch(/; Secure$/);
    const wrong = await login('key=sk-nope');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('not the master key');
    expect((await login(`key=${KEY}&next=//evil.example`)).headers.get('location')).toBe('/');
  });

  it('refuses a cross-site post, and signing out clears the cookie', async () => {
    expect((await login(`key=${KEY}`, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await login(`key=${KEY}`, { origin: ex.url })).status).toBe(303);
    const out = await fetch(`${ex.url}/status/logout`, { method: 'POST', redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^llm_status_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict/);
  });

  it('a tampered, expired or other-key cookie opens nothing; a half-spent one is renewed', async () => {
    const now = Date.now();
    const ask = (token: string) => fetch(`${ex.url}/status.json`, { headers: { cookie: `llm_status_session=${token}` } });
    const good = sessionToken(KEY, now);
    expect((await ask(good)).status).toBe(200);
    expect((await ask(`${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`)).status).toBe(401);
    expect((await ask(sessionToken(KEY, now - (SESSION_TTL_S + 10) * 1000))).status).toBe(401);
    expect((await ask(sessionToken('sk-another-key', now))).status).toBe(401);
    expect((await ask(good)).headers.get('set-cookie')).toBeNull();
    const halfSpent = await ask(sessionToken(KEY, now - (SESSION_TTL_S * 0.75) * 1000));
    expect(halfSpent.status).toBe(200);
    expect(halfSpent.headers.get('set-cookie')).toMatch(/^llm_status_session=\d+\./);
  });

  it('a new master key ends every session', async () => {
    const token = sessionToken(KEY, Date.now());
    ex.app.applyConfig(parseConfig(yaml('sk-rotated-master-key-5678'), 'c.yaml', {}));
    try {
      expect((await fetch(`${ex.url}/status.json`, { headers: { cookie: `llm_status_session=${token}` } })).status).toBe(401);
    } finally {
      ex.app.applyConfig(parseConfig(yaml(KEY), 'c.yaml', {}));
    }
  });
});

describe('session tokens', () => {
  it('expire on time and only verify under the key that made them', () => {
    const t0 = Date.parse('2026-12-01T00:00:00Z');
    const token = sessionToken(KEY, t0);
    expect(sessionLeftS(token, KEY, t0)).toBe(SESSION_TTL_S);
    expect(sessionLeftS(token, KEY, t0 + (SESSION_TTL_S - 1) * 1000)).toBe(1);
    expect(sessionLeftS(token, KEY, t0 + SESSION_TTL_S * 1000)).toBeUndefined();
    expect(sessionLeftS(token, 'sk-other', t0)).toBeUndefined();
    // A token claiming a far expiry is refused even with a valid-looking MAC length.
    expect(sessionLeftS(sessionToken(KEY, t0, 10 * SESSION_TTL_S), KEY, t0)).toBeUndefined();
    expect(sessionLeftS('garbage', KEY, t0)).toBeUndefined();
  });
});
