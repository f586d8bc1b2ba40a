import type { BadgeSpec } from './badge.js';

/**
 * A badge as shields.io draws its "flat" style: two rounded boxes, Verdana 11 px, text measured
 * with a table of Verdana's advance widths (close enough to centre it; the SVG's textLength
 * makes the renderer fit the text exactly). Text from the config is escaped, and characters
 * XML does not allow are dropped, so the SVG is always well-formed.
 */

// Advance widths of Verdana 11 px for printable ASCII (32–126), in tenths of a pixel.
const WIDTHS = [
  38, 43, 50, 90, 70, 121, 80, 30, 50, 50, 70, 90, 40, 50, 40, 50, 70, 70, 70, 70, 70, 70, 70, 70, 70, 70, // ' '..'9'
  50, 50, 90, 90, 90, 60, 110, // ':'..'@'
  75, 76, 77, 85, 70, 63, 85, 84, 47, 50, 77, 61, 94, 83, 87, 67, 87, 77, 75, 68, 81, 75, 109, 75, 68, 75, // 'A'..'Z'
  50, 50, 50, 90, 70, 70, // '['..'`'
  67, 69, 58, 69, 66, 39, 69, 70, 30, 38, 65, 30, 107, 70, 67, 69, 69, 47, 57, 43, 70, 65, 90, 65, 65, 58, // 'a'..'z'
  70, 50, 70, 90, // '{'..'~'
];

/** Width of a text in Verdana 11 px (pixels). */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    w += c >= 32 && c <= 126 ? WIDTHS[c - 32]! : 100;
  }
  return w / 10;
}

/** XML text: escaped, without the characters XML 1.0 forbids; at most 80 characters. */
export function xmlText(s: string): string {
  const clean = [...s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/gu, '').replace(/\p{Cs}/gu, '\ufffd')];
  const cut = clean.length > 80 ? `${clean.slice(0, 79).join('')}…` : clean.join('');
  return cut.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

export function renderBadge(b: BadgeSpec): string {
  const label = xmlText(b.label);
  const message = xmlText(b.message);
  const lw = Math.round(textWidth(unescape(label)) + 10);
  const mw = Math.round(textWidth(unescape(message)) + 10);
  const width = lw + mw;
  const color = /^#[0-9a-f]{3,6}$/i.test(b.color) ? b.color : '#9f9f9f';
  const text = (t: string, x: number, len: number) =>
    `<text aria-hidden="true" x="${x * 10}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${len * 10}">${t}</text>`
    + `<text x="${x * 10}" y="140" transform="scale(.1)" fill="#fff" textLength="${len * 10}">${t}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${label}: ${message}">`
    + `<title>${label}: ${message}</title>`
    + '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
    + `<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>`
    + `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><rect width="${width}" height="20" fill="url(#s)"/></g>`
    + '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">'
    + text(label, lw / 2, lw - 10) + text(message, lw + mw / 2, mw - 10)
    + '</g></svg>';
}
