// Panel at scale: the production webview bundle (dist/webview.js) in Chromium
// (see panelPage.ts for how a render is timed), fed the messages the panel
// host would send (panelFixture.ts). The judged rows use a 200-node flow; the
// growth rows repeat first paint and an all-node update at 12, 200 and 1,000
// nodes.
import type { Browser } from 'playwright-core';
import { errorText, fmt, info, judged, median, missing, type Row } from './report';
import { CHANGES_PER_NODE, panelMessages } from './panelFixture';
import { launchChromium, openPanelPage, panelHtml, totalMs, type Measured } from './panelPage';
import * as fs from 'fs';
import * as path from 'path';

const S = 'Panel';
const NODES = 200;
/** First paint is measured on this many fresh pages (one cold paint each). */
const FIRST_PAINTS = 5;
const GROWTH_NODES = [12, 200, 1_000];
const GROWTH_PAINTS = 3;

const method = 'message handling + rAF render + forced style/layout, timed in the page (paint/composite excluded)';
const split = (ms: Measured[]): string =>
  `script ${fmt(median(ms.map((m) => m.handlerMs + m.scriptMs)))} ms + style/layout ${fmt(median(ms.map((m) => m.layoutMs)))} ms (medians)`;

/** First paint of the snapshot on `count` fresh pages; the graph elements drawn on the last. */
async function firstPaints(browser: Browser, html: string, nodes: number, count: number): Promise<{ paints: Measured[]; drawn: number; loadMs: number[]; errors: string[] }> {
  const { snapshot } = panelMessages(nodes);
  const paints: Measured[] = [];
  const loadMs: number[] = [];
  const errors: string[] = [];
  let drawn = 0;
  for (let i = 0; i < count; i++) {
    const p = await openPanelPage(browser, html);
    loadMs.push(p.loadMs);
    paints.push(await p.measure([snapshot]));
    drawn = await p.page.evaluate(() => document.querySelectorAll('#root [data-node-id]').length);
    errors.push(...p.errors);
    await p.page.close();
  }
  return { paints, drawn, loadMs, errors };
}

/** After the snapshot: every node changing at once (CHANGES_PER_NODE rounds), then (optionally) 10 nodes per batch. */
async function updates(browser: Browser, html: string, nodes: number, singles: boolean): Promise<{ rounds: Measured[]; small: Measured[]; errors: string[] }> {
  const msgs = panelMessages(nodes);
  const p = await openPanelPage(browser, html);
  await p.measure([msgs.snapshot]);
  const rounds: Measured[] = [];
  for (const batch of msgs.rounds) rounds.push(await p.measure(batch));
  const small: Measured[] = [];
  if (singles) {
    // The small batches start again from the snapshot's state.
    await p.measure([msgs.snapshot]);
    for (const batch of msgs.singles) small.push(await p.measure(batch));
  }
  await p.page.close();
  return { rounds, small, errors: p.errors };
}

export async function panelRows(root: string, log: (line: string) => void): Promise<Row[]> {
  if (!fs.existsSync(path.join(root, 'dist', 'webview.js'))) {
    return [missing(S, 'first paint (200 nodes)', 'dist/webview.js was not built', '<= 50 ms'), missing(S, 'per batched update', 'dist/webview.js was not built', '<= 16 ms')];
  }
  let browser: Browser | undefined;
  try {
    const html = panelHtml(root, 'dark');
    browser = await launchChromium();
    // Warm-up (Chromium's caches, the page's compile cache), not counted.
    await firstPaints(browser, html, NODES, 1);

    const first = await firstPaints(browser, html, NODES, FIRST_PAINTS);
    const up = await updates(browser, html, NODES, true);
    const errors = [...first.errors, ...up.errors];
    if (errors.length) log(`  panel page errors: ${errors.slice(0, 3).join(' | ')}`);
    const firstTotals = first.paints.map(totalMs);
    const roundTotals = up.rounds.map(totalMs);
    const smallTotals = up.small.map(totalMs);
    log(`  panel: first paint ${firstTotals.map((x) => fmt(x)).join(', ')} ms; all-nodes batches ${roundTotals.map((x) => fmt(x)).join(', ')} ms; 10-node batches median ${fmt(median(smallTotals))} ms`);
    const rows: Row[] = [
      info(S, 'bundle parse + start', `${fmt(median(first.loadMs))} ms`, median(first.loadMs), `dist/webview.js inlined; from before its script tag to after it; median of ${first.loadMs.length} pages`),
      judged(S, `first paint (snapshot, ${NODES} nodes, median of ${FIRST_PAINTS} pages)`, median(firstTotals), 'ms', 50, 'lower',
        `${method}; each on a fresh page; all: ${firstTotals.map((x) => fmt(x)).join(', ')} ms; ${split(first.paints)}; ${first.drawn} graph nodes in the page`),
      judged(S, `per batched update, all ${NODES} nodes (max of ${CHANGES_PER_NODE})`, Math.max(...roundTotals), 'ms', 16, 'lower',
        `every node changes status in one frame, ${CHANGES_PER_NODE} times; median ${fmt(median(roundTotals))} ms, ${split(up.rounds)}; ${method}`),
      judged(S, `per batched update, 10 nodes (median of ${smallTotals.length})`, median(smallTotals), 'ms', 16, 'lower',
        `the same ${NODES * CHANGES_PER_NODE} changes arriving 10 nodes per frame; max ${fmt(Math.max(...smallTotals))} ms; ${split(up.small)}`),
    ];

    for (const nodes of GROWTH_NODES) {
      const g = await firstPaints(browser, html, nodes, GROWTH_PAINTS);
      const u = await updates(browser, html, nodes, false);
      const paint = median(g.paints.map(totalMs));
      const update = median(u.rounds.map(totalMs));
      log(`  panel growth ${nodes} nodes: first paint ${fmt(paint)} ms, all-node update ${fmt(update)} ms (max ${fmt(Math.max(...u.rounds.map(totalMs)))})`);
      rows.push(info('Growth', `panel at ${nodes.toLocaleString('en-US')} nodes: first paint / all-node update`, `${fmt(paint)} / ${fmt(update)} ms`, paint,
        `first paint median of ${GROWTH_PAINTS} fresh pages (${split(g.paints)}); all-node update median of ${CHANGES_PER_NODE} (${split(u.rounds)}, max ${fmt(Math.max(...u.rounds.map(totalMs)))} ms); ${method}`));
    }
    return rows;
  } catch (e) {
    return [
      missing(S, 'first paint (200 nodes)', `the panel bench failed: ${errorText(e)}`, '<= 50 ms'),
      missing(S, 'per batched update', `the panel bench failed: ${errorText(e)}`, '<= 16 ms'),
    ];
  } finally {
    await browser?.close().catch(() => undefined);
  }
}
