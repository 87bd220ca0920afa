// Runs the in-VS-Code half of the benchmark (out/test/vscode/bench/index.js)
// through the test host's launcher (real VS Code server + Chromium), once in
// full mode and then again for more activation samples (activation happens
// once per extension host, so each sample is a fresh host). The sandbox it
// talks to lives here, behind a control server.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startSandbox, type Sandbox } from '../../../src/sandbox';
import { startBenchControl, type BenchControl } from './benchControl';
import {
  ENV_CONTROL, ENV_MODE, ENV_OUT, ENV_SANDBOX_KEY, ENV_SANDBOX_URL, type HostBenchResult, type HostMode, type IdleWindow,
} from './hostProtocol';
import { check, errorText, fmt, info, judged, median, missing, oneLine, type Row } from './report';

/** Fresh extension hosts for activation samples (FLOW_RUNS_BENCH_ACTIVATION_SAMPLES overrides, for quick checks). */
const ACTIVATION_SAMPLES = Number(process.env.FLOW_RUNS_BENCH_ACTIVATION_SAMPLES) > 0 ? Number(process.env.FLOW_RUNS_BENCH_ACTIVATION_SAMPLES) : 10;
/** Web worker samples: each is a whole workbench in Chromium (about 20 s), so fewer (same override). */
const WEB_ACTIVATION_SAMPLES = Number(process.env.FLOW_RUNS_BENCH_ACTIVATION_SAMPLES) > 0 ? Number(process.env.FLOW_RUNS_BENCH_ACTIVATION_SAMPLES) : 5;
const FULL_TIMEOUT_MS = 7 * 60_000;
const ACTIVATION_TIMEOUT_MS = 120_000;

interface Launch {
  result?: HostBenchResult;
  error?: string;
  ms: number;
}

/** `web`: the browser build in the web worker extension host (test/vscode/web/bench.ts), activation only. */
function launchHost(root: string, mode: HostMode, env: Record<string, string>, logFile: string, log: (line: string) => void, web = false): Promise<Launch> {
  const started = Date.now();
  const launcher = path.join(root, 'out', 'test', 'vscode', 'host', 'launcher.js');
  const tests = web ? path.join(root, 'out', 'test', 'vscode', 'web', 'bench.js') : path.join(root, 'out', 'test', 'vscode', 'bench', 'index.js');
  if (!fs.existsSync(launcher)) return Promise.resolve({ error: 'out/test/vscode/host/launcher.js was not built', ms: 0 });
  if (!fs.existsSync(tests)) return Promise.resolve({ error: `${path.relative(root, tests)} was not built`, ms: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runs-bench-host-'));
  const out = path.join(dir, 'bench.json');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, [ENV_MODE]: mode, [ENV_OUT]: out, FLOW_RUNS_TEST_WEB: web ? '1' : '' };
  delete childEnv.FLOW_RUNS_TEST_RESULT;
  childEnv.FLOW_RUNS_TEST_RESULTS_DIR = path.join(root, 'test-results', 'bench-host');
  const folder = path.join(root, 'test', 'fixtures', 'workspace');
  const args = [launcher, ...(fs.existsSync(folder) ? [folder] : []), `--extensionDevelopmentPath=${root}`, `--extensionTestsPath=${tests}`];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const sink = fs.createWriteStream(logFile, { flags: 'a' });
    sink.write(`\n=== ${new Date().toISOString()} launch (${mode}${web ? ', web worker' : ''}) ===\n`);
    const onData = (chunk: Buffer): void => {
      sink.write(chunk);
      for (const line of chunk.toString().split('\n')) if (line.includes('[bench:host]')) log(`  ${line.trim()}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const limit = mode === 'full' ? FULL_TIMEOUT_MS : ACTIVATION_TIMEOUT_MS;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    }, limit);
    child.on('exit', (code) => {
      clearTimeout(timer);
      sink.end();
      let result: HostBenchResult | undefined;
      try {
        result = JSON.parse(fs.readFileSync(out, 'utf8')) as HostBenchResult;
      } catch {
        result = undefined;
      }
      fs.rmSync(dir, { recursive: true, force: true });
      const ms = Date.now() - started;
      if (result) resolve({ result, ms });
      else resolve({ error: timedOut ? `no result within ${limit / 1000} s` : `the launcher exited with ${code ?? 'a signal'} and no result (see ${path.relative(root, logFile)})`, ms });
    });
  });
}

export async function hostRows(root: string, log: (line: string) => void): Promise<Row[]> {
  const logFile = path.join(root, 'test-results', 'bench-host.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, '');
  let sandbox: Sandbox | undefined;
  let control: BenchControl | undefined;
  try {
    // Zero added latency; speed 0.02 so that demo runs finish in about a second.
    sandbox = await startSandbox({ port: 0, speed: 0.02, seed: 3, seedRuns: 30 });
    control = await startBenchControl(sandbox);
    const env = {
      [ENV_CONTROL]: control.url,
      [ENV_SANDBOX_URL]: sandbox.url,
      [ENV_SANDBOX_KEY]: sandbox.defaultKey,
    };
    log('  VS Code host: full run (activation, Run Flow -> tree, idle windows, memory, tree at scale)…');
    const full = await launchHost(root, 'full', env, logFile, log);
    log(`  VS Code host: full run took ${fmt(full.ms / 1000)} s`);
    const launches: Launch[] = [full];
    for (let i = 1; i < ACTIVATION_SAMPLES; i++) {
      const l = await launchHost(root, 'activation', env, logFile, log);
      launches.push(l);
      log(`  VS Code host: activation sample ${i + 1}/${ACTIVATION_SAMPLES} ${l.result?.activation.loggedMs !== undefined ? `${l.result.activation.loggedMs} ms` : (l.error ?? l.result?.activation.error ?? '?')} (${fmt(l.ms / 1000)} s)`);
      if (!l.result && i === 1) break; // the host does not start: do not pay for eight more failures
    }
    return [...activationRows(launches), ...fullRows(full)];
  } catch (e) {
    return [missing('Activation', 'VS Code host', errorText(e), '<= 15 ms')];
  } finally {
    await control?.close();
    await sandbox?.close();
  }
}

/**
 * Activation of the browser build (dist/extension-web.js) in the web worker extension host of
 * the same VS Code, one fresh workbench per sample; no sandbox needed (activation makes no request).
 */
export async function webHostRows(root: string, log: (line: string) => void): Promise<Row[]> {
  const S = 'Activation';
  const logFile = path.join(root, 'test-results', 'bench-web.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, '');
  const launches: Launch[] = [];
  for (let i = 0; i < WEB_ACTIVATION_SAMPLES; i++) {
    const l = await launchHost(root, 'activation', {}, logFile, log, true);
    launches.push(l);
    const a = l.result?.activation;
    log(`  web worker host: activation sample ${i + 1}/${WEB_ACTIVATION_SAMPLES} ${a?.loggedMs !== undefined ? `${a.loggedMs} ms` : (l.error ?? a?.error ?? '?')} (${fmt(l.ms / 1000)} s)`);
    if (!l.result && i === 0) break; // the web host does not start: do not pay for more failures
  }
  const figures = (pick: (a: NonNullable<Launch['result']>['activation']) => number | undefined): number[] =>
    launches.map((l) => (l.result ? pick(l.result.activation) : undefined)).filter((x): x is number => typeof x === 'number');
  const logged = figures((a) => a.loggedMs);
  const marks = figures((a) => a.activateMarkMs);
  const loads = figures((a) => a.loadCodeMs);
  const fetches = figures((a) => a.fetchCodeMs);
  const calls = figures((a) => a.activateCallMs);
  const errors = launches.map((l) => l.error ?? l.result?.activation.error).filter((x): x is string => !!x);
  const name = 'activate() of the browser build in the web worker host';
  const when = calls.length === logged.length
    ? 'each time activated by the bench itself, once the workbench was up'
    : `${logged.length - calls.length} of ${logged.length} times activated by VS Code during the workbench's start, before the bench ran`;
  if (!logged.length) return [missing(S, name, errors[0] ?? 'no sample', '<= 15 ms')];
  const rows = [judged(S, `${name}, median of ${logged.length}`, median(logged), 'ms', 15, 'lower',
    `"[activate] ready in N ms" logged by activate() itself (Date.now(), 1 ms resolution) in dist/extension-web.js, read back through vscode.workspace.fs; one fresh workbench and web worker per sample, ${when}: ${logged.join(', ')} ms; same bound as the Node host's row${errors.length ? `; ${errors.length} launch(es) without a figure: ${oneLine(errors[0])}` : ''}`)];
  if (calls.length) {
    rows.push(info(S, `extension.activate() of the browser build incl. loading it, median of ${calls.length}`, `${fmt(median(calls))} ms`, median(calls),
      `await vscode.extensions.getExtension(...).activate() from the bench in the worker, the extension not yet active: ${calls.map((x) => fmt(x)).join(', ')} ms`));
  }
  if (marks.length) {
    rows.push(info(S, `${name}, VS Code's marks, median of ${marks.length}`, `${fmt(median(marks))} ms`, median(marks),
      `performance marks code/extHost/willActivateExtension -> didActivateExtension in the worker (activate() plus VS Code's bookkeeping): ${marks.map((x) => fmt(x)).join(', ')} ms`));
  }
  if (fetches.length) {
    rows.push(info(S, `fetching dist/extension-web.js into the web worker, median of ${fetches.length}`, `${fmt(median(fetches))} ms`, median(fetches),
      `performance marks code/extHost/willFetchExtensionCode -> didFetchExtensionCode (from the VS Code server on loopback; the worker then compiles the text with new Function, which has no code cache): ${fetches.map((x) => fmt(x)).join(', ')} ms`));
  }
  if (loads.length) {
    rows.push(info(S, `running dist/extension-web.js's top level in the web worker, median of ${loads.length}`, `${fmt(median(loads))} ms`, median(loads),
      `performance marks code/extHost/willLoadExtensionCode -> didLoadExtensionCode: the bundle's module code runs once, before activate(): ${loads.map((x) => fmt(x)).join(', ')} ms`));
  }
  return rows;
}

function activationRows(launches: Launch[]): Row[] {
  const S = 'Activation';
  const logged = launches.map((l) => l.result?.activation.loggedMs).filter((x): x is number => typeof x === 'number');
  const calls = launches.map((l) => l.result?.activation.activateCallMs).filter((x): x is number => typeof x === 'number');
  const errors = launches.map((l) => l.error ?? l.result?.activation.error).filter((x): x is string => !!x);
  const rows: Row[] = [];
  if (logged.length) {
    rows.push(judged(S, `activate() in the real VS Code host, median of ${logged.length}`, median(logged), 'ms', 15, 'lower',
      `"[activate] ready in N ms" logged by activate() itself (Date.now(), 1 ms resolution), one fresh extension host per sample: ${logged.join(', ')} ms${launches.every((l) => l.result?.activation.alreadyActive !== false) ? ' (VS Code had activated the extension before the bench module ran, so only its own figure exists)' : ''}${errors.length ? `; ${errors.length} launch(es) without a figure: ${oneLine(errors[0])}` : ''}`));
  } else {
    rows.push(missing(S, 'activate() in the real VS Code host', errors[0] ?? 'no sample', '<= 15 ms'));
  }
  if (calls.length) {
    rows.push(info(S, `extension.activate() incl. loading the bundle, median of ${calls.length}`, `${fmt(median(calls))} ms`, median(calls),
      `await vscode.extensions.getExtension(...).activate() from the bench, the extension not yet active: ${calls.map((x) => fmt(x)).join(', ')} ms`));
  }
  return rows;
}

function perMinute(w: IdleWindow): number {
  return (w.requests * 60_000) / w.windowMs;
}

function routes(w: IdleWindow): string {
  const parts = Object.entries(w.byRoute).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} x${v}`);
  return parts.length ? parts.join(', ') : 'no requests';
}

function fullRows(full: Launch): Row[] {
  const rows: Row[] = [];
  const r = full.result;
  if (!r) {
    const why = full.error ?? 'no result';
    return [
      missing('Activation', 'Run Flow -> run in the tree', why),
      missing('Idle', 'requests per minute', why),
      missing('Memory', 'heap growth after 50 followed runs', why, '<= 10 MB'),
      missing('Tree', 'in VS Code at 10,000 runs', why, '<= 20 ms'),
    ];
  }
  // Run Flow -> tree
  const t = r.runToTree;
  if (t && t.samplesMs.length) {
    rows.push(info('Activation', `Run Flow -> run in the tree, median of ${t.samplesMs.length}`, `${fmt(median(t.samplesMs))} ms`, median(t.samplesMs),
      `executeCommand('flowRuns.runFlow', {flow, input}) until the provider fired a refresh whose children include the run; sandbox with no added latency; samples ${t.samplesMs.map((x) => fmt(x)).join(', ')} ms (the tree batches refreshes every 100 ms)`));
  } else rows.push(missing('Activation', 'Run Flow -> run in the tree', t?.error ?? 'not measured'));

  // Idle
  const S = 'Idle';
  const idle = r.idle;
  if (idle?.hidden) {
    const w = idle.hidden;
    rows.push(judged(S, 'view hidden, nothing followed: requests/min', perMinute(w), '/min', 0, 'lower',
      `${w.requests} requests in a ${w.windowMs / 1000} s window (${routes(w)}; ${w.pollsInWindow ?? '?'} tree polls); sandbox.stats().requests; ${w.treeState ?? ''}; panels closed, Explorer shown in the sidebar`));
  } else rows.push(missing(S, 'view hidden, nothing followed', idle?.error ?? 'not measured', '<= 0 /min'));
  if (idle?.visible) {
    const w = idle.visible;
    const polls = w.pollsInWindow ?? 0;
    const perPoll = polls > 0 ? w.requests / polls : NaN;
    rows.push(judged(S, 'view visible, no active runs: requests/min', perMinute(w), '/min', 2, 'lower',
      `${w.requests} requests in a ${w.windowMs / 1000} s window (${polls} polls, ${fmt(perPoll)} requests each: one list of the newest runs, plus the groups it shows have changed) at the default refreshInterval (15 s, doubling while nothing changes, up to 8x); ${routes(w)}; poll delay at the end ${fmt((w.pollerDelayMs ?? NaN) / 1000)} s; window focused: ${w.focused}`));
    if (Number.isFinite(perPoll)) {
      // Once the interval has grown to its cap (15 s x 8 = 120 s), a quiet view costs one poll per 2 minutes.
      const steady = (perPoll * 60) / 120;
      rows.push(judged(S, 'view visible, no active runs: steady state (derived)', steady, '/min', 2, 'lower',
        `${fmt(perPoll)} requests per poll x one poll per 120 s (15 s base x the poller's 8x cap), reached after about 4 quiet minutes; derived from the measured requests per poll, not a separate window`));
    }
  } else rows.push(missing(S, 'view visible, no active runs', idle?.error ?? 'not measured', '<= 2 /min'));
  if (idle?.active50) {
    const w = idle.active50;
    rows.push(info(S, `${w.activeRuns} active runs, view visible: requests/min`, `${fmt(perMinute(w))}/min`, perMinute(w),
      `${w.requests} requests in a ${w.windowMs / 1000} s window (${w.pollsInWindow ?? '?'} polls); ${w.followed} runs followed live with ${w.openStreams ?? '?'} open streams at the end; ${routes(w)}. Scaling: polls do not grow with the number of runs (one request per status group per poll); live streams grow with the visible active runs, 2 per run, capped at 20 runs; a stream costs one request when it opens, then none while the run is quiet`));
  } else rows.push(missing(S, '50 active runs', idle?.error ?? 'not measured'));

  // Memory
  const m = r.memory;
  if (m && m.error === undefined && typeof m.beforeBytes === 'number') {
    const growth = (m.afterBytes - m.beforeBytes) / 2 ** 20;
    rows.push(judged('Memory', `heap growth after following ${m.runs} runs of ${m.nodesPerRun} nodes`, growth, 'MB', 10, 'lower',
      `extension host process.memoryUsage().heapUsed after gc (${m.gcMethod}): ${fmt(m.beforeBytes / 2 ** 20)} MB before, ${fmt(m.afterBytes / 2 ** 20)} MB after; runs kept in the store ${m.storeSizeBefore} -> ${m.storeSizeAfter}; followers left ${m.followersAfter}; the sandbox runs outside the extension host`));
    rows.push(check('Memory', 'every followed run ended with its final state', m.allEnded));
  } else rows.push(missing('Memory', 'heap growth after 50 followed runs', m?.error ?? 'not measured', '<= 10 MB'));

  // Tree in VS Code
  const tr = r.tree;
  if (tr && tr.error === undefined && typeof tr.allGroupsMs === 'number') {
    const note = `RunsTreeProvider.getChildren in the extension host (best of 5), ${tr.runs.toLocaleString('en-US')} runs in the store across ${tr.groups} groups; every run the store holds is a child of its group`;
    rows.push(judged('Tree', `children of one page (${tr.pageSize}) + tree items, in VS Code`, tr.onePageMs, 'ms', 20, 'lower', note, 2));
    rows.push(judged('Tree', 'children of every group, in VS Code', tr.allGroupsMs, 'ms', 20, 'lower', note, 2));
    rows.push(info('Tree', 'children + tree items of every group, in VS Code', `${fmt(tr.allGroupsWithItemsMs)} ms`, tr.allGroupsWithItemsMs,
      `getChildren of every group, then getTreeItem of each of the ${tr.runs.toLocaleString('en-US')} runs`));
    const times = tr.refreshTimesMs ?? [];
    // The most events in any one-second window [t, t + 1000).
    let most = 0;
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && times[j] - times[i] < 1000) j++;
      most = Math.max(most, j - i);
    }
    rows.push(judged('Tree', `refresh events for ${tr.changes.toLocaleString('en-US')} status changes in ${fmt(tr.changeWindowMs / 1000)} s: most in any 1 s`, most, '/s', 10, 'lower',
      `${tr.refreshEvents} onDidChangeTreeData events in all, the last ${fmt(tr.refreshSpanMs)} ms after the first change (the provider's own 100 ms batching); fired at ${times.map((t) => fmt(t, 0)).join(', ')} ms`));
  } else rows.push(missing('Tree', 'in VS Code at 10,000 runs', tr?.error ?? 'not measured', '<= 20 ms'));

  if (r.notes.length) rows.push(info('Host', 'in-host phases', `${fmt(r.totalMs / 1000)} s`, r.totalMs / 1000, r.notes.join('; ')));
  return rows;
}
