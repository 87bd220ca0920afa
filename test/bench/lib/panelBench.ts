// Panel at scale: the production webview bundle (dist/webview.js) in Chromium,
// fed the messages the panel host would send for a 200-node flow whose every
// node changes status 5 times. The messages are made by the host's own code
// (panelModel + PanelDiffer), so they have the real shape and size.
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
import { chromium, type Browser } from 'playwright-core';
import { FlowRunStatus, TaskStatus, type FlowRun, type FlowVersion, type Task } from '../../../src/api/models';
import type { HostMessage, PanelConnection } from '../../../src/shared/protocol';
import { collectTasks, graphSourceOf, nodeOfTask, toPanelGraph, toPanelRun, toPanelTask } from '../../../src/views/panel/panelModel';
import { PanelDiffer } from '../../../src/views/panel/panelDiff';
import { errorText, fmt, info, judged, median, missing, type Row } from './report';

const S = 'Panel';
const NODES = 200;
const CHANGES_PER_NODE = 5;
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const TASK_STEPS = [TaskStatus.Queued, TaskStatus.Dispatched, TaskStatus.Running, TaskStatus.Uploading, TaskStatus.Completed];
const NODE_STEPS = ['ready', 'running', 'blocked', 'running', 'completed'];

interface Measured {
  handlerMs: number;
  /** The render callback itself, and the style + layout it caused. */
  scriptMs: number;
  layoutMs: number;
  renderMs: number;
  frames: number;
}

/** 20 layers of 10 nodes, each wired to two nodes of the next layer. */
function bigFlow(): { run: FlowRun; tasks: Task[] } {
  const nodes: FlowVersion['nodes'] = [];
  const edges: FlowVersion['edges'] = [];
  const nodeData: FlowVersion['node_data'] = {};
  const perLayer = 10;
  for (let i = 0; i < NODES; i++) {
    const layer = Math.floor(i / perLayer);
    const id = `node_${i}`;
    nodes.push({ id, type: 'app', position: { x: layer * 260, y: (i % perLayer) * 110 } });
    nodeData[id] = { app_id: 'sandbox/echo', app: { namespace: 'sandbox', name: 'echo', title: 'Echo' }, title: `Step ${i}` };
    if (layer > 0) {
      const prev = (layer - 1) * perLayer;
      edges.push({ id: `e_${i}_a`, source: `node_${prev + (i % perLayer)}`, target: id });
      edges.push({ id: `e_${i}_b`, source: `node_${prev + ((i + 3) % perLayer)}`, target: id });
    }
  }
  const t0 = Date.UTC(2025, 0, 1);
  const iso = (ms: number): string => new Date(ms).toISOString();
  const tasks: Task[] = nodes.map((n, i) => ({
    id: `task_${String(i).padStart(4, '0')}`,
    short_id: `t${String(i).padStart(7, '0')}`,
    created_at: iso(t0),
    updated_at: iso(t0),
    status: TaskStatus.Received,
    app_id: 'sandbox/echo',
    app: { namespace: 'sandbox', name: 'echo', title: 'Echo' },
    flow_run_id: 'flowrun_bench_panel',
    input: { text: `input of ${n.id}` },
    events: [{ id: `ev_${i}_0`, created_at: iso(t0), event_time: iso(t0), task_id: `task_${i}`, status: TaskStatus.Received }],
    logs: [],
  }));
  const version: FlowVersion = { id: 'flowver_bench_panel', flow_id: 'flow_bench_panel', nodes, edges, node_data: nodeData };
  const run: FlowRun = {
    id: 'flowrun_bench_panel',
    short_id: 'benchpnl',
    created_at: iso(t0),
    updated_at: iso(t0),
    flow_id: 'flow_bench_panel',
    flow_version_id: version.id,
    flow_version: version,
    task_id: 'task_parent_bench',
    status: FlowRunStatus.Running,
    flow_run_started: iso(t0),
    input: { prompt: 'a 200-node flow' },
    node_tasks: Object.fromEntries(nodes.map((n, i) => [n.id, { task_id: tasks[i].id }])),
    node_statuses: Object.fromEntries(nodes.map((n) => [n.id, 'pending'])),
  };
  return { run, tasks };
}

/** The snapshot and then, per round, the batch the host would post (run diff + task diffs). */
function messages(): { snapshot: HostMessage; rounds: HostMessage[][]; singles: HostMessage[][] } {
  const { run, tasks } = bigFlow();
  const streamed = Object.fromEntries(tasks.map((t) => [t.id, t]));
  const connection: PanelConnection = { state: 'live', wasLive: true, error: null };
  const differ = new PanelDiffer();
  const panelRun = toPanelRun(run, collectTasks(run, streamed), 'Benchmark flow (200 nodes)');
  const nodeOf = nodeOfTask(panelRun.nodeTasks);
  const panelTasks = tasks.map((t) => toPanelTask(t, nodeOf.get(t.id) ?? null));
  const source = graphSourceOf(run, undefined);
  differ.reset(panelRun, panelTasks);
  const snapshot: HostMessage = {
    type: 'snapshot', runId: run.id, run: panelRun, tasks: panelTasks,
    graph: source ? toPanelGraph(source) : null, connection, selectedKey: null,
  };

  let clock = Date.UTC(2025, 0, 1, 0, 1);
  const step = (r: FlowRun, ts: Task[], nodeIds: string[], k: number): HostMessage[] => {
    clock += 1000;
    const at = new Date(clock).toISOString();
    const statuses = { ...(r.node_statuses ?? {}) };
    for (const id of nodeIds) {
      statuses[id] = NODE_STEPS[k];
      const i = Number(id.slice('node_'.length));
      const t = ts[i];
      ts[i] = {
        ...t, status: TASK_STEPS[k], updated_at: at,
        events: [...(t.events ?? []), { id: `ev_${i}_${k + 1}`, created_at: at, event_time: at, task_id: t.id, status: TASK_STEPS[k] }],
      };
    }
    const next: FlowRun = { ...r, node_statuses: statuses, updated_at: at };
    Object.assign(r, next);
    const all = collectTasks(next, Object.fromEntries(ts.map((t) => [t.id, t])));
    const out: HostMessage[] = [];
    const runChanges = differ.runChanges(toPanelRun(next, all, 'Benchmark flow (200 nodes)'));
    if (runChanges) out.push({ type: 'run', changes: runChanges });
    const changed = differ.taskChanges(nodeIds.map((id) => {
      const t = ts[Number(id.slice('node_'.length))];
      return toPanelTask(t, id);
    }));
    if (changed.length) out.push({ type: 'tasks', changes: changed });
    return out;
  };

  // Worst case: every node changes in the same frame, 5 times.
  const ids = Object.keys(run.node_tasks ?? {});
  const work = tasks.slice();
  const rounds: HostMessage[][] = [];
  for (let k = 0; k < CHANGES_PER_NODE; k++) rounds.push(step(run, work, ids, k));

  // Everyday case: the same 1,000 changes arriving 10 nodes per frame (fresh state).
  const fresh = bigFlow();
  differ.reset(panelRun, panelTasks);
  const singles: HostMessage[][] = [];
  for (let k = 0; k < CHANGES_PER_NODE; k++) {
    for (let i = 0; i < ids.length; i += 10) singles.push(step(fresh.run, fresh.tasks, ids.slice(i, i + 10), k));
  }
  return { snapshot, rounds, singles };
}

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
  window.__measure = async function (msgs) {
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

function cssLinks(root: string): string[] {
  const media = path.join(root, 'media');
  if (!fs.existsSync(media)) return [];
  return fs.readdirSync(media).filter((f) => f.endsWith('.css')).map((f) => path.join(media, f));
}

export async function panelRows(root: string, log: (line: string) => void): Promise<Row[]> {
  const bundle = path.join(root, 'dist', 'webview.js');
  if (!fs.existsSync(bundle)) {
    return [missing(S, 'first paint (200 nodes)', 'dist/webview.js was not built', '<= 50 ms'), missing(S, 'per batched update', 'dist/webview.js was not built', '<= 16 ms')];
  }
  let browser: Browser | undefined;
  try {
    const { snapshot, rounds, singles } = messages();
    const css = cssLinks(root).map((f) => `<style>${fs.readFileSync(f, 'utf8')}</style>`).join('\n');
    const html = `<!DOCTYPE html><html><head><meta charset="utf-8">${css}</head>
<body class="vscode-dark"><div id="root"></div>
<script>${INSTRUMENT}</script>
<script>window.__bench.loadStart = performance.now();</script>
<script>${fs.readFileSync(bundle, 'utf8').replace(/<\/script/gi, '<\\/script')}</script>
<script>window.__bench.loadEnd = performance.now();</script>
</body></html>`;
    browser = await chromium.launch({ executablePath: process.env.FLOW_RUNS_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.setContent(html, { waitUntil: 'load' });
    const ready = await page.evaluate(() => {
      const b = (window as unknown as { __bench: { sent: { type: string }[]; loadStart: number; loadEnd: number } }).__bench;
      return { ready: b.sent.some((m) => m.type === 'ready'), loadMs: b.loadEnd - b.loadStart };
    });
    if (!ready.ready) throw new Error(`the webview did not post "ready"${pageErrors.length ? `: ${pageErrors[0]}` : ''}`);
    const measure = (msgs: HostMessage[]): Promise<Measured> =>
      page.evaluate((m) => (window as unknown as { __measure: (x: unknown[]) => Promise<Measured> }).__measure(m), msgs as unknown[]);

    const first = await measure([snapshot]);
    const nodesDrawn = await page.evaluate(() => document.querySelectorAll('#root svg g, #root [data-node-id]').length);
    const perRound: Measured[] = [];
    for (const batch of rounds) perRound.push(await measure(batch));
    // The small batches start again from the snapshot's state.
    await measure([snapshot]);
    const perSmall: Measured[] = [];
    for (const batch of singles) perSmall.push(await measure(batch));
    if (pageErrors.length) log(`  panel page errors: ${pageErrors.slice(0, 3).join(' | ')}`);

    const total = (m: Measured): number => m.handlerMs + m.renderMs;
    const firstMs = total(first);
    const roundTotals = perRound.map(total);
    const smallTotals = perSmall.map(total);
    log(`  panel: first paint ${fmt(firstMs)} ms; all-nodes batches ${roundTotals.map((x) => fmt(x)).join(', ')} ms; 10-node batches median ${fmt(median(smallTotals))} ms`);
    const method = 'message handling + rAF render + forced style/layout, timed in the page (paint/composite excluded)';
    const split = (ms: Measured[]): string =>
      `script ${fmt(median(ms.map((m) => m.handlerMs + m.scriptMs)))} ms + style/layout ${fmt(median(ms.map((m) => m.layoutMs)))} ms (medians)`;
    return [
      info(S, 'bundle parse + start', `${fmt(ready.loadMs)} ms`, ready.loadMs, 'dist/webview.js inlined; from before its script tag to after it'),
      judged(S, `first paint (snapshot, ${NODES} nodes)`, firstMs, 'ms', 50, 'lower',
        `${method}; script ${fmt(first.handlerMs + first.scriptMs)} ms + style/layout ${fmt(first.layoutMs)} ms; ${first.frames} frame(s); ${nodesDrawn} graph elements in the page`),
      judged(S, `per batched update, all ${NODES} nodes (max of ${CHANGES_PER_NODE})`, Math.max(...roundTotals), 'ms', 16, 'lower',
        `every node changes status in one frame, ${CHANGES_PER_NODE} times; median ${fmt(median(roundTotals))} ms, ${split(perRound)}; ${method}`),
      judged(S, `per batched update, 10 nodes (median of ${smallTotals.length})`, median(smallTotals), 'ms', 16, 'lower',
        `the same ${NODES * CHANGES_PER_NODE} changes arriving 10 nodes per frame; max ${fmt(Math.max(...smallTotals))} ms; ${split(perSmall)}`),
    ];
  } catch (e) {
    return [
      missing(S, 'first paint (200 nodes)', `the panel bench failed: ${errorText(e)}`, '<= 50 ms'),
      missing(S, 'per batched update', `the panel bench failed: ${errorText(e)}`, '<= 16 ms'),
    ];
  } finally {
    await browser?.close().catch(() => undefined);
  }
}
