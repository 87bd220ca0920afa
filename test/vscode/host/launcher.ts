// Stands in for the VS Code binary that @vscode/test-electron's runTests() spawns: starts
// VS Code's server, opens the workbench in Chromium with the extension under development and
// its tests, waits for the result file the mocha runner writes, and exits with its verdict.
// Usage (as runTests calls it): launcher.js [folder] --extensionDevelopmentPath=P --extensionTestsPath=T [...]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { openWorkbench, type OpenedWorkbench } from './browser';
import { startControlServer, type ControlServer } from './controlServer';
import { expectedPaths, provisionVSCode, vscodeCacheRoot, type VSCodePaths } from './provision';
import { sandboxControl, type SandboxControl } from './sandboxControl';
import { readTestResult, writeTestResult } from './testResult';
import { startVSCodeServer, workbenchUrl, type RunningServer } from './vscodeServer';
import { filesContaining, webSuiteFiles, webWorkerSettings, writeWebTestsModule } from './webTests';
import { asTestResult } from '../util/testVerdict';

export interface LauncherArgs {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  folder?: string;
}

/** Parses the flags runTests passes (`--flag=value` or `--flag value`); ignores the rest. */
export function parseLauncherArgs(argv: string[]): LauncherArgs {
  const values = new Map<string, string>();
  const positional: string[] = [];
  const wanted = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'folder-uri']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) values.set(key, arg.slice(eq + 1));
    else if (wanted.has(key) && i + 1 < argv.length) values.set(key, argv[++i]);
  }
  const dev = values.get('extensionDevelopmentPath');
  const tests = values.get('extensionTestsPath');
  if (!dev || !tests) throw new Error('launcher: --extensionDevelopmentPath and --extensionTestsPath are required');
  const folderUri = values.get('folder-uri');
  const folder = positional[0] ?? (folderUri?.startsWith('file://') ? new URL(folderUri).pathname : undefined);
  return {
    extensionDevelopmentPath: path.resolve(dev),
    extensionTestsPath: path.resolve(tests),
    folder: folder ? path.resolve(folder) : undefined,
  };
}

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** The environment the server (and so the extension host) gets: ours, minus a parent VS Code's. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

async function resolvePaths(): Promise<VSCodePaths> {
  const { FLOW_RUNS_VSCODE_NODE: node24, FLOW_RUNS_VSCODE_SERVER_MAIN: serverMain, FLOW_RUNS_CHROMIUM: chromium } = process.env;
  if (node24 && serverMain && fs.existsSync(node24) && fs.existsSync(serverMain)) {
    return { ...expectedPaths(), node24, serverMain, chromium: chromium ?? expectedPaths().chromium };
  }
  return provisionVSCode();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function launch(args: LauncherArgs): Promise<number> {
  const launched = Date.now();
  const since = (): string => `${((Date.now() - launched) / 1000).toFixed(1)} s`;
  const repo = args.extensionDevelopmentPath;
  const resultsDir = path.resolve(process.env.FLOW_RUNS_TEST_RESULTS_DIR ?? path.join(repo, 'test-results'));
  // Two windows side by side (runTests.ts) keep their logs apart.
  const logSuffix = process.env.FLOW_RUNS_TEST_SHARD ? `-${process.env.FLOW_RUNS_TEST_SHARD}` : '';
  fs.mkdirSync(resultsDir, { recursive: true });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runs-test-'));
  const resultFile = path.resolve(process.env.FLOW_RUNS_TEST_RESULT ?? path.join(runDir, 'result.json'));
  fs.rmSync(resultFile, { force: true });

  // Tests may write into the workspace: give each run its own copy.
  const source = args.folder ?? path.join(repo, 'test', 'fixtures', 'workspace');
  const folder = path.join(runDir, 'workspace');
  if (fs.existsSync(source)) fs.cpSync(source, folder, { recursive: true });
  else fs.mkdirSync(folder, { recursive: true });

  // FLOW_RUNS_TEST_WEB=1 (runTests.ts's web window): the extension and its tests run in the
  // browser's web worker extension host (webTests.ts says how).
  const web = process.env.FLOW_RUNS_TEST_WEB === '1';
  const consoleLogFile = path.join(resultsDir, `browser-console${logSuffix}.log`);

  let server: RunningServer | undefined;
  let workbench: OpenedWorkbench | undefined;
  let control: ControlServer | undefined;
  let sandboxes: SandboxControl | undefined;
  let webTestsModule: string | undefined;
  let stopping = false;
  const cleanup = async (): Promise<void> => {
    await workbench?.close();
    await control?.close();
    await sandboxes?.close();
    await server?.stop();
    if (webTestsModule) fs.rmSync(webTestsModule, { force: true });
    fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.error(`[launcher] ${sig}: stopping VS Code`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const paths = await resolvePaths();
    let started = false;
    let resolvePage: (p: Page) => void = () => undefined;
    let rejectPage: (e: unknown) => void = () => undefined;
    const pageReady = new Promise<Page>((res, rej) => {
      resolvePage = res;
      rejectPage = rej;
    });
    pageReady.catch(() => undefined);
    if (web) sandboxes = sandboxControl(path.join(resultsDir, `web-sandbox${logSuffix}.log`));
    control = await startControlServer(pageReady, resultsDir, {
      onLog: (line) => console.log(line),
      onStarted: () => {
        started = true;
        console.log(`[launcher] the tests started in the ${web ? 'web worker ' : ''}extension host ${since()} after launch`);
      },
      actions: web
        ? {
          ...sandboxes?.actions,
          // The worker cannot write the result file: it posts the verdict.
          result: (body) => {
            const result = asTestResult(body.result);
            if (!result) return Promise.reject(new Error('"result" is not a test result'));
            writeTestResult(resultFile, result);
            return Promise.resolve(true);
          },
          // The web half of the bench (web/bench.ts) hands its figures here (FLOW_RUNS_BENCH_OUT).
          benchResult: (body) => {
            const out = process.env.FLOW_RUNS_BENCH_OUT;
            if (out) fs.writeFileSync(out, JSON.stringify(body.result ?? null, null, 2));
            return Promise.resolve(true);
          },
          filesContaining: (body) => {
            const texts = Array.isArray(body.texts) ? body.texts.filter((t): t is string => typeof t === 'string' && t.length > 0) : [];
            return Promise.resolve(filesContaining([server?.dataDir ?? '', folder, consoleLogFile], texts));
          },
        }
        : undefined,
    });

    const serverLog = path.join(resultsDir, `vscode-server${logSuffix}.log`);
    server = await startVSCodeServer({
      paths,
      logFile: serverLog,
      // No smooth scrolling or blinking cursor: repaints nobody watches under test (npm start keeps them).
      settings: {
        'workbench.reduceMotion': 'on',
        'editor.cursorBlinking': 'solid',
        'editor.smoothScrolling': false,
        'workbench.list.smoothScrolling': false,
        ...(web ? webWorkerSettings(repo) : {}),
      },
      env: serverEnv({
        // Node keeps the bytecode of VS Code's server and extension host between runs (the
        // files never change): each start compiles less.
        NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(vscodeCacheRoot(), 'node-compile-cache'),
        FLOW_RUNS_TEST_RESULT: resultFile,
        FLOW_RUNS_TEST_CONTROL_URL: control.url,
        FLOW_RUNS_TEST_RESULTS_DIR: resultsDir,
      }),
      // runTests.ts asks for it for the suites that need a window of their own (OWN_WINDOW).
      workspaceTrust: process.env.FLOW_RUNS_WORKSPACE_TRUST === '1',
    });
    let serverExit: number | null | undefined;
    void server.exited.then((code) => (serverExit = code));
    console.log(`[launcher] VS Code server on ${server.origin} after ${since()}; logs in ${resultsDir}`);

    if (web) {
      // What the Node host reads from its environment, written into the tests module.
      const env: Record<string, string> = { FLOW_RUNS_TEST_CONTROL_URL: control.url };
      for (const [k, v] of Object.entries(process.env)) if (k.startsWith('FLOW_RUNS_') && v !== undefined && !(k in env)) env[k] = v;
      const filters = (process.env.FLOW_RUNS_TEST_FILES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      // The suites go with their runner (web/index.js); another module (the web bench) runs alone.
      const suites = path.basename(args.extensionTestsPath) === 'index.js' ? webSuiteFiles(args.extensionTestsPath, filters) : [];
      webTestsModule = writeWebTestsModule(args.extensionTestsPath, env, suites);
    }
    const url = workbenchUrl({
      origin: server.origin,
      folder,
      extensionDevelopmentPath: repo,
      extensionTestsPath: webTestsModule ?? args.extensionTestsPath,
    });
    try {
      workbench = await openWorkbench({
        chromium: paths.chromium,
        url,
        consoleLogFile,
        headless: process.env.FLOW_RUNS_TEST_HEADED !== '1',
        stillAnimations: process.env.FLOW_RUNS_TEST_ANIMATIONS !== '1',
      });
    } catch (e) {
      rejectPage(e);
      throw e;
    }
    resolvePage(workbench.page);
    console.log(`[launcher] workbench page loaded after ${since()}`);
    let pageGone = false;
    workbench.page.on('close', () => (pageGone = true));
    workbench.page.on('crash', () => (pageGone = true));

    const t0 = Date.now();
    const timeoutMs = envNumber('FLOW_RUNS_TEST_TIMEOUT_MS', 25 * 60_000);
    const startTimeoutMs = envNumber('FLOW_RUNS_TEST_START_TIMEOUT_MS', 180_000);
    for (;;) {
      if (fs.existsSync(resultFile)) break;
      if (serverExit !== undefined) throw new Error(`the VS Code server exited (code ${serverExit ?? 'null'}) before the tests finished; see ${serverLog}`);
      if (pageGone) throw new Error('the workbench page closed or crashed before the tests finished; see browser-console.log');
      const waited = Date.now() - t0;
      if (!started && waited > startTimeoutMs) {
        throw new Error(`the test runner did not start in the extension host within ${startTimeoutMs / 1000} s; see ${serverLog} and browser-console.log`);
      }
      if (waited > timeoutMs) throw new Error(`the tests did not finish within ${timeoutMs / 1000} s`);
      await sleep(250);
    }
    const result = readTestResult(resultFile);
    if (!result) throw new Error(`unreadable test result in ${resultFile}`);
    if (result.passed + result.failed === 0) {
      console.error('[launcher] no tests ran (check FLOW_RUNS_TEST_FILES / FLOW_RUNS_TEST_GREP)');
      return 1;
    }
    return result.failed > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!stopping) {
      const stopStarted = Date.now();
      await cleanup();
      console.log(`[launcher] VS Code stopped in ${((Date.now() - stopStarted) / 1000).toFixed(1)} s`);
    }
  }
}

if (require.main === module) {
  let args: LauncherArgs;
  try {
    args = parseLauncherArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
  launch(args).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`[launcher] ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
