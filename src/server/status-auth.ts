import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Views } from '../views/index.js';
import { keyMatches, presentedKey } from './auth.js';

/**
 * Who may see the status page, its JSON and the badges. `public`: anyone (allow-listed fields).
 * `private`: the master key, sent in the Authorization header (never `?key=`: URLs end up in
 * logs and browser history), or a session cookie the login form sets after the key is POSTed.
 * Without a master key, private is open, as every other endpoint is.
 *
 * The cookie carries no key: `<expiry>.<HMAC-SHA256 of the expiry under the master key>`. It is
 * HttpOnly, SameSite=Strict and short-lived (renewed while the page is in use); changing the
 * master key ends every session, and replicas sharing the key accept each other's cookies.
 */
export const SESSION_COOKIE = 'llm_status_session';
export const SESSION_TTL_S = 3600;

const mac = (masterKey: string, expiresS: number) =>
  createHmac('sha256', masterKey).update(`llm-health-exporter status session v1|${expiresS}`).digest('base64url');

export function sessionToken(masterKey: string, nowMs: number, ttlS = SESSION_TTL_S): string {
  const expiresS = Math.floor(nowMs / 1000) + ttlS;
  return `${expiresS}.${mac(masterKey, expiresS)}`;
}

/** Seconds the session has left, or undefined when the token is not a valid, unexpired one. */
export function sessionLeftS(token: string, masterKey: string, nowMs: number, ttlS = SESSION_TTL_S): number | undefined {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return undefined;
  const expiresS = Number(m[1]);
  const left = expiresS - nowMs / 1000;
  if (left <= 0 || left > ttlS + 60) return undefined;
  const given = Buffer.from(m[2]!);
  const expected = Buffer.from(mac(masterKey, expiresS));
  return given.length === expected.length && timingSafeEqual(given, expected) ? left : undefined;
}

export function cookieValue(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for a session (maxAgeS 0: ends it). Secure when the request came over HTTPS. */
export function sessionCookie(req: FastifyRequest, value: string, maxAgeS: number): string {
  const https = req.protocol === 'https' || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${https ? '; Secure' : ''}`;
}

export type StatusAccess = { kind: 'off' } | { kind: 'refused' } | { kind: 'granted'; mode: 'public' | 'private' };

/** Whether this request may see the status page, and in which mode; renews a half-spent session. */
export function statusAccess(views: Views, req: FastifyRequest, reply: FastifyReply, now = Date.now()): StatusAccess {
  const mode = views.statusMode();
  if (mode === 'off') return { kind: 'off' };
  if (mode === 'public') return { kind: 'granted', mode };
  const key = views.masterKey();
  if (key === undefined) return { kind: 'granted', mode };
  if (req.headers.authorization !== undefined || req.headers['x-litellm-api-key'] !== undefined) {
    return keyMatches(presentedKey(req), key) ? { kind: 'granted', mode } : { kind: 'refused' };
  }
  const token = cookieValue(req, SESSION_COOKIE);
  const left = token === undefined ? undefined : sessionLeftS(token, key, now);
  if (left === undefined) return { kind: 'refused' };
  if (left < SESSION_TTL_S / 2) void reply.header('set-cookie', sessionCookie(req, sessionToken(key, now), SESSION_TTL_S));
  return { kind: 'granted', mode };
}

/** A POST from another site (login CSRF, logout): refused when the Origin names another host. */
export function crossSite(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return origin === 'null';
  try { return new URL(origin).host !== req.headers.host; } catch { return true; }
}
