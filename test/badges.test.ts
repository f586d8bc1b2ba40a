import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBadge } from '../src/views/badge-svg.js';
import { formatPercent } from '../src/views/badge.js';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { run, waitFor } from './support/tools.js';

/**
 * Shields-style badges: well-formed XML (checked by libxml2's xmllint), the right words in the
 * right colour for each state, uptime over a window, cache headers, and the status page's access
 * rules (public, private, off).
 */
const GREEN = '#4c1';
const YELLOW = '#dfb317';
const RED = '#e05d44';
const BLUE = '#007ec6';
const GREY = '#9f9f9f';

async function wellFormed(svg: string): Promise<void> {
  const r = await run('xmllint', ['--noout', '-'], { input: svg });
  expect(r.stderr, svg).toBe('');
  expect(r.code).toBe(0);
}

/** The label and message as drawn (the visible <text>s), and the message box's colour. */
function read(svg: string): { texts: string[]; color: string } {
  const texts = [...svg.matchAll(/<text x="[\d.]+" y="140"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
  const color = /<rect x="\d+" width="\d+" height="20" fill="(#[0-9a-f]+)"\/>/i.exec(svg)?.[1] ?? '';
  return { texts, color };
}

describe('badges', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  const entry = (name: string, model: string, id: string, info = '') =>
    `  - model_name: ${JSON.stringify(name)}\n    litellm_params: { model: openai/${model}, api_base: "${up.openaiBase}" }\n    model_info: { id: ${id}${info} }\n`;
  beforeAll(async () => {
    up = await startFakeUpstream();
    ex = await startExporter(`model_list:
${entry('gpt', 'ok', 'g1')}${entry('gpt', 'ok-2', 'g2')}${entry('mixed', 'ok-3', 'm1')}${entry('mixed', 'server_error', 'm2')}${entry('down', 'server_error', 'd1')}${entry('openai/gpt-4o', 'ok-4', 'slash')}${entry('pending', 'ok-5', 'p1', ', disable_background_health_check: true')}${entry('maint', 'ok-6', 'w1')}${entry('a&b<c>"\'', 'ok-7', 'esc')}general_settings:
  background_health_checks: true
  health_check_interval: 300
  status_page: public
  maintenance_windows:
    - { name: upgrade, start: "2000-01-01T00:00:00Z", end: "2999-01-01T00:00:00Z", model_names: [maint] }
`);
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200 || undefined, 15_000, 'the first round');
  }, 30_000);
  afterAll(async () => { await ex?.close(); await up?.close(); });

  const badge = async (path: string, status = 200) => {
    const res = await fetch(`${ex.url}${path}`);
    expect(res.status, path).toBe(status);
    const svg = await res.text();
    await wellFormed(svg);
    return { res, svg, ...read(svg) };
  };

  it('state of a model group: healthy, degraded, down, pending, maintenance, each in its colour', async () => {
    for (const [name, message, color] of [
      ['gpt', 'healthy', GREEN], ['mixed', 'degraded', YELLOW], ['down', 'down', RED], ['pending', 'pending', GREY], ['maint', 'maintenance', BLUE],
    ] as const) {
      const b = await badge(`/badge/${name}/status.svg`);
      expect(b.texts, name).toEqual([name, message]);
      expect(b.color, name).toBe(color);
      expect(b.svg).toContain(`aria-label="${name}: ${message}"`);
    }
  });

  it('state of one deployment by model_id, and model_names with a slash written plainly or encoded', async () => {
    expect((await badge('/badge/id/m2/status.svg')).texts).toEqual(['mixed', 'unhealthy']);
    expect((await badge('/badge/id/m2/status.svg')).color).toBe(RED);
    expect((await badge('/badge/id/m1/status.svg')).texts).toEqual(['mixed', 'healthy']);
    expect((await badge('/badge/openai/gpt-4o/status.svg')).texts).toEqual(['openai/gpt-4o', 'healthy']);
    expect((await badge('/badge/openai%2Fgpt-4o/status.svg')).texts).toEqual(['openai/gpt-4o', 'healthy']);
  });

  it('uptime over 24 h (default), 7 d and 30 d, coloured by shields thresholds', async () => {
    expect(read((await badge('/badge/gpt/uptime.svg')).svg)).toEqual({ texts: ['gpt uptime 24h', '100%'], color: GREEN });
    expect((await badge('/badge/gpt/uptime.svg?window=30d')).texts).toEqual(['gpt uptime 30d', '100%']);
    expect((await badge('/badge/gpt/uptime.svg?window=7d')).texts).toEqual(['gpt uptime 7d', '100%']);
    expect(read((await badge('/badge/mixed/uptime.svg')).svg)).toEqual({ texts: ['mixed uptime 24h', '50%'], color: RED });
    expect(read((await badge('/badge/down/uptime.svg')).svg)).toEqual({ texts: ['down uptime 24h', '0%'], color: RED });
    expect(read((await badge('/badge/pending/uptime.svg')).svg)).toEqual({ texts: ['pending uptime 24h', 'no data'], color: GREY });
    expect((await fetch(`${ex.url}/badge/gpt/uptime.svg?window=1y`)).status).toBe(400);
  });

  it('escapes what the config says: a model_name full of XML specials stays well-formed', async () => {
    const b = await badge(`/badge/${encodeURIComponent('a&b<c>"\'')}/status.svg`);
    expect(b.texts).toEqual(['a&amp;b&lt;c&gt;&quot;&apos;', 'healthy']);
  });

  it('unknown names get a well-formed "not found" badge with 404', async () => {
    expect((await badge('/badge/nope/status.svg', 404)).texts).toEqual(['llm health', 'not found']);
    expect((await badge('/badge/id/nope/uptime.svg', 404)).texts).toEqual(['llm health', 'not found']);
    expect((await fetch(`${ex.url}/badge/gpt/other.svg`)).status).toBe(404);
  });

  it('sets the SVG type, a minute of caching and an ETag answered with 304', async () => {
    const { res } = await badge('/badge/gpt/status.svg');
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${ex.url}/badge/gpt/status.svg`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });
});

describe('badges follow general_settings.status_page', () => {
  const yaml = (mode: string) => `model_list:
  - model_name: gpt
    litellm_params: { model: openai/ok, api_base: "http://127.0.0.1:9/v1" }
general_settings:
  master_key: sk-badge-master
  status_page: ${mode}
`;

  it('private: the master key (header), cached privately; without it 401', async () => {
    const ex = await startExporter(yaml('private'));
    try {
      expect((await fetch(`${ex.url}/badge/gpt/status.svg`)).status).toBe(401);
      const res = await fetch(`${ex.url}/badge/gpt/status.svg`, { headers: { authorization: 'Bearer sk-badge-master' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('private, max-age=60');
      expect(read(await res.text()).texts).toEqual(['gpt', 'pending']);
    } finally {
      await ex.close();
    }
  });

  it('off: no badge, no page, no data', async () => {
    const ex = await startExporter(yaml('off'));
    try {
      for (const path of ['/badge/gpt/status.svg', '/', '/status', '/status.json']) {
        expect((await fetch(`${ex.url}${path}`, { headers: { authorization: 'Bearer sk-badge-master' } })).status, path).toBe(404);
      }
    } finally {
      await ex.close();
    }
  });
});

describe('renderBadge', () => {
  it('stays well-formed XML whatever the text: controls dropped, emoji and lone surrogates kept safe', async () => {
    const svg = renderBadge({ label: 'ctl\u0001\u001b[31m\ufffe', message: '🚀 ok \ud800 ]]> --> <!--', color: 'red; x' });
    await wellFormed(svg);
    expect(read(svg).texts).toEqual(['ctl[31m', '🚀 ok \ufffd ]]&gt; --&gt; &lt;!--']);
    expect(read(svg).color).toBe(GREY);
  });

  it('formats uptime without rounding up to 100%', () => {
    expect([1, 0.99999, 0.9995, 0.5, 0.05, 0].map(formatPercent)).toEqual(['100%', '99.99%', '99.95%', '50%', '5%', '0%']);
  });
});
