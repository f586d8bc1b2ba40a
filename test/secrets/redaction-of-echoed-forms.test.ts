import { describe, expect, it } from 'vitest';
import { redact } from '../../src/core/redact.js';

/** Issue 16, item 8: the key echoed in a changed form (URL-encoded, another case, HTML-escaped) got through. */
const KEY = 'Summer/2024&key<Pa55>"x"';

describe('redaction of a secret an upstream echoes in a changed form', () => {
  it.each([
    ['as sent', KEY],
    ['URL-encoded', encodeURIComponent(KEY)],
    ['URL-encoded with lowercase hex', encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['upper case', KEY.toUpperCase()],
    ['lower case', KEY.toLowerCase()],
    ['HTML-escaped', KEY.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')],
  ])('%s', (_name, echoed) => {
    const out = redact(`401: Incorrect API key provided: ${echoed}. See the docs.`, [KEY]);
    expect(out).toBe('401: Incorrect API key provided: [REDACTED]. See the docs.');
  });

  it('replaces a secret containing another one whole, and leaves other text alone', () => {
    expect(redact('abcd-and-abcdefgh', ['abcd', 'abcdefgh'])).toBe('[REDACTED]-and-[REDACTED]');
    expect(redact('nothing to hide here', [KEY])).toBe('nothing to hide here');
  });
});
