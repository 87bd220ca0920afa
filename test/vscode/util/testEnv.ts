// The test run's settings (FLOW_RUNS_TEST_*): the environment in the Node extension host; in the
// web worker extension host, which has no `process`, what the launcher wrote at the top of the
// tests module (test/vscode/host/webTests.ts), the same names.

/** Where the launcher puts the settings for the web worker (a global, so every bundle sees them). */
export const WEB_TEST_ENV = 'flowRunsTestEnv';
/** Where it puts the selected web suite files: `{ file, load }[]`, `load` runs the file's bundle. */
export const WEB_SUITES = 'flowRunsWebSuites';

export function testEnv(name: string): string | undefined {
  const injected = (globalThis as Record<string, unknown>)[WEB_TEST_ENV];
  if (injected && typeof injected === 'object') {
    const value = (injected as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return typeof process === 'undefined' ? undefined : process.env[name];
}
