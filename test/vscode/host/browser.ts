// Opens the VS Code web workbench in Debian's Chromium through playwright-core.
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
  const page = await context.newPage();
  const stamp = (): string => new Date().toISOString().slice(11, 23);
  page.on('console', (msg) => consoleLog.write(`${stamp()} [${msg.type()}] ${msg.text()}\n`));
  page.on('pageerror', (err) => consoleLog.write(`${stamp()} [pageerror] ${err.stack ?? err.message}\n`));
  page.on('crash', () => consoleLog.write(`${stamp()} [crash] the page crashed\n`));
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
