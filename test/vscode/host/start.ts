// `npm start` (through scripts/start.js): the local sandbox, a demo workspace of sample input
// files, and VS Code in the browser with the extension loaded in development mode and connected
// to the sandbox. Prints the address to open; Ctrl-C stops everything.
//   --check        load the workbench once in headless Chromium, check the Runs view shows the
//                  sandbox's runs, save test-results/start.png, stop, exit 0 (nonzero on failure)
//   --port N       VS Code's port (default: a free one)
//   --desktop      use a desktop `code` from PATH instead of the browser
//   --speed X      sandbox pace (default 1)   --seed-runs N  sandbox history (default 40)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { openWorkbench } from './browser';
import { provisionVSCode } from './provision';
import { startVSCodeServer, workbenchUrl, type RunningServer } from './vscodeServer';

export interface StartOptions {
  check: boolean;
  port: number;
  desktop: boolean;
  speed: string;
  seedRuns: string;
}

export function parseStartArgs(argv: string[]): StartOptions {
  const opts: StartOptions = { check: false, port: 0, desktop: false, speed: '1', seedRuns: '40' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--check') opts.check = true;
    else if (a === '--desktop') opts.desktop = true;
    else if (a === '--port') opts.port = Number(value());
    else if (a === '--speed') opts.speed = value();
    else if (a === '--seed-runs') opts.seedRuns = value();
    else throw new Error(`unknown option ${a} (known: --check, --port N, --desktop, --speed X, --seed-runs N)`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('--port needs a port number');
  return opts;
}

interface Sandbox {
  url: string;
  key: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts `node dist/sandbox.js` and reads its address and key from stdout; the key never reaches a log. */
function startSandbox(repo: string, opts: StartOptions, logFile: string): Promise<Sandbox> {
  const child = spawn(process.execPath, [path.join(repo, 'dist', 'sandbox.js'), '--port', '0', '--speed', opts.speed, '--seed-runs', opts.seedRuns], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const log = fs.createWriteStream(logFile);
  let key = '';
  const redact = (line: string): string => (key ? line.split(key).join('<sandbox key>') : line);
  child.stderr.on('data', (c: Buffer) => log.write(redact(c.toString())));
  void exited.then(() => log.end());
  return new Promise<Sandbox>((resolve, reject) => {
    let url = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the sandbox did not print its address within 30 s; see ${logFile}`));
    }, 30_000);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const k = /^API key: (\S+)/.exec(line);
      if (k) key = k[1];
      const u = /listening on (https?:\/\/\S+)/.exec(line);
      if (u) url = u[1].replace(/\/+$/, '');
      log.write(redact(line) + '\n');
      if (url && key) {
        clearTimeout(timer);
        resolve({ url, key, child, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited with code ${code ?? 'null'}; see ${logFile}`));
    });
  });
}

/** .vscode-test/demo-workspace: the samples, settings pointing at the sandbox, and a README that opens first. */
function writeDemoWorkspace(repo: string, sandboxUrl: string): string {
  const dir = path.join(repo, '.vscode-test', 'demo-workspace');
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  const samples = path.join(repo, 'samples');
  const copied: string[] = [];
  if (fs.existsSync(samples)) {
    for (const entry of fs.readdirSync(samples, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      fs.copyFileSync(path.join(samples, entry.name), path.join(dir, entry.name));
      if (entry.name.endsWith('.json')) copied.push(entry.name);
    }
  }
  fs.writeFileSync(
    path.join(dir, '.vscode', 'settings.json'),
    JSON.stringify({ 'flowRuns.apiUrl': sandboxUrl, 'flowRuns.webUrl': `${sandboxUrl}/app` }, null, 2) + '\n',
  );
  if (!fs.existsSync(path.join(samples, 'README.md'))) {
    const list = copied.sort().map((f) => `- [${f}](${encodeURI(f)})`).join('\n') || '- (no samples yet)';
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      `# Flow Runs demo workspace\n\nThe extension is connected to a local sandbox at ${sandboxUrl}: no account needed.\n\n` +
        `Open the **Flow Runs** view in the activity bar to see runs. Open a sample input file and run\n` +
        `**Flow Runs: Run Flow** (command palette, or the ▷ button in the editor title):\n\n${list}\n`,
    );
  }
  return dir;
}

function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('VSCODE_') && !k.startsWith('ELECTRON_')) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Opens the workbench headless, checks the Runs view lists the sandbox's runs, saves a screenshot. */
async function check(url: string, chromium: string, repo: string): Promise<void> {
  const results = path.join(repo, 'test-results');
  const workbench = await openWorkbench({ chromium, url, consoleLogFile: path.join(results, 'start-browser-console.log') });
  try {
    const page = workbench.page;
    await page.locator('.activitybar [aria-label^="Flow Runs"]').first().click({ timeout: 60_000 });
    // Seeded history lands in the Completed group once the extension has fetched it.
    const group = page.locator('.pane-body .monaco-list-row').filter({ hasText: /Completed/ }).first();
    let problem: string | undefined;
    try {
      await group.waitFor({ state: 'visible', timeout: 60_000 });
    } catch {
      problem = 'the Runs view did not show the sandbox\'s runs (no "Completed" group) within 60 s';
    }
    // The README opens in a Markdown preview (a webview); let it render before the picture.
    const readme = async (): Promise<void> => {
      for (let i = 0; i < 50; i++) {
        for (const frame of page.frames()) {
          if ((await frame.getByText('Flow Runs demo workspace').filter({ visible: true }).count().catch(() => 0)) > 0) return;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    await readme();
    await page.screenshot({ path: path.join(results, 'start.png'), fullPage: true });
    console.log(`[start] screenshot: ${path.join(results, 'start.png')}`);
    if (problem) throw new Error(problem);
  } finally {
    await workbench.close();
  }
}

export async function start(repo: string, opts: StartOptions): Promise<number> {
  for (const f of ['dist/extension.js', 'dist/sandbox.js']) {
    if (!fs.existsSync(path.join(repo, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const logs = path.join(repo, '.vscode-test', 'start');
  fs.mkdirSync(logs, { recursive: true });
  const desktop = opts.desktop && spawnSync('sh', ['-c', 'command -v code'], { stdio: 'ignore' }).status === 0;
  if (opts.desktop && !desktop) console.log('[start] no `code` on PATH: using VS Code in the browser');
  const paths = desktop ? undefined : await provisionVSCode((line) => console.log(`[start] ${line}`));

  const sandbox = await startSandbox(repo, opts, path.join(logs, 'sandbox.log'));
  console.log(`[start] sandbox on ${sandbox.url} (log: ${path.relative(repo, logs)}/sandbox.log)`);
  const folder = writeDemoWorkspace(repo, sandbox.url);
  const devEnv = { FLOW_RUNS_DEV_API_KEY: sandbox.key, FLOW_RUNS_DEV_API_URL: sandbox.url };

  let server: RunningServer | undefined;
  let desktopChild: ChildProcess | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      await server?.stop();
      desktopChild?.kill('SIGTERM');
      if (sandbox.child.exitCode === null) {
        sandbox.child.kill('SIGTERM');
        await Promise.race([sandbox.exited, new Promise((r) => setTimeout(r, 5000))]);
        if (sandbox.child.exitCode === null) sandbox.child.kill('SIGKILL');
      }
    })();
    return stopping;
  };

  try {
    if (desktop) {
      desktopChild = spawn('code', ['--new-window', `--extensionDevelopmentPath=${repo}`, folder], {
        env: serverEnv(devEnv),
        stdio: 'inherit',
      });
      console.log(`[start] opened desktop VS Code on ${folder}`);
    } else if (paths) {
      server = await startVSCodeServer({
        paths,
        port: opts.port,
        env: serverEnv(devEnv),
        logFile: path.join(logs, 'vscode-server.log'),
        settings: { 'workbench.startupEditor': 'readme' },
      });
      const url = workbenchUrl({ origin: server.origin, folder, extensionDevelopmentPath: repo });
      if (opts.check) {
        await check(url, paths.chromium, repo);
        console.log('[start] check passed: the workbench shows the extension connected to the sandbox');
        return 0;
      }
      console.log('');
      console.log('  Flow Runs is ready. Open this address in a browser (VS Code with the extension in development mode):');
      console.log('');
      console.log(`  ${url}`);
      console.log('');
      console.log(`  Logs: ${path.relative(repo, logs)}/. Press Ctrl-C to stop everything.`);
    }
    return await new Promise<number>((resolve) => {
      let done = false;
      const onSignal = (sig: string): void => {
        done = true;
        console.log(`\n[start] ${sig}: stopping`);
        resolve(0);
      };
      process.once('SIGINT', () => onSignal('SIGINT'));
      process.once('SIGTERM', () => onSignal('SIGTERM'));
      void sandbox.exited.then((code) => {
        if (done) return;
        done = true;
        console.error(`[start] the sandbox stopped (code ${code ?? 'null'}); see ${logs}/sandbox.log`);
        resolve(1);
      });
      void server?.exited.then((code) => {
        if (done) return;
        done = true;
        console.error(`[start] the VS Code server stopped (code ${code ?? 'null'}); see ${logs}/vscode-server.log`);
        resolve(1);
      });
    });
  } finally {
    await stopAll();
  }
}

export function main(repo: string, argv: string[]): void {
  let opts: StartOptions;
  try {
    opts = parseStartArgs(argv);
  } catch (e) {
    console.error(`[start] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  start(repo, opts).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`[start] ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
