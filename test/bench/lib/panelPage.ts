// A page that runs the production webview bundle (dist/webview.js) in
// Chromium the way VS Code hosts it: the panel's CSS and the codicon font, the
// theme's --vscode-* variables and body class, and a fake acquireVsCodeApi.
//
// How a render is timed: the page's requestAnimationFrame is wrapped before
// the bundle loads (the webview renders at most once per frame, from rAF), so
// each render callback is timed with performance.now() together with a forced
// style + layout right after it (offsetHeight). An update's figure is the
// synchronous message handling (dispatching the MessageEvents) plus the
// render(s) it caused. Paint and compositing, done by the browser after the
// frame, are not included.
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostMessage } from '../../../src/shared/protocol';
import { themeCss, type ThemeKind } from './themeVars';

export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Measured {
  handlerMs: number;
  /** The render callback itself, and the style + layout it caused. */
  scriptMs: number;
  layoutMs: number;
  renderMs: number;
  frames: number;
}

export const totalMs = (m: Measured): number => m.handlerMs + m.renderMs;

const INSTRUMENT = `
window.__bench = { raf: [], sent: [], state: undefined };
(function () {
  const origRaf = window.requestAnimationFrame.bind(window);
  window.__origRaf = origRaf;
  window.requestAnimationFrame = function (cb) {
    return origRaf(function (ts) {
      const t0 = performance.now();
      let t1 = t0;
      try { cb(ts); } finally {
        t1 = performance.now();
        void document.body.offsetHeight;
        window.__bench.raf.push({ script: t1 - t0, layout: performance.now() - t1 });
      }
    });
  };
  window.acquireVsCodeApi = function () {
    return {
      postMessage: function (m) { window.__bench.sent.push(m); },
      getState: function () { return window.__bench.state; },
      setState: function (s) { window.__bench.state = s; },
    };
  };
  window.__stage = function (msgs) { window.__staged = msgs; };
  window.__measure = async function (msgs) {
    if (msgs === undefined) { msgs = window.__staged; window.__staged = undefined; }
    const b = window.__bench;
    const start = b.raf.length;
    const t0 = performance.now();
    for (const m of msgs) window.dispatchEvent(new MessageEvent('message', { data: m }));
    const handlerMs = performance.now() - t0;
    await new Promise(function (r) { origRaf(function () { origRaf(function () { r(); }); }); });
    const frames = b.raf.slice(start);
    const script = frames.reduce(function (a, x) { return a + x.script; }, 0);
    const layout = frames.reduce(function (a, x) { return a + x.layout; }, 0);
    return { handlerMs: handlerMs, scriptMs: script, layoutMs: layout, renderMs: script + layout, frames: frames.length };
  };
})();
`;

/** The panel's stylesheets as the webview loads them, the codicon font inlined (a page from setContent has no base URL). */
function styles(root: string): string {
  const media = path.join(root, 'media');
  const codicons = path.join(media, 'codicons');
  const out: string[] = [];
  const codiconCss = path.join(codicons, 'codicon.css');
  if (fs.existsSync(codiconCss)) {
    const font = fs.readFileSync(path.join(codicons, 'codicon.ttf')).toString('base64');
    out.push(fs.readFileSync(codiconCss, 'utf8').replace(/url\(["']?\.\/codicon\.ttf[^)]*\)/, `url("data:font/ttf;base64,${font}")`));
  }
  for (const f of fs.readdirSync(media).filter((x) => x.endsWith('.css'))) out.push(fs.readFileSync(path.join(media, f), 'utf8'));
  return out.map((css) => `<style>${css}</style>`).join('\n');
}

export function panelHtml(root: string, theme: ThemeKind): string {
  const bundle = fs.readFileSync(path.join(root, 'dist', 'webview.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<style>${themeCss(theme)}</style>
${styles(root)}</head>
<body class="vscode-${theme}" data-vscode-theme-kind="vscode-${theme}"><div id="root"></div>
<script>${INSTRUMENT}</script>
<script>window.__bench.loadStart = performance.now();</script>
<script>${bundle}</script>
<script>window.__bench.loadEnd = performance.now();</script>
</body></html>`;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.FLOW_RUNS_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
}

export interface PanelPage {
  page: Page;
  loadMs: number;
  errors: string[];
  measure(msgs: HostMessage[]): Promise<Measured>;
}

/** A fresh page with the panel loaded and its "ready" posted. */
export async function openPanelPage(browser: Browser, html: string, viewport = { width: 1400, height: 900 }): Promise<PanelPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(html, { waitUntil: 'load' });
  // Fonts load when first used: load the codicon font now, so that every render measures the same text.
  await page.evaluate(() => document.fonts.load('16px codicon').then(() => document.fonts.ready).then(() => undefined));
  const ready = await page.evaluate(() => {
    const b = (window as unknown as { __bench: { sent: { type: string }[]; loadStart: number; loadEnd: number } }).__bench;
    return { ready: b.sent.some((m) => m.type === 'ready'), loadMs: b.loadEnd - b.loadStart };
  });
  if (!ready.ready) throw new Error(`the webview did not post "ready"${errors.length ? `: ${errors[0]}` : ''}`);
  return {
    page,
    loadMs: ready.loadMs,
    errors,
    measure: async (msgs) => {
      // The messages reach the page first: their transfer is the harness's cost, not the panel's.
      await page.evaluate((m) => (window as unknown as { __stage: (x: unknown[]) => void }).__stage(m), msgs as unknown[]);
      return page.evaluate(() => (window as unknown as { __measure: () => Promise<Measured> }).__measure());
    },
  };
}
