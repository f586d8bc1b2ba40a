/**
 * The one redaction function for text that came from outside (provider error bodies, socket
 * errors, URLs). Known secret values are replaced first, then anything shaped like a credential.
 */
export const REDACTED = '[REDACTED]';

const CREDENTIAL_PATTERNS: RegExp[] = [
  /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
  /([?&](?:key|api[-_]?key|token|access_token|sig|signature|code)=)[^&\s"'#]+/gi,
  /\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g,
  /\bAKIA[0-9A-Z]{12,}\b/g,
  /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi,
];

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  const known = secretPattern(secrets);
  if (known) out = out.replace(known, REDACTED);
  out = out.replace(CREDENTIAL_PATTERNS[0]!, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(CREDENTIAL_PATTERNS[1]!, (_m, prefix: string) => `${prefix}${REDACTED}`);
  out = out.replace(CREDENTIAL_PATTERNS[2]!, REDACTED);
  out = out.replace(CREDENTIAL_PATTERNS[3]!, REDACTED);
  out = out.replace(CREDENTIAL_PATTERNS[4]!, (_m, scheme: string) => `${scheme}${REDACTED}@`);
  return out;
}

/** A URL safe to show: no user info, no query, no fragment. Unparseable input is not shown. */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return REDACTED;
  }
}

const patterns = new WeakMap<readonly string[], RegExp | null>();

/**
 * Each secret as sent and as an upstream may echo it back (URL-encoded, HTML-escaped, in another
 * case), longest first so a secret that contains another is replaced whole. Compiled once per
 * secrets list: a deployment's list is frozen, and this runs on every probe (reported headers).
 */
function secretPattern(secrets: readonly string[]): RegExp | null {
  let p = patterns.get(secrets);
  if (p === undefined) {
    const forms = new Set<string>();
    for (const s of secrets) if (s.length >= 4) for (const f of echoedForms(s)) forms.add(f);
    p = forms.size ? new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'gi') : null;
    patterns.set(secrets, p);
  }
  return p;
}

function echoedForms(secret: string): string[] {
  const html = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  return [secret, encodeURIComponent(secret), html];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
