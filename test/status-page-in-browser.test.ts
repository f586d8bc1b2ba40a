import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoUpstream } from '../src/cli/demo-upstream.js';
import { PACKAGE_ROOT } from '../src/core/meta.js';
import { launchChromium, type Browser, type Page } from './support/chromium.js';
import { startExporter, type TestExporter } from './support/exporter.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { waitFor } from './support/tools.js';

/**
 * The status page in a real headless Chromium (Debian's), over the DevTools protocol: the demo's
 * healthy and failing deployments, uptime bars, a live update without a reload, phone and desktop
 * widths checked in light and dark, screenshots of a phone (light) and a desktop (dark) saved
 * under test-artifacts/status-page/ (gitignored), no console error and no request anywhere but
 * the exporter.
 */
const ARTIFACTS = join(PACKAGE_ROOT, 'test-artifacts', 'status-page');
const MASTER_KEY = 'sk-demo-master-key';

let browser: Browser;
beforeAll(async () => { browser = await launchChromium(); }, 40_000);
afterAll(async () => { await browser?.close(); });

/** Every request the page made went to the exporter (or was inline data). */
function onlyTo(page: Page, origin: string): string[] {
  return page.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && u !== 'about:blank');
}

const DEPLOYMENTS = 'document.querySelectorAll("li.deployment").length';
const stateOf = (id: string) => `document.querySelector('li.deployment[data-model-id="${id}"]')?.dataset.state`;

describe('the status page on the demo config (private: the master key)', () => {
  let demo: Awaited<ReturnType<typeof startDemoUpstream>>;
  let ex: TestExporter;
  beforeAll(async () => {
    demo = await startDemoUpstream('sk-demo-upstream-key');
    // The demo's own file, with a 1 s interval so the test sees a change within seconds.
    const yaml = (await readFile(join(PACKAGE_ROOT, 'examples/demo/config.yaml'), 'utf8')).replace(/health_check_interval: \d+/, 'health_check_interval: 1');
    ex = await startExporter(yaml, { env: { DEMO_API_BASE: `${demo.url}/v1`, DEMO_API_KEY: 'sk-demo-upstream-key' }, logLevel: 'info' });
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200 || undefined, 15_000, 'the first round');
  }, 30_000);
  afterAll(async () => {
    await ex?.close();
    demo?.server.closeAllConnections();
    demo?.server.close();
  });

  it('refuses without the key: the login form instead of the page, 401 for the data; ?key= is no key', async () => {
    const page = await browser.newPage();
    await page.goto(`${ex.url}/`);
    expect(await page.evaluate('!!document.querySelector("form.login input[type=password][name=key]")')).toBe(true);
    expect(await page.evaluate('document.body.innerText')).not.toMatch(/demo-broken|demo-gpt-4o-mini/);
    expect(await page.evaluate('fetch("/status.json").then((r) => r.status)')).toBe(401);
    expect((await fetch(`${ex.url}/status.json?key=${MASTER_KEY}`)).status).toBe(401);
    expect((await fetch(`${ex.url}/status?key=${MASTER_KEY}`)).status).toBe(401);
    expect((await fetch(`${ex.url}/badge/demo-gpt/status.svg`)).status).toBe(401);
    // A wrong key: the form again, saying so, and no cookie.
    await page.navigateBy(`document.querySelector("#key").value = "sk-wrong"; document.querySelector("form.login").submit()`);
    expect(await page.evaluate('document.body.innerText')).toContain('not the master key');
    expect(await page.evaluate('fetch("/status.json").then((r) => r.status)')).toBe(401);
    expect(onlyTo(page, ex.url)).toEqual([]);
    await page.close();
  }, 30_000);

  it('after signing in: both demo deployments, their states, errors, uptime bars and sparklines; phone and desktop, light and dark', async () => {
    const page = await browser.newPage();
    await page.goto(`${ex.url}/status`);
    await page.navigateBy(`document.querySelector("#key").value = ${JSON.stringify(MASTER_KEY)}; document.querySelector("form.login").submit()`);
    // The login page's own 401 is not the page's doing; from here on, nothing may go wrong.
    page.errors.length = 0;
    await page.waitFor(`${DEPLOYMENTS} === 2`, 20_000, 'two deployments drawn');
    const cards: Array<{ model: string; state: string; error: string; bars: number[]; kinds: string[] }> = await page.evaluate(`[...document.querySelectorAll("li.deployment")].map((li) => ({
      model: li.querySelector(".model").textContent, state: li.dataset.state, error: li.querySelector(".error")?.textContent ?? "",
      bars: [...li.querySelectorAll(".bars")].map((b) => b.children.length),
      kinds: [...new Set([...li.querySelectorAll(".bars .bar")].map((b) => b.className.slice(4)))].sort() }))`);
    const byModel = Object.fromEntries(cards.map((c) => [c.model, c]));
    // Bars of the hours and days with checks (the test may straddle an hour): all green, or all red.
    expect(byModel['openai/demo-gpt-4o-mini']).toMatchObject({ state: 'healthy', error: '', bars: [24, 30], kinds: ['none', 'up'] });
    expect(byModel['openai/demo-broken']).toMatchObject({ state: 'unhealthy', bars: [24, 30], kinds: ['down', 'none'] });
    expect(byModel['openai/demo-broken']!.error).toContain('overloaded');
    await page.waitFor('document.querySelectorAll("li.deployment .spark polyline").length === 2', 10_000, 'sparklines with two points');
    expect(await page.evaluate('document.querySelector("section.group h2").textContent')).toMatch(/demo-gpt.*degraded/);

    const shots: Record<string, string> = {};
    for (const [name, width, height, mobile] of [['phone', 390, 844, true], ['desktop', 1280, 900, false]] as const) {
      await page.viewport(width, height, mobile);
      for (const scheme of ['light', 'dark'] as const) {
        await page.colorScheme(scheme);
        shots[`${name}-${scheme}`] = await page.evaluate('getComputedStyle(document.body).backgroundColor');
        // Readable on a phone: nothing wider than the screen, text at 12 px or more.
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), `${name} has no sideways scroll`).toBe(true);
        expect(await page.evaluate('Math.min(...[...document.querySelectorAll("body *")].filter((e) => e.childElementCount === 0 && e.textContent.trim()).map((e) => parseFloat(getComputedStyle(e).fontSize)))')).toBeGreaterThanOrEqual(12);
        // Two pictures (a phone in light, a desktop in dark) spare a busy CI machine two more.
        if ((name === 'phone') === (scheme === 'light')) await page.screenshot(join(ARTIFACTS, `${name}-${scheme}.png`));
      }
    }
    expect(shots['phone-light']).not.toBe(shots['phone-dark']);
    expect(shots['desktop-light']).toBe(shots['phone-light']);

    // A deployment changes state: the page follows by itself, without reloading.
    await page.evaluate('window.__noReload = 42');
    const healthyId = ex.app.deployments.find((d) => d.probeModel === 'openai/demo-gpt-4o-mini')!.id;
    demo.server.close();
    demo.server.closeAllConnections();
    await page.waitFor(`${stateOf(healthyId)} === "unhealthy"`, 20_000, 'the healthy deployment shown unhealthy');
    expect(await page.evaluate('window.__noReload')).toBe(42);
    expect(await page.evaluate('document.querySelector("section.group").className')).toBe('group down');
    // Its latest bar shows the failures (with the earlier successes, unless an hour began in between).
    expect(await page.evaluate(`document.querySelector('li.deployment[data-model-id="${healthyId}"] .bars').lastElementChild.className`)).toMatch(/^bar (partial|down)$/);

    const documents = page.requests.filter((u) => !u.endsWith('/status.json'));
    expect(documents).toEqual([`${ex.url}/status`, `${ex.url}/status/login`, `${ex.url}/status`]);
    expect(page.requests.filter((u) => u.endsWith('/status.json')).length).toBeGreaterThanOrEqual(2);
    expect(onlyTo(page, ex.url)).toEqual([]);
    expect(page.errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('the status page in public mode', () => {
  let up: FakeUpstream;
  let ex: TestExporter;
  beforeAll(async () => {
    up = await startFakeUpstream();
    ex = await startExporter(`model_list:
  - model_name: gpt
    litellm_params: { model: openai/ok, api_base: "${up.openaiBase}" }
    model_info: { id: gpt-ok }
  - model_name: broken
    litellm_params: { model: openai/server_error, api_base: "${up.openaiBase}" }
    model_info: { id: broken }
general_settings:
  master_key: sk-public-test-master
  background_health_checks: true
  health_check_interval: 300
  status_page: public
  status_page_title: Acme LLM status
`);
    await waitFor(async () => (await fetch(`${ex.url}/health/readiness`)).status === 200 || undefined, 15_000, 'the first round');
  }, 30_000);
  afterAll(async () => { await ex?.close(); await up?.close(); });

  it('shows states and uptime to anyone, and never an error text or an api_base', async () => {
    const page = await browser.newPage();
    await page.goto(`${ex.url}/`);
    await page.waitFor(`${DEPLOYMENTS} === 2`, 20_000, 'two deployments drawn');
    expect(await page.evaluate(stateOf('broken'))).toBe('unhealthy');
    expect(await page.evaluate(stateOf('gpt-ok'))).toBe('healthy');
    expect(await page.evaluate('document.title')).toBe('Acme LLM status');
    expect(await page.evaluate('!!document.querySelector("form[action=\'/status/logout\']")')).toBe(false);
    const html: string = await page.evaluate('document.documentElement.outerHTML');
    const text: string = await page.evaluate('document.body.innerText');
    const data: string = await page.evaluate('fetch("/status.json").then((r) => r.text())');
    const upstream = up.url.replace('http://', '');
    for (const leak of ['The server had an error', upstream, '/v1']) {
      expect(html, leak).not.toContain(leak);
      expect(data, leak).not.toContain(leak);
    }
    for (const field of ['api_base', '"error"', 'error_type', 'consecutive_failures']) expect(data, field).not.toContain(field);
    expect(text).not.toMatch(/while processing|failed in a row/);
    expect(JSON.parse(data).groups.map((g: any) => [g.model_name, g.state])).toEqual([['gpt', 'healthy'], ['broken', 'down']]);
    expect(onlyTo(page, ex.url)).toEqual([]);
    expect(page.errors).toEqual([]);
    await page.close();
  }, 30_000);
});
