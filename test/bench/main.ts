// `npm run bench`: speed and cost, measured and printed as one table (plus a
// JSON copy in test-results/bench.json). Every row is a figure measured in
// this run, or "n/a: <reason>". Exits 0 even when rows FAIL: the table is the
// result. Sections: bundle sizes, stream throughput and recovery against the
// official SDK, the tree at scale, the panel at scale (Chromium), and what is
// measured inside a real VS Code (activation, Run Flow -> tree, idle cost,
// memory, the tree provider).
import * as path from 'path';
import { bundleRows } from './lib/bundle';
import { hostRows } from './lib/hostBench';
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

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = machine().load1;
  const only = (process.env.FLOW_RUNS_BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const want = (name: string): boolean => only.length === 0 || only.includes(name);
  const rows: Row[] = [];
  if (want('bundle')) await section('bundle', () => bundleRows(root), rows);
  if (want('stream')) await section('stream', () => streamRows(root, log), rows);
  if (want('tree')) await section('tree', () => treeRows(), rows);
  if (want('panel')) await section('panel', () => panelRows(root, log), rows);
  if (want('host')) await section('host', () => hostRows(root, log), rows);

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
