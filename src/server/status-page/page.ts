import { createHash } from 'node:crypto';
import { STATUS_SCRIPT } from './script.js';
import { STATUS_CSS } from './style.js';

/**
 * The status page and its login form: one HTML answer each, style and script inline, nothing
 * fetched from elsewhere (works offline). The Content-Security-Policy allows exactly these
 * inline blocks (by hash) and requests to this origin, so even injected markup could load or
 * send nothing.
 */
const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

export const STATUS_CSP = [
  "default-src 'none'",
  `script-src ${sha(STATUS_SCRIPT)}`,
  `style-src ${sha(STATUS_CSS)}`,
  "connect-src 'self'",
  'img-src data:',
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers of every status HTML answer. */
export const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': STATUS_CSP,
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it, browsers send `Origin: null` on the login form's POST.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
} as const;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function shell(title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STATUS_CSS}</style>
</head>
<body>
${body}
${script ? `<script>${script}</script>` : ''}
</body>
</html>
`;
}

/** The page: a shell the script fills from /status.json. `private`: a sign-out button. */
export function statusPageHtml(title: string, signOut: boolean): string {
  return shell(title, `<header>
<h1 id="title">${escapeHtml(title)}</h1>
<p id="summary" class="summary" aria-live="polite">Loading…</p>
<p class="meta">Updated <time id="updated">–</time> · refreshes every <span id="every">–</span> s · uptime from this exporter's memory since it started</p>
<p id="banner" class="banner" role="alert" hidden></p>
</header>
<main id="groups"><noscript><p>This page needs JavaScript; the same data is at <a href="/status.json">/status.json</a>.</p></noscript></main>
<footer><span>llm-health-exporter</span>${signOut ? '<form method="post" action="/status/logout"><button type="submit">Sign out</button></form>' : ''}</footer>`, STATUS_SCRIPT);
}

/** The form that trades the master key for a session cookie (POSTed: never in a URL). */
export function loginPageHtml(title: string, next: '/' | '/status', wrongKey: boolean): string {
  return shell(title, `<main>
<form class="login" method="post" action="/status/login">
<h1>${escapeHtml(title)}</h1>
<p class="meta">This status page is private: sign in with the exporter's master key.</p>
${wrongKey ? '<p class="banner" role="alert">That key is not the master key.</p>' : ''}
<label for="key">Master key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${next}">
<button type="submit">Sign in</button>
</form>
</main>`);
}
