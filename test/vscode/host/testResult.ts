// The result file the mocha runner inside VS Code writes (its path is in FLOW_RUNS_TEST_RESULT):
// the extension host exits 0 even when tests fail, so this file is the verdict.
import * as fs from 'node:fs';

export interface TestFailure {
  title: string;
  error: string;
}

export interface TestRecord {
  title: string;
  file?: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
}

/** A top-level suite's wall time, hooks (set-up, teardown, screenshots) included. */
export interface SuiteTime {
  title: string;
  file?: string;
  durationMs: number;
  /** Of which in set-up, teardown and screenshot hooks. */
  hooksMs?: number;
}

export interface TestResult {
  passed: number;
  failed: number;
  pending: number;
  failures: TestFailure[];
  tests: TestRecord[];
  suites?: SuiteTime[];
}

function isFailure(v: unknown): v is TestFailure {
  return !!v && typeof v === 'object' && 'title' in v && typeof v.title === 'string' && 'error' in v && typeof v.error === 'string';
}

/** Reads and checks a result file; undefined when it is missing or malformed. */
export function readTestResult(file: string): TestResult | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const r = parsed as Record<string, unknown>;
  if (typeof r.passed !== 'number' || typeof r.failed !== 'number' || !Array.isArray(r.failures)) return undefined;
  return {
    passed: r.passed,
    failed: r.failed,
    pending: typeof r.pending === 'number' ? r.pending : 0,
    failures: r.failures.filter(isFailure),
    tests: Array.isArray(r.tests) ? (r.tests as TestRecord[]) : [],
    suites: Array.isArray(r.suites) ? (r.suites as SuiteTime[]) : [],
  };
}

/** Writes atomically, so a reader never sees half a file. */
export function writeTestResult(file: string, result: TestResult): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2));
  fs.renameSync(tmp, file);
}

/** A file-name-safe form of a title: 'Run explorer: cancel' -> 'run-explorer-cancel'. */
export function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return s.slice(0, 100) || 'screenshot';
}
