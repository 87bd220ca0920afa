// The mocha entry for the web worker extension host (the browser build of the extension runs
// there). The worker has no file system and no `process`: the launcher composes one tests
// module (host/webTests.ts) from the settings, this runner and the selected suite bundles;
// progress and the verdict go to the launcher's control server (the extension host exits 0
// even when tests fail, so the verdict is what counts). Mocha is its prebuilt browser bundle.
import 'mocha/mocha.js';
import { testEnv, WEB_SUITES } from '../util/testEnv';
import { errorText, RunRecorder, screenshotEachSuite } from '../util/testVerdict';
import { canDriveWorkbench, control, progressReporter, screenshot } from '../util/workbench';

interface WebSuiteFile {
  file: string;
  load: () => void;
}

function suiteFiles(): WebSuiteFile[] {
  const files = (globalThis as Record<string, unknown>)[WEB_SUITES];
  return Array.isArray(files) ? (files as WebSuiteFile[]) : [];
}

/** The worker global's events (no DOM typings here: the project compiles against Node's). */
interface WorkerEvents {
  addEventListener(type: 'unhandledrejection', fn: (e: { reason: unknown }) => void): void;
  removeEventListener(type: 'unhandledrejection', fn: (e: { reason: unknown }) => void): void;
}

export async function run(): Promise<void> {
  const report = progressReporter();
  const recorder = new RunRecorder((line) => void report(line));
  const seen = new Set<unknown>();
  const onRejection = (e: { reason: unknown }): void => {
    if (seen.has(e.reason)) return;
    seen.add(e.reason);
    const during = recorder.currentTest ? ` (during "${recorder.currentTest}")` : '';
    recorder.fail(`unhandled promise rejection in the web worker extension host${during}`, e.reason);
    void report(`  ✘ unhandled rejection${during}: ${errorText(e.reason).split('\n')[0]}`);
  };
  const events = globalThis as unknown as WorkerEvents;
  events.addEventListener('unhandledrejection', onRejection);
  try {
    if (!canDriveWorkbench()) throw new Error('the web tests need the launcher (FLOW_RUNS_TEST_CONTROL_URL was not passed in)');
    await control('started', {}, (v): v is true => v === true);
    // The base reporter prints nothing: the recorder reports.
    mocha.setup({ ui: 'tdd', timeout: 60_000, reporter: 'base' });
    const grep = testEnv('FLOW_RUNS_TEST_GREP');
    if (grep) mocha.grep(grep);
    screenshotEachSuite(mocha.suite, screenshot);
    const files = suiteFiles();
    for (const suiteFile of files) {
      // Gives the suites created by this file their file name, as mocha.addFile does in Node.
      mocha.suite.emit('pre-require', globalThis, suiteFile.file, mocha);
      suiteFile.load();
    }
    await report(`[tests] ${files.length} file(s) in the web worker: ${files.map((f) => f.file).join(', ') || 'none'}`);
    await new Promise<void>((resolve) => recorder.attach(mocha.run(() => resolve())));
  } catch (e) {
    recorder.fail('the web test runner itself', e);
  } finally {
    events.removeEventListener('unhandledrejection', onRejection);
    const result = recorder.result();
    await control('result', { result }, (v): v is true => v === true).catch((e: unknown) => report(`[tests] the verdict did not reach the launcher: ${errorText(e)}`));
    await report(`[tests] ${result.passed} passed, ${result.failed} failed`);
  }
  if (recorder.result().failed > 0) throw new Error(`${recorder.result().failed} test(s) failed`);
}
