// The result file the mocha runner inside VS Code writes (its path is in FLOW_RUNS_TEST_RESULT):
// the extension host exits 0 even when tests fail, so this file is the verdict. (The web worker
// cannot write files: its runner posts the verdict to the control server, which writes it here.)
import * as fs from 'node:fs';
import { asTestResult, type TestResult } from '../util/testVerdict';

export { slug, type SuiteTime, type TestFailure, type TestRecord, type TestResult } from '../util/testVerdict';

/** Reads and checks a result file; undefined when it is missing or malformed. */
export function readTestResult(file: string): TestResult | undefined {
  try {
    return asTestResult(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/** Writes atomically, so a reader never sees half a file. */
export function writeTestResult(file: string, result: TestResult): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2));
  fs.renameSync(tmp, file);
}
