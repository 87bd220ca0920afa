// What a mocha run inside VS Code hands back to the launcher (the verdict), and the recorder
// that fills it from the runner's events. Shared by the Node runner (test/vscode/index.ts) and
// the web worker's (test/vscode/web/index.ts); no Node modules here.
import type Mocha from 'mocha';

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

/** Checks a parsed result (from a file or a request); undefined when it is malformed. */
export function asTestResult(parsed: unknown): TestResult | undefined {
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

/** A file-name-safe form of a title: 'Run explorer: cancel' -> 'run-explorer-cancel'. */
export function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return s.slice(0, 100) || 'screenshot';
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * Records a mocha run: passes, failures, pending tests, each top-level suite's wall time and
 * its hooks' time by kind; `report` gets the progress lines the launcher prints.
 */
export class RunRecorder {
  private passed = 0;
  private pending = 0;
  private readonly failures: TestFailure[] = [];
  private readonly tests: TestRecord[] = [];
  private readonly suites: SuiteTime[] = [];
  /** The full title of the test running now, '' between tests (names an unhandled rejection). */
  currentTest = '';

  constructor(private readonly report: (line: string) => void) {}

  result(): TestResult {
    return { passed: this.passed, failed: this.failures.length, pending: this.pending, failures: this.failures, tests: this.tests, suites: this.suites };
  }

  /** A failure outside any test's own assertions (an unhandled rejection, the runner itself). */
  fail(title: string, err: unknown): void {
    this.failures.push({ title, error: errorText(err) });
  }

  attach(runner: Mocha.Runner): void {
    const report = this.report;
    runner.on('test', (t) => (this.currentTest = t.fullTitle()));
    runner.on('test end', () => (this.currentTest = ''));
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
      if (s.title) report(`${'  '.repeat(Math.max(0, s.titlePath().length - 1))}${s.title}`);
    });
    // Each top-level suite's wall time, hooks included: where the minutes go.
    runner.on('suite end', (s) => {
      const start = suiteStarts.get(s);
      if (!s.title || s.titlePath().length !== 1 || start === undefined) return;
      const durationMs = Date.now() - start;
      this.suites.push({ title: s.title, file: s.file, durationMs, hooksMs: hookMs.get(s.title) });
      const kinds = [...(hookKinds.get(s.title) ?? [])].map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ');
      report(`  (${s.title}: ${(durationMs / 1000).toFixed(1)} s${kinds ? `; hooks: ${kinds}` : ''})`);
    });
    runner.on('pass', (t) => {
      this.passed++;
      this.tests.push({ title: t.fullTitle(), file: t.file, state: 'passed', durationMs: t.duration });
      report(`${'  '.repeat(t.titlePath().length - 1)}✔ ${t.title}`);
    });
    runner.on('fail', (t, err) => {
      this.failures.push({ title: t.fullTitle(), error: errorText(err) });
      this.tests.push({ title: t.fullTitle(), file: t.file, state: 'failed', durationMs: t.duration });
      report(`${'  '.repeat(Math.max(0, t.titlePath().length - 1))}✘ ${t.title}: ${errorText(err).split('\n')[0]}`);
    });
    runner.on('pending', (t) => {
      this.pending++;
      this.tests.push({ title: t.fullTitle(), file: t.file, state: 'pending' });
    });
  }
}

/**
 * Adds a screenshot at the end of each top-level suite (one per file, usually). The hook is
 * added as the suite is created, so it runs before the suite's own teardown has tidied up.
 */
export function screenshotEachSuite(root: Mocha.Suite, take: (name: string) => Promise<unknown>): void {
  // (Mocha's Suite is an EventEmitter at runtime; its typings do not say so.)
  (root as unknown as { on(event: 'suite', fn: (child: Mocha.Suite) => void): void }).on('suite', (child) => {
    const name = slug(child.title);
    child.afterAll(`screenshot ${name}`, async function () {
      this.timeout(30_000);
      await take(name);
    });
  });
}
