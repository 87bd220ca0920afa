// Opens the VS Code web workbench in Debian's Chromium through playwright-core.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export interface OpenedWorkbench {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenOptions {
  chromium: string;
  url: string;
  /** Browser console and page errors go here. */
  consoleLogFile: string;
  headless?: boolean;
  timeoutMs?: number;
  /**
   * Stop the workbench's CSS animations (spinning icons, progress bars, blinking cursors): under
   * test nobody watches them, and on a small machine their repaints take CPU from the tests.
   * Webviews keep theirs (they are other documents).
   */
  stillAnimations?: boolean;
}

export async function openWorkbench(opts: OpenOptions): Promise<OpenedWorkbench> {
  fs.mkdirSync(path.dirname(opts.consoleLogFile), { recursive: true });
  const consoleLog = fs.createWriteStream(opts.consoleLogFile);
  const browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: opts.headless ?? true,
    args: chromiumArgs,
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  // The web workbench keeps SecretStorage in localStorage, sealed with a key half it gets from
  // POST /mint-key. code-server's own server answers that route (a random 32 bytes kept per user
  // data folder); the bare VS Code server we start has no such route and answers 405, so secrets
  // would live in memory only, with four 405s in the console per save. Answer it as code-server
  // does, in the page: the workbench asks with fetch() from its top window. (Playwright's
  // context.route would put every request of the run through the DevTools protocol, thousands of
  // them, each a round trip between Chromium and this process.)
  const keyHalf = JSON.stringify([...randomBytes(32)]);
  await context.addInitScript(`if (window === window.top) {
    const realFetch = window.fetch.bind(window);
    window.fetch = (input, init) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href);
      if (String(init?.method ?? 'GET').toUpperCase() === 'POST' && /\\/mint-key$/.test(url.pathname)) {
        return Promise.resolve(new Response(new Uint8Array(${keyHalf}), { status: 200, headers: { 'Content-Type': 'application/octet-stream' } }));
      }
      return realFetch(input, init);
    };
  }`);
  const page = await context.newPage();
  const stamp = (): string => new Date().toISOString().slice(11, 23);
  page.on('console', (msg) => consoleLog.write(`${stamp()} [${msg.type()}] ${msg.text()}\n`));
  page.on('pageerror', (err) => consoleLog.write(`${stamp()} [pageerror] ${err.stack ?? err.message}\n`));
  page.on('crash', () => consoleLog.write(`${stamp()} [crash] the page crashed\n`));
  // The console's "Failed to load resource: 405" names no address: say which request it was
  // (the page's, its frames' and its workers', the web worker extension host's included).
  context.on('response', (res) => {
    if (res.status() >= 400) consoleLog.write(`${stamp()} [http] ${res.status()} ${res.request().method()} ${res.url()}\n`);
  });
  context.on('requestfailed', (req) => consoleLog.write(`${stamp()} [http] failed ${req.method()} ${req.url()}: ${req.failure()?.errorText ?? '?'}\n`));
  const close = async (): Promise<void> => {
    await browser.close().catch(() => undefined);
    consoleLog.end();
  };
  try {
    await page.goto(opts.url, { waitUntil: 'domcontentloaded', timeout: opts.timeoutMs ?? 60000 });
    await page.locator('.monaco-workbench').first().waitFor({ state: 'attached', timeout: opts.timeoutMs ?? 60000 });
    if (opts.stillAnimations) {
      await page.addStyleTag({ content: '*, *::before, *::after { animation: none !important; transition: none !important; }' });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { browser, page, close };
}
