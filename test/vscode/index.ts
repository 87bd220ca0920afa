// The mocha entry VS Code loads in the extension host (extensionTestsPath): runs
// out/test/vscode/suite/**/*.test.js with the tdd UI (suite/test), writes the verdict to
// FLOW_RUNS_TEST_RESULT, streams progress to the launcher and screenshots the workbench at the
// end of each top-level suite. Filters: FLOW_RUNS_TEST_FILES (comma-separated substrings of
// the file path) and FLOW_RUNS_TEST_GREP (mocha grep on full titles).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { slug, writeTestResult, type SuiteTime, type TestFailure, type TestRecord, type TestResult } from './host/testResult';
import { canDriveWorkbench, controlUrl, screenshot } from './util/workbench';

function listTestFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTestFiles(p));
    else if (entry.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

let reportQueue: Promise<void> = Promise.resolve();

/** Sends a progress line to the launcher, which prints it, in order; never fails a test. */
function report(line: string): Promise<void> {
  reportQueue = reportQueue.then(async () => {
    if (!canDriveWorkbench()) {
      console.log(line);
      return;
    }
    try {
      await fetch(`${controlUrl()}/log`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ line }),
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      console.log(line);
    }
  });
  return reportQueue;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

async function applyTheme(): Promise<void> {
  const theme = process.env.FLOW_RUNS_TEST_THEME;
  if (!theme) return;
  const config = vscode.workspace.getConfiguration('workbench');
  if (config.get('colorTheme') !== theme) await config.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
}

export async function run(): Promise<void> {
  const resultFile = process.env.FLOW_RUNS_TEST_RESULT;
  const failures: TestFailure[] = [];
  const tests: TestRecord[] = [];
  const suites: SuiteTime[] = [];
  let passed = 0;
  let pending = 0;
  const finish = (): TestResult => ({ passed, failed: failures.length, pending, failures, tests, suites });

  // Rejections nobody handled are bugs even when no assertion noticed them. VS Code's own
  // handler may re-emit the same reason, so each one counts once.
  let currentTest = '';
  const seen = new Set<unknown>();
  const onRejection = (reason: unknown): void => {
    if (seen.has(reason)) return;
    seen.add(reason);
    const during = currentTest ? ` (during "${currentTest}")` : '';
    failures.push({ title: `unhandled promise rejection in the extension host${during}`, error: errorText(reason) });
    void report(`  ✘ unhandled rejection${during}: ${errorText(reason).split('\n')[0]}`);
  };
  process.on('unhandledRejection', onRejection);

  try {
    if (canDriveWorkbench()) {
      await fetch(`${controlUrl()}/started`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    }
    await applyTheme();

    const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: Mocha.reporters.Base });
    const grep = process.env.FLOW_RUNS_TEST_GREP;
    if (grep) mocha.grep(grep);
    const filters = (process.env.FLOW_RUNS_TEST_FILES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const suiteDir = path.join(__dirname, 'suite');
    const files = listTestFiles(suiteDir).filter((f) => filters.length === 0 || filters.some((s) => path.relative(suiteDir, f).includes(s)));
    // A screenshot at the end of each top-level suite (one per file, usually). The hook is added
    // as the suite is created, so it runs before the suite's own teardown has tidied up.
    // (Mocha's Suite is an EventEmitter at runtime; its typings do not say so.)
    (mocha.suite as unknown as NodeJS.EventEmitter).on('suite', (child: Mocha.Suite) => {
      const name = slug(child.title);
      child.afterAll(`screenshot ${name}`, async function () {
        this.timeout(30_000);
        if (canDriveWorkbench()) await screenshot(name);
      });
    });
    for (const f of files) mocha.addFile(f);

    await report(`[tests] ${files.length} file(s): ${files.map((f) => path.relative(suiteDir, f)).join(', ') || 'none'}`);

    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('test', (t) => (currentTest = t.fullTitle()));
      runner.on('test end', () => (currentTest = ''));
      const suiteStarts = new Map<Mocha.Suite, number>();
      const hookMs = new Map<string, number>();
      // Per suite, per kind of hook ("before all", "after each", …): which hooks cost the time.
      const hookKinds = new Map<string, Map<string, number>>();
      runner.on('hook end', (h) => {
        const top = h.titlePath()[0];
        if (top === undefined || h.duration === undefined) return;
        hookMs.set(top, (hookMs.get(top) ?? 0) + h.duration);
        const kind = /^"([^"]+)"/.exec(h.title)?.[1] ?? h.title;
        const kinds = hookKinds.get(top) ?? new Map<string, number>();
        kinds.set(kind, (kinds.get(kind) ?? 0) + h.duration);
        hookKinds.set(top, kinds);
      });
      runner.on('suite', (s) => {
        suiteStarts.set(s, Date.now());
        if (s.title) void report(`${'  '.repeat(Math.max(0, s.titlePath().length - 1))}${s.title}`);
      });
      // Each top-level suite's wall time, hooks included: where the minutes go.
      runner.on('suite end', (s) => {
        const start = suiteStarts.get(s);
        if (!s.title || s.titlePath().length !== 1 || start === undefined) return;
        const durationMs = Date.now() - start;
        suites.push({ title: s.title, file: s.file, durationMs, hooksMs: hookMs.get(s.title) });
        const kinds = [...(hookKinds.get(s.title) ?? [])].map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ');
        void report(`  (${s.title}: ${(durationMs / 1000).toFixed(1)} s${kinds ? `; hooks: ${kinds}` : ''})`);
      });
      runner.on('pass', (t) => {
        passed++;
        tests.push({ title: t.fullTitle(), file: t.file, state: 'passed', durationMs: t.duration });
        void report(`${'  '.repeat(t.titlePath().length - 1)}✔ ${t.title}`);
      });
      runner.on('fail', (t, err) => {
        failures.push({ title: t.fullTitle(), error: errorText(err) });
        tests.push({ title: t.fullTitle(), file: t.file, state: 'failed', durationMs: t.duration });
        void report(`${'  '.repeat(Math.max(0, t.titlePath().length - 1))}✘ ${t.title}: ${errorText(err).split('\n')[0]}`);
      });
      runner.on('pending', (t) => {
        pending++;
        tests.push({ title: t.fullTitle(), file: t.file, state: 'pending' });
      });
    });
  } catch (e) {
    failures.push({ title: 'the test runner itself', error: errorText(e) });
  } finally {
    process.off('unhandledRejection', onRejection);
    const result = finish();
    if (resultFile) writeTestResult(resultFile, result);
    await report(`[tests] ${result.passed} passed, ${result.failed} failed`);
  }
  if (failures.length > 0) throw new Error(`${failures.length} test(s) failed`);
}
