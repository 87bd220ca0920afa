// The mocha entry VS Code loads in the extension host (extensionTestsPath): runs
// out/test/vscode/suite/**/*.test.js with the tdd UI (suite/test), writes the verdict to
// FLOW_RUNS_TEST_RESULT, streams progress to the launcher and screenshots the workbench at the
// end of each top-level suite. Filters: FLOW_RUNS_TEST_FILES (comma-separated substrings of
// the file path) and FLOW_RUNS_TEST_GREP (mocha grep on full titles). The web worker extension
// host has its own entry (web/index.ts) around the same recorder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { writeTestResult } from './host/testResult';
import { errorText, RunRecorder, screenshotEachSuite } from './util/testVerdict';
import { canDriveWorkbench, controlUrl, progressReporter, screenshot } from './util/workbench';

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

async function applyTheme(): Promise<void> {
  const theme = process.env.FLOW_RUNS_TEST_THEME;
  if (!theme) return;
  const config = vscode.workspace.getConfiguration('workbench');
  if (config.get('colorTheme') !== theme) await config.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
}

export async function run(): Promise<void> {
  const resultFile = process.env.FLOW_RUNS_TEST_RESULT;
  const report = progressReporter();
  const recorder = new RunRecorder((line) => void report(line));

  // Rejections nobody handled are bugs even when no assertion noticed them. VS Code's own
  // handler may re-emit the same reason, so each one counts once.
  const seen = new Set<unknown>();
  const onRejection = (reason: unknown): void => {
    if (seen.has(reason)) return;
    seen.add(reason);
    const during = recorder.currentTest ? ` (during "${recorder.currentTest}")` : '';
    recorder.fail(`unhandled promise rejection in the extension host${during}`, reason);
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
    if (canDriveWorkbench()) screenshotEachSuite(mocha.suite, screenshot);
    for (const f of files) mocha.addFile(f);

    await report(`[tests] ${files.length} file(s): ${files.map((f) => path.relative(suiteDir, f)).join(', ') || 'none'}`);
    await new Promise<void>((resolve) => recorder.attach(mocha.run(() => resolve())));
  } catch (e) {
    recorder.fail('the test runner itself', e);
  } finally {
    process.off('unhandledRejection', onRejection);
    const result = recorder.result();
    if (resultFile) writeTestResult(resultFile, result);
    await report(`[tests] ${result.passed} passed, ${result.failed} failed`);
  }
  if (recorder.result().failed > 0) throw new Error(`${recorder.result().failed} test(s) failed`);
}
