// A small HTTP server on 127.0.0.1 through which tests inside the extension host drive the
// browser page that shows the workbench (test/vscode/util/workbench.ts is its client).
// POST /<action> with a JSON body; the answer is {ok: true, value} or {ok: false, error}.
// The web worker extension host calls it from the VS Code server's origin, so it answers CORS
// (preflight included) for loopback origins.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { slug } from './testResult';

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

export interface ControlHooks {
  /** A progress line from the test runner. */
  onLog(line: string): void;
  /** The test runner has started inside the extension host. */
  onStarted(): void;
  /** More actions, by name (the web suites' sandboxes and verdict: sandboxControl.ts, launcher.ts). */
  actions?: Record<string, ControlAction>;
}

export type Body = Record<string, unknown>;
export type ControlAction = (body: Body) => Promise<unknown>;

const DEFAULT_TIMEOUT = 10_000;
const POLL_MS = 150;

export function str(body: Body, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v === '') throw new Error(`"${key}" must be a non-empty string`);
  return v;
}

function optNumber(body: Body, key: string, fallback: number): number {
  const v = body[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}


function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** After a look that took `tookMs`, how long to wait before the next: at least POLL_MS, the page busy at most a third of the time. */
function pause(tookMs: number): Promise<void> {
  return sleep(Math.min(1000, Math.max(POLL_MS, 2 * tookMs)));
}

/** Finds the first visible match in the page or any of its frames (webviews included), polling. */
async function findVisible(page: Page, what: string, make: (f: Frame) => Locator, timeoutMs: number): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const looked = Date.now();
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const loc = make(frame).filter({ visible: true }).first();
      try {
        if ((await loc.count()) > 0) return loc;
      } catch {
        // the frame navigated while we looked; try the next one
      }
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: no visible ${what} in the workbench`);
    await pause(Date.now() - looked);
  }
}

async function visibleTexts(page: Page, selector: string): Promise<string[]> {
  const out: string[] = [];
  for (const frame of page.frames()) {
    if (frame.isDetached()) continue;
    try {
      const items = frame.locator(selector).filter({ visible: true });
      for (const t of await items.allTextContents()) out.push(t.trim());
    } catch {
      // detached meanwhile
    }
  }
  return out;
}

/** The inner frame (#active-frame) of a visible webview (iframe.webview). */
async function activeWebviewFrames(page: Page): Promise<Frame[]> {
  const found: Frame[] = [];
  for (const frame of page.frames()) {
    const parent = frame.parentFrame();
    if (!parent || frame.isDetached()) continue;
    try {
      const el = await frame.frameElement();
      if ((await el.getAttribute('id')) !== 'active-frame') continue;
      const outer = await parent.frameElement();
      if ((await outer.getAttribute('class'))?.split(/\s+/).includes('webview') && (await outer.isVisible())) found.push(frame);
    } catch {
      // detached while checking
    }
  }
  return found;
}

async function webviewFrame(page: Page, index: number, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const looked = Date.now();
    const frames = await activeWebviewFrames(page);
    if (frames.length > index) return frames[index];
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms: no visible webview #${index} (found ${frames.length})`);
    }
    await pause(Date.now() - looked);
  }
}

function webviewIndex(body: Body): number {
  const v = body.index;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
}

/** Accepts an expression or a function's source ('() => ...'), which is then called. */
function asExpression(source: string): string {
  const looksLikeFunction = /^\s*(async\s+)?(function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)/.test(source);
  return looksLikeFunction ? `(${source})()` : source;
}

function jsonSafe(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

/**
 * `pageReady` may resolve after the server starts: the extension host (and so the tests)
 * learns the server's URL from its environment before the workbench page exists.
 */
export async function startControlServer(pageReady: Promise<Page>, resultsDir: string, hooks: ControlHooks): Promise<ControlServer> {
  let page: Page | undefined;
  // Until the page exists, actions wait for it (bounded by the launcher's own timeouts).
  pageReady.then((p) => (page = p), () => undefined);
  const withPage = async (): Promise<Page> => page ?? (await pageReady);

  const textLocator = (body: Body) => {
    const text = str(body, 'text');
    const exact = body.exact === true;
    return { what: `text "${text}"`, make: (f: Frame) => f.getByText(text, { exact }) };
  };

  /**
   * A hover left open by the pointer's last position (a run's tooltip) can cover the next
   * target and takes the click: the pointer moves to the window's corner first, and the hover closes.
   */
  const clearHover = async (page: Page): Promise<void> => {
    await page.mouse.move(1, 1);
    await page.locator('.monaco-hover, .workbench-hover').first().waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => undefined);
  };

  const pageActions: Record<string, (page: Page, body: Body) => Promise<unknown>> = {
    screenshot: async (page, body) => {
      fs.mkdirSync(resultsDir, { recursive: true });
      const file = path.join(resultsDir, `${slug(str(body, 'name'))}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: optNumber(body, 'timeoutMs', 20_000) });
      return file;
    },
    press: async (page, body) => {
      for (const key of str(body, 'keys').split(/\s+/).filter(Boolean)) await page.keyboard.press(key);
      return true;
    },
    type: async (page, body) => {
      const text = body.text;
      if (typeof text !== 'string') throw new Error('"text" must be a string');
      await page.keyboard.type(text, { delay: 5 });
      return true;
    },
    click: async (page, body) => {
      const selector = str(body, 'selector');
      const timeout = optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT);
      const loc = await findVisible(page, `element "${selector}"`, (f) => f.locator(selector), timeout);
      await loc.click({ timeout });
      return true;
    },
    clickText: async (page, body) => {
      const { what, make } = textLocator(body);
      const timeout = optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT);
      await clearHover(page);
      const loc = await findVisible(page, what, make, timeout);
      await loc.click({ timeout, clickCount: body.double === true ? 2 : 1 });
      return true;
    },
    rightClickText: async (page, body) => {
      const { what, make } = textLocator(body);
      const timeout = optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT);
      await clearHover(page);
      const loc = await findVisible(page, what, make, timeout);
      await loc.click({ button: 'right', timeout });
      return true;
    },
    hoverText: async (page, body) => {
      const { what, make } = textLocator(body);
      const timeout = optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT);
      const loc = await findVisible(page, what, make, timeout);
      await loc.hover({ timeout });
      return true;
    },
    waitForText: async (page, body) => {
      const { what, make } = textLocator(body);
      await findVisible(page, what, make, optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT));
      return true;
    },
    waitForTextGone: async (page, body) => {
      const { what, make } = textLocator(body);
      const timeout = optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT);
      const deadline = Date.now() + timeout;
      for (;;) {
        const looked = Date.now();
        let visible = false;
        for (const frame of page.frames()) {
          if (!frame.isDetached() && (await make(frame).filter({ visible: true }).count().catch(() => 0)) > 0) visible = true;
        }
        if (!visible) return true;
        if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms: ${what} is still visible`);
        await pause(Date.now() - looked);
      }
    },
    isTextVisible: async (page, body) => {
      const { make } = textLocator(body);
      for (const frame of page.frames()) {
        if (!frame.isDetached() && (await make(frame).filter({ visible: true }).count().catch(() => 0)) > 0) return true;
      }
      return false;
    },
    textContent: async (page, body) => {
      const selector = str(body, 'selector');
      const loc = await findVisible(page, `element "${selector}"`, (f) => f.locator(selector), optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT));
      return (await loc.textContent()) ?? '';
    },
    texts: (page, body) => visibleTexts(page, str(body, 'selector')),
    evaluate: async (page, body) => jsonSafe(await page.evaluate(asExpression(str(body, 'expression')))),
    frameEvaluate: async (page, body) => {
      const frame = await webviewFrame(page, webviewIndex(body), optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT));
      return jsonSafe(await frame.evaluate(asExpression(str(body, 'expression'))));
    },
    // A throwaway page of the same browser showing `html`, for audits of a frame whose scripts are
    // off (VS Code's walkthrough media: timers never fire there, so axe cannot run in place).
    scratchEvaluate: async (page, body) => {
      const scratch = await page.context().newPage();
      try {
        await scratch.setViewportSize(page.viewportSize() ?? { width: 1400, height: 900 });
        await scratch.setContent(str(body, 'html'), { waitUntil: 'load', timeout: optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT) });
        if (typeof body.prelude === 'string' && body.prelude) await scratch.evaluate(asExpression(body.prelude));
        return jsonSafe(await scratch.evaluate(asExpression(str(body, 'expression'))));
      } finally {
        await scratch.close();
      }
    },
    frameText: async (page, body) => {
      const timeout = optNumber(body, 'timeoutMs', DEFAULT_TIMEOUT);
      const frame = await webviewFrame(page, webviewIndex(body), timeout);
      const selector = typeof body.selector === 'string' && body.selector ? body.selector : 'body';
      const loc = frame.locator(selector).first();
      await loc.waitFor({ state: 'attached', timeout });
      return await loc.innerText({ timeout });
    },
  };

  const actions: Record<string, (body: Body) => Promise<unknown>> = {
    started: () => {
      hooks.onStarted();
      return Promise.resolve(true);
    },
    log: (body) => {
      hooks.onLog(typeof body.line === 'string' ? body.line : '');
      return Promise.resolve(true);
    },
  };
  for (const [name, fn] of Object.entries(pageActions)) actions[name] = async (body) => fn(await withPage(), body);
  Object.assign(actions, hooks.actions);

  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').replace(/^\/+/, '').split('?')[0];
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Only loopback pages (the workbench's own origin) may call from a browser.
      const origin = req.headers.origin;
      const cors: Record<string, string> = origin && /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)
        ? { 'access-control-allow-origin': origin, vary: 'Origin' }
        : {};
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' });
        res.end();
        return;
      }
      const reply = (status: number, payload: unknown): void => {
        res.writeHead(status, { ...cors, 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const action = Object.prototype.hasOwnProperty.call(actions, name) ? actions[name] : undefined;
      if (req.method !== 'POST' || !action) {
        reply(404, { ok: false, error: `unknown action ${req.method ?? ''} /${name}` });
        return;
      }
      let body: Body = {};
      try {
        const parsed: unknown = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Body;
      } catch {
        reply(400, { ok: false, error: 'the body is not JSON' });
        return;
      }
      action(body).then(
        (value) => reply(200, { ok: true, value }),
        (e: unknown) => reply(200, { ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
