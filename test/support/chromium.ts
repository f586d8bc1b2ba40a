import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';

/**
 * Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket and JSON: no
 * browser download, no extra package). scripts/ensure-test-tools.sh installs it when missing.
 * Every page records the URL of each request it makes and each console error, exception and
 * browser log error, so tests can say "nothing left the machine" and "no console errors".
 */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--disable-extensions', '--mute-audio',
  '--no-default-browser-check', '--disable-default-apps', '--hide-scrollbars', '--font-render-hinting=none',
  // A safety net under the assertion on recorded requests: no name but loopback resolves.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
  '--remote-debugging-port=0',
];

type Message = { id?: number; method?: string; params?: any; result?: any; error?: { message: string }; sessionId?: string };

export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface Page {
  /** Every URL requested (documents, fetches, images …), in order. */
  readonly requests: string[];
  /** Console errors, uncaught exceptions and browser log errors (failed loads, CSP refusals). */
  readonly errors: string[];
  send(method: string, params?: Record<string, unknown>): Promise<any>;
  goto(url: string): Promise<void>;
  /** Runs `expression` in the page; resolves with its (JSON) value. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy. */
  waitFor<T = unknown>(expression: string, timeoutMs?: number, what?: string): Promise<T>;
  /** Clicks/submits through `action` and waits for the navigation it causes to load. */
  navigateBy(action: string): Promise<void>;
  viewport(width: number, height: number, mobile: boolean): Promise<void>;
  colorScheme(scheme: 'light' | 'dark'): Promise<void>;
  /** A PNG of the whole page, written to `file`. */
  screenshot(file: string): Promise<void>;
  /** Closes the tab (its timers and fetches stop). */
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start within 30 s: ${err.slice(-500)}`)), 30_000);
    child.once('error', (e) => { clearTimeout(timer); reject(new Error(`${CHROMIUM} not runnable (${e.message}): scripts/ensure-test-tools.sh installs Debian's chromium`)); });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += String(chunk);
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
  });
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; method: string }>();
  const listeners = new Set<(m: Message) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Message;
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.reject(new Error(`${p.method}: ${m.error.message}`));
      else p?.resolve(m.result);
    } else {
      for (const l of listeners) l(m);
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, method });
    ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
  });

  return {
    async newPage() {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      return openPage(sessionId, send, listeners, () => send('Target.closeTarget', { targetId }).then(() => undefined));
    },
    async close() {
      await Promise.race([send('Browser.close').catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
      ws.close();
      await stop(child);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
  await exited;
  clearTimeout(timer);
}

async function openPage(sessionId: string, sendAny: (m: string, p?: Record<string, unknown>, s?: string) => Promise<any>, listeners: Set<(m: Message) => void>, close: () => Promise<void>): Promise<Page> {
  const send = (method: string, params: Record<string, unknown> = {}) => sendAny(method, params, sessionId);
  const requests: string[] = [];
  const errors: string[] = [];
  const loads: Array<() => void> = [];
  listeners.add((m) => {
    if (m.sessionId !== sessionId) return;
    const p = m.params;
    if (m.method === 'Network.requestWillBeSent') requests.push(p.request.url);
    else if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) errors.push(`console.${p.type}: ${p.args.map((a: any) => a.value ?? a.description).join(' ')}`);
    else if (m.method === 'Runtime.exceptionThrown') errors.push(`exception: ${p.exceptionDetails.exception?.description ?? p.exceptionDetails.text}`);
    else if (m.method === 'Log.entryAdded' && p.entry.level === 'error') errors.push(`log: ${p.entry.text} ${p.entry.url ?? ''}`.trim());
    else if (m.method === 'Page.loadEventFired') for (const l of loads.splice(0)) l();
  });
  for (const domain of ['Page', 'Runtime', 'Log', 'Network']) await send(`${domain}.enable`);
  const loaded = (timeoutMs = 20_000) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('page did not load')), timeoutMs);
    loads.push(() => { clearTimeout(timer); resolve(); });
  });
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  };
  return {
    requests,
    errors,
    close,
    send,
    evaluate,
    async goto(url) {
      const done = loaded();
      const r = await send('Page.navigate', { url });
      if (r.errorText) throw new Error(`navigation to ${url} failed: ${r.errorText}`);
      await done;
    },
    async navigateBy(action) {
      const done = loaded();
      await evaluate(action);
      await done;
    },
    async waitFor<T>(expression: string, timeoutMs = 20_000, what = expression) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = await evaluate<T>(expression).catch(() => undefined);
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting in the page for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async viewport(width, height, mobile) {
      await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: mobile ? 2 : 1, mobile });
    },
    async colorScheme(scheme) {
      await send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: scheme }] });
    },
    async screenshot(file) {
      const { cssContentSize } = await send('Page.getLayoutMetrics');
      const { data } = await send('Page.captureScreenshot', {
        format: 'png', captureBeyondViewport: true,
        clip: { x: 0, y: 0, width: Math.ceil(cssContentSize.width), height: Math.ceil(cssContentSize.height), scale: 1 },
      });
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, Buffer.from(data, 'base64'));
    },
  };
}
