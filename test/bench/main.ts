// `npm run bench`: speed and cost, measured and printed as one table (plus a
// JSON copy in test-results/bench.json). Every row is a figure measured in
// this run, or "n/a: <reason>". Exits 0 even when rows FAIL: the table is the
// result. Sections: bundle sizes, stream throughput and recovery against the
// official SDK, the tree at scale, the panel at scale (Chromium), and what is
// measured inside a real VS Code (activation, Run Flow -> tree, idle cost,
// memory, the tree provider).
//
// One or more sections only: `npm run bench -- --only stream,panel` (or
// FLOW_RUNS_BENCH_ONLY=stream,panel). Sections:
//   bundle   bundle and .vsix sizes
//   stream   client-bound stream: RunFollower, streamRun reader, SDK, parse-only
//            limit; and the stream growth rows (12 / 200 / 1,000 nodes)
//   paced    the stream at the sandbox's pace, and recovery from dropped streams
//   tree     the tree provider at scale, plain Node
//   panel    the panel in Chromium (200 nodes) and its growth rows
//   host     inside a real VS Code (activation, Run Flow, idle, memory, tree)
//   web      the browser build's activation in VS Code's web worker extension host
import * as path from 'path';
import { bundleRows } from './lib/bundle';
import { clientBoundRows } from './lib/clientBoundBench';
import { hostRows, webHostRows } from './lib/hostBench';
import { panelRows } from './lib/panelBench';
import { errorText, fmt, machine, missing, renderNotes, renderTable, writeJson, type Row } from './lib/report';
import { streamRows } from './lib/streamBench';
import { treeRows } from './lib/treeBench';

const root = path.resolve(__dirname, '..', '..', '..');

function log(line: string): void {
  console.log(line);
}

async function section(name: string, fn: () => Promise<Row[]>, rows: Row[]): Promise<void> {
  const t0 = Date.now();
  log(`[bench] ${name}…`);
  try {
    rows.push(...(await fn()));
  } catch (e) {
    rows.push(missing(name, name, errorText(e)));
  }
  log(`[bench] ${name}: ${fmt((Date.now() - t0) / 1000)} s`);
}

const SECTIONS = ['bundle', 'stream', 'paced', 'tree', 'panel', 'host', 'web'];

/** `--only a,b` (or `--only=a,b`), else FLOW_RUNS_BENCH_ONLY; empty means every section. */
function onlySections(): string[] {
  const args = process.argv.slice(2);
  let text = process.env.FLOW_RUNS_BENCH_ONLY ?? '';
  args.forEach((a, i) => {
    if (a === '--only') text = args[i + 1] ?? '';
    else if (a.startsWith('--only=')) text = a.slice('--only='.length);
  });
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !SECTIONS.includes(n));
  if (unknown.length) throw new Error(`unknown bench section ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  return names;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = machine().load1;
  const only = onlySections();
  const want = (name: string): boolean => only.length === 0 || only.includes(name);
  const rows: Row[] = [];
  if (want('bundle')) await section('bundle', () => bundleRows(root), rows);
  if (want('stream')) await section('stream', () => clientBoundRows(root, log), rows);
  if (want('paced')) await section('paced', () => streamRows(root, log), rows);
  if (want('tree')) await section('tree', () => treeRows(), rows);
  if (want('panel')) await section('panel', () => panelRows(root, log), rows);
  if (want('host')) await section('host', () => hostRows(root, log), rows);
  if (want('web')) await section('web', () => webHostRows(root, log), rows);

  const elapsed = (Date.now() - started) / 1000;
  const m = machine();
  const table = renderTable(rows);
  const notes = renderNotes(rows);
  log('');
  log(`Flow Runs benchmark — ${new Date().toISOString()}`);
  log(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}`);
  log(`Load average (1 min): ${loadBefore} at the start, ${m.load1} at the end (other processes on the machine skew every figure)`);
  log('');
  log(table);
  log('');
  log('How each figure was measured:');
  log(notes);
  log('');
  const counts = { PASS: 0, FAIL: 0, INFO: 0, 'N/A': 0 };
  for (const r of rows) counts[r.verdict]++;
  log(`${counts.PASS} PASS, ${counts.FAIL} FAIL, ${counts['N/A']} n/a, ${counts.INFO} info; bench took ${fmt(elapsed)} s (the build before it not counted)`);
  writeJson(path.join(root, 'test-results', 'bench.json'), {
    date: new Date().toISOString(),
    machine: { ...m, load1AtStart: loadBefore },
    elapsedSeconds: elapsed,
    rows,
    markdown: table,
  });
  log('JSON copy: test-results/bench.json');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    // FAIL rows exit 0; only a broken harness (no table at all) exits 1.
    console.error(`[bench] ${errorText(e)}`);
    process.exit(1);
  },
);
