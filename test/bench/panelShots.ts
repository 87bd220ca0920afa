// Screenshots of the panel as the bench renders it (dist/webview.js in
// Chromium, Dark Modern and Light Modern variables), to look at after a change
// to the panel: `npm run build && node esbuild.js --production && node out/test/bench/panelShots.js [nodes...]`.
// Writes test-results/panel-<nodes>-<theme>.png (the page),
// panel-<nodes>-<theme>-graph.png (the graph section) and, when the graph
// scrolls, panel-<nodes>-<theme>-graph-scrolled.png (scrolled to its far corner); a long
// task table (virtualized) as panel-<nodes>-<theme>-tasks-top.png and, after the End key
// on its first row, panel-<nodes>-<theme>-tasks-end.png.
import * as fs from 'fs';
import * as path from 'path';
import { panelMessages } from './lib/panelFixture';
import { launchChromium, openPanelPage, panelHtml } from './lib/panelPage';
import type { ThemeKind } from './lib/themeVars';

const root = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const out = path.join(root, 'test-results');
  fs.mkdirSync(out, { recursive: true });
  const browser = await launchChromium();
  try {
    for (const nodes of sizes.length ? sizes : [12, 200]) {
      const msgs = panelMessages(nodes);
      for (const theme of ['dark', 'light'] as ThemeKind[]) {
        const p = await openPanelPage(browser, panelHtml(root, theme), { width: 1200, height: 900 });
        await p.measure([msgs.snapshot]);
        // A mix of statuses: part of the way through the 10-node batches.
        for (const batch of msgs.singles.slice(0, Math.ceil(msgs.singles.length * 0.45))) await p.measure(batch);
        const second = msgs.snapshot.type === 'snapshot' ? msgs.snapshot.graph?.nodes[1]?.id : undefined;
        if (second) await p.page.click(`[data-node-id="${second}"]`);
        await p.page.waitForTimeout(200);
        const file = path.join(out, `panel-${nodes}-${theme}.png`);
        await p.page.screenshot({ path: file, fullPage: false });
        const graph = await p.page.$('.graph-section');
        if (graph) await graph.screenshot({ path: path.join(out, `panel-${nodes}-${theme}-graph.png`) });
        // Boxes get their content as they come into view: scroll to the far corner and look again.
        const scrolled = await p.page.evaluate(() => {
          const s = document.querySelector('.graph-scroll');
          if (!s || (s.scrollWidth <= s.clientWidth && s.scrollHeight <= s.clientHeight)) return false;
          s.scrollTo(s.scrollWidth, s.scrollHeight);
          return true;
        });
        if (scrolled && graph) {
          await p.page.waitForTimeout(200);
          await graph.screenshot({ path: path.join(out, `panel-${nodes}-${theme}-graph-scrolled.png`) });
        }
        // A long table scrolls in its own box: its top, then the keyboard's way to its last row.
        const tasks = await p.page.$('.tasks-scroll.long');
        if (tasks) {
          await tasks.screenshot({ path: path.join(out, `panel-${nodes}-${theme}-tasks-top.png`) });
          await p.page.focus('tr.task-row');
          await p.page.keyboard.press('End');
          await p.page.waitForTimeout(200);
          const focused = await p.page.evaluate(() => document.activeElement?.getAttribute('data-key'));
          console.log(`End: focus on ${focused}`);
          await tasks.screenshot({ path: path.join(out, `panel-${nodes}-${theme}-tasks-end.png`) });
        }
        if (p.errors.length) console.error(`page errors: ${p.errors.join(' | ')}`);
        console.log(path.relative(root, file));
        await p.page.close();
      }
    }
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
