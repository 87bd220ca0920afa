// Where the panel's time goes in Chromium: `npm run build` (a readable
// dist/webview.js; `node esbuild.js --production` for the shipped one), then
//   node out/test/bench/profilePanel.js [nodes] [first|update]   V8 CPU profile of the first paint (or the
//                                                                all-node updates): self and total time
//   node out/test/bench/profilePanel.js [nodes] --figures        first paint on 8 fresh pages and 20 all-node
//                                                                updates, no profiler: min / p20 / median
//   node out/test/bench/profilePanel.js [nodes] --trace          Chromium's timeline: main-thread CPU by kind
// Options: hide=<selector> leaves a part of the page out (display: none),
// css=<rules> adds CSS after the panel's own, pages=<n> (with --figures),
// --console prints the page's console, root=<dir> takes dist/webview.js and
// media/ from another copy (a build saved before a change, to compare).
import * as path from 'path';
import { inclusive, summarize, type CpuProfile } from './lib/cpuProfile';
import { panelMessages } from './lib/panelFixture';
import { launchChromium, openPanelPage, panelHtml, totalMs } from './lib/panelPage';
import { fmt, median } from './lib/report';

const root = process.argv.find((a) => a.startsWith('root='))?.slice(5) ?? path.resolve(__dirname, '..', '..', '..');

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  tdur?: number;
  args?: Record<string, unknown> & { name?: string; elementCount?: number };
}

const KINDS = ['total', 'script', 'style', 'layout', 'paint', 'other'];

const STYLE = new Set(['UpdateLayoutTree', 'RecalculateStyles', 'ParseAuthorStyleSheet']);
const LAYOUT = new Set(['Layout']);
const PAINT = new Set(['Paint', 'PrePaint', 'Layerize', 'PaintImage', 'UpdateLayer', 'Commit']);
const SCRIPT = /^(FunctionCall|EvaluateScript|v8\.|V8\.|FireAnimationFrame|EventDispatch|TimerFire|RunMicrotasks|MinorGC|MajorGC|ParseHTML)/;

/** Main-thread CPU (ms) of the renderer: in total (top-level tasks) and by kind, each event's own time (children taken out). */
function cpuByKind(events: TraceEvent[]): Map<string, number> {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const mine = events
    .filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.ts !== undefined && e.dur !== undefined)
    .sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0) || (b.dur ?? 0) - (a.dur ?? 0));
  const out = new Map<string, number>();
  const add = (k: string, us: number): void => void out.set(k, (out.get(k) ?? 0) + us / 1000);
  const kindOf = (name: string): string =>
    STYLE.has(name) ? 'style' : LAYOUT.has(name) ? 'layout' : PAINT.has(name) ? 'paint' : SCRIPT.test(name) ? 'script' : 'other';
  const stack: { end: number; self: number; kind: string }[] = [];
  const pop = (until: number): void => {
    while (stack.length && stack[stack.length - 1].end <= until) {
      const top = stack.pop();
      if (top) add(top.kind, Math.max(0, top.self));
    }
  };
  for (const e of mine) {
    const ts = e.ts ?? 0;
    pop(ts);
    const t = e.tdur ?? 0;
    if (stack.length) stack[stack.length - 1].self -= t;
    else add('total', t);
    stack.push({ end: ts + (e.dur ?? 0), self: t, kind: kindOf(e.name) });
  }
  pop(Infinity);
  return out;
}

async function main(): Promise<void> {
  const nodes = Number(process.argv[2] ?? '200');
  const what = process.argv[3] === 'update' ? 'update' : 'first';
  const msgs = panelMessages(nodes);
  // Diagnostics: `hide=<selector>` leaves a part of the page out (display: none), to see what it costs.
  // `css=<rules>` adds rules after the panel's own (to try a change without a rebuild).
  const hide = process.argv.find((a) => a.startsWith('hide='))?.slice(5);
  const extra = process.argv.find((a) => a.startsWith('css='))?.slice(4) ?? '';
  const rules = `${hide ? `${hide} { display: none !important; }` : ''}${extra}`;
  const html = panelHtml(root, 'dark').replace('</head>', rules ? `<style>${rules}</style></head>` : '</head>');
  const browser = await launchChromium();
  try {
    if (process.argv.includes('--figures')) {
      // No profiler: first paint on fresh pages and every all-node update, min and median (the machine is shared).
      const paints: number[] = [];
      const ups: number[] = [];
      const layout: number[] = [];

      const pages = Number(process.argv.find((a) => a.startsWith('pages='))?.slice(6) ?? '8');
      for (let i = 0; i < pages + 1; i++) {
        const p = await openPanelPage(browser, html);
        if (process.argv.includes('--console')) p.page.on('console', (m) => console.log(`  page: ${m.text()}`));
        const m = await p.measure([msgs.snapshot]);
        if (i > 0) paints.push(totalMs(m));
        for (let r = 0; r < 2; r++) {
          if (r > 0) await p.measure([msgs.snapshot]);
          for (const b of msgs.rounds) {
            const u = await p.measure(b);
            if (i > 0) {
              ups.push(totalMs(u));
              layout.push(u.layoutMs);
            }
          }
        }
        await p.page.close();
      }
      const stat = (xs: number[]): string => `min ${fmt(Math.min(...xs))} / p20 ${fmt([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 5)])} / median ${fmt(median(xs))} ms`;
      console.log(`${nodes} nodes: first paint ${stat(paints)}; all-node update ${stat(ups)} (style/layout ${stat(layout)})`);
      return;
    }
    if (process.argv.includes('--trace')) {
      // Chromium's own timeline: thread CPU time of the renderer's main thread per event kind (robust to a busy
      // machine, unlike wall time), for the first paint and per all-node update; medians over 3 pages.
      const first: Map<string, number>[] = [];
      const perUpdate: Map<string, number>[] = [];
      for (let i = 0; i < 4; i++) {
        const p = await openPanelPage(browser, html);
        const cdp = await p.page.context().newCDPSession(p.page);
        const traced = async (fn: () => Promise<void>): Promise<Map<string, number>> => {
          const events: TraceEvent[] = [];
          const collect = (d: { value: unknown[] }): void => void events.push(...(d.value as TraceEvent[]));
          cdp.on('Tracing.dataCollected', collect);
          const ended = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
          await cdp.send('Tracing.start', { categories: 'devtools.timeline,toplevel', transferMode: 'ReportEvents' });
          await fn();
          await cdp.send('Tracing.end');
          await ended;
          cdp.off('Tracing.dataCollected', collect);
          return cpuByKind(events);
        };
        const f = await traced(async () => {
          await p.measure([msgs.snapshot]);
        });
        const u = await traced(async () => {
          for (const b of msgs.rounds) await p.measure(b);
        });
        for (const [k, v] of u) u.set(k, v / msgs.rounds.length);
        if (i > 0) {
          first.push(f);
          perUpdate.push(u);
        }
        await p.page.close();
      }
      const show = (title: string, maps: Map<string, number>[]): void => {
        const kinds = [...new Set(maps.flatMap((m) => [...m.keys()]))];
        const med = kinds.map((k) => [k, median(maps.map((m) => m.get(k) ?? 0))] as const).sort((a, b) => b[1] - a[1]);
        console.log(`${title}: ${med.filter(([k]) => KINDS.includes(k)).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ')} ms CPU`);
      };
      show(`${nodes} nodes, first paint`, first);
      show(`${nodes} nodes, per all-node update`, perUpdate);
      return;
    }
    // A warm-up page, then the measured one.
    const warm = await openPanelPage(browser, html);
    await warm.measure([msgs.snapshot]);
    await warm.page.close();
    const p = await openPanelPage(browser, html);
    const cdp = await p.page.context().newCDPSession(p.page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
    if (what === 'update') await p.measure([msgs.snapshot]);
    await cdp.send('Profiler.start');
    const batches = what === 'first' ? [[msgs.snapshot]] : msgs.rounds;
    for (const b of batches) {
      const m = await p.measure(b);
      console.log(`${what}: ${fmt(totalMs(m))} ms = handler ${fmt(m.handlerMs)} + script ${fmt(m.scriptMs)} + style/layout ${fmt(m.layoutMs)} ms, ${m.frames} frame(s)`);
    }
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    const sum = summarize(profile);
    const busy = sum.functions.filter((f) => f.name !== '(idle)' && f.name !== '(program)');
    const total = busy.reduce((a, f) => a + f.ms, 0);
    console.log(`\nself time in the page (idle and (program) left out: ${fmt(total)} ms):`);
    for (const f of busy.slice(0, 30)) console.log(`  ${fmt(f.ms, 2).padStart(8)} ms ${fmt((f.ms / total) * 100, 1).padStart(5)} %  ${f.name}`);
    console.log('\ntotal time (self + callees) of the page\'s functions:');
    for (const f of inclusive(profile).filter((x) => !x.name.startsWith('(')).slice(0, 40)) console.log(`  ${fmt(f.ms, 2).padStart(8)} ms  ${f.name}`);
    if (p.errors.length) console.log(`page errors: ${p.errors.join(' | ')}`);
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
