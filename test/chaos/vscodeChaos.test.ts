// The chaos parts that must run inside a real VS Code (test/vscode/chaos/suite/*.test.ts:
// the one-minute rate-limit test and the soak in the extension host), launched the way `npm run test:vscode` launches
// the fast suites: @vscode/test-electron's runTests with our launcher standing in for the
// VS Code binary, but with this folder's own mocha entry (out/test/vscode/chaos/index.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { provisionVSCode } from '../vscode/host/provision';
import { readTestResult } from '../vscode/host/testResult';
import { SOAK_SECONDS } from './soakKit';

const repo = path.resolve(__dirname, '..', '..', '..');
const vscodeOut = path.join(repo, 'out', 'test', 'vscode');

/** The same stand-in executable test/vscode/runTests.ts writes (that file runs on import, so it is not imported). */
function launcherExecutable(): string {
  const launcher = path.join(vscodeOut, 'host', 'launcher.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runs-chaos-bin-'));
  const file = path.join(dir, 'code');
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(file, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(launcher)} "$@"\n`, { mode: 0o755 });
  return file;
}

// The soak, plus the rate-limit minute, start-up and slack.
const TIMEOUT_MS = (SOAK_SECONDS + 15 * 60) * 1000;

test('chaos suites inside VS Code (rate limits, soak)', { timeout: TIMEOUT_MS }, async () => {
  const entry = path.join(vscodeOut, 'chaos', 'index.js');
  assert.ok(fs.existsSync(entry), `${entry} is built (npm run build)`);
  const paths = await provisionVSCode();
  const executable = launcherExecutable();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runs-chaos-result-'));
  const resultFile = path.join(runDir, 'result.json');
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: repo,
      extensionTestsPath: entry,
      launchArgs: [path.join(repo, 'test', 'fixtures', 'workspace')],
      extensionTestsEnv: {
        FLOW_RUNS_TEST_RESULT: resultFile,
        FLOW_RUNS_VSCODE_NODE: paths.node24,
        FLOW_RUNS_VSCODE_SERVER_MAIN: paths.serverMain,
        FLOW_RUNS_CHROMIUM: paths.chromium,
        FLOW_RUNS_SOAK_SECONDS: String(SOAK_SECONDS),
        FLOW_RUNS_TEST_TIMEOUT_MS: String(TIMEOUT_MS),
      },
    }).catch(() => 1);
    const result = readTestResult(resultFile);
    assert.ok(result, 'the suites ran to the end and wrote a result (see test-results/vscode-server.log)');
    for (const f of result.failures) process.stdout.write(`FAILED: ${f.title}\n${f.error}\n`);
    assert.ok(result.passed + result.failed > 0, 'some test ran');
    assert.deepEqual(result.failures.map((f) => `${f.title}: ${f.error.split('\n')[0]}`), []);
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
    fs.rmSync(path.dirname(executable), { recursive: true, force: true });
  }
});
