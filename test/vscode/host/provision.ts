// Provisions a real VS Code for tests and `npm start` on machines that cannot download it:
// Debian packages (when root), Node 24 and code-server (which carries VS Code's server and
// web workbench) from the npm registry, all in a cache shared by every checkout.
// Idempotent: a marker file per version lets a warm run skip the slow steps.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.22.3';

export interface VSCodePaths {
  /** The cache root (FLOW_RUNS_VSCODE_CACHE or ~/.cache/flow-runs-vscode). */
  cacheRoot: string;
  /** Node 24 binary that runs the VS Code server. */
  node24: string;
  /** lib/vscode/out/server-main.js inside code-server. */
  serverMain: string;
  /** A Chromium binary for playwright-core. */
  chromium: string;
}

export type ProgressLog = (line: string) => void;

const defaultLog: ProgressLog = (line) => console.log(`[provision] ${line}`);

export function vscodeCacheRoot(): string {
  const fromEnv = process.env.FLOW_RUNS_VSCODE_CACHE;
  return fromEnv ? path.resolve(fromEnv) : path.join(os.homedir(), '.cache', 'flow-runs-vscode');
}

function nodePackageName(): string {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  return `node-linux-${arch}`;
}

/** Where everything lives, whether or not it is there yet. */
export function expectedPaths(root = vscodeCacheRoot()): VSCodePaths {
  return {
    cacheRoot: root,
    node24: path.join(root, 'node24', 'node_modules', nodePackageName(), 'bin', 'node'),
    serverMain: path.join(root, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js'),
    chromium: process.env.FLOW_RUNS_CHROMIUM ?? '/usr/bin/chromium',
  };
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; log: ProgressLog }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Long silent steps (the native build) still show they are alive.
    const started = Date.now();
    const heartbeat = setInterval(() => opts.log(`  ... ${cmd} still running (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearInterval(heartbeat);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(heartbeat);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed with exit code ${code ?? 'null'}:\n${tail.join('\n')}`));
    });
  });
}

function dpkgInstalled(pkg: string): boolean | undefined {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  if (r.error) return undefined; // not a Debian system
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Debian packages we need; native builds only matter while code-server is not built yet. */
function missingDebianPackages(needBuild: boolean, chromium: string): string[] {
  const missing: string[] = [];
  const want = ['chromium', 'fonts-dejavu-core'];
  if (needBuild) want.push('libkrb5-dev');
  for (const pkg of want) {
    if (pkg === 'chromium' && process.env.FLOW_RUNS_CHROMIUM && fs.existsSync(chromium)) continue;
    const installed = dpkgInstalled(pkg);
    if (installed === false) missing.push(pkg);
  }
  if (needBuild) {
    if (!onPath('g++') || !onPath('make')) missing.push('g++', 'make');
    if (!onPath('python3')) missing.push('python3');
  }
  return missing;
}

async function ensureDebianPackages(needBuild: boolean, paths: VSCodePaths, log: ProgressLog): Promise<void> {
  const missing = missingDebianPackages(needBuild, paths.chromium);
  if (missing.length === 0) {
    if (!fs.existsSync(paths.chromium)) {
      throw new Error(`Chromium not found at ${paths.chromium}; install it or set FLOW_RUNS_CHROMIUM to its path.`);
    }
    return;
  }
  const list = missing.join(' ');
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Missing Debian packages: ${list}. Run this once, then try again:\n` +
        `  sudo apt-get update && sudo apt-get install -y ${list}`,
    );
  }
  log(`apt-get update (missing: ${list})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env, log });
  log(`apt-get install -y ${list}`);
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, log });
}

function ensurePackageJson(dir: string, name: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
}

function nodeVersion(bin: string): string | undefined {
  if (!fs.existsSync(bin)) return undefined;
  const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function ensureNode24(paths: VSCodePaths, log: ProgressLog): Promise<void> {
  if (nodeVersion(paths.node24) === `v${NODE24_VERSION}`) return;
  const dir = path.join(paths.cacheRoot, 'node24');
  ensurePackageJson(dir, 'node24');
  log(`npm install ${nodePackageName()}@${NODE24_VERSION} into ${dir}`);
  await run('npm', ['install', '--no-audit', '--no-fund', `${nodePackageName()}@${NODE24_VERSION}`], { cwd: dir, log });
  const got = nodeVersion(paths.node24);
  if (got !== `v${NODE24_VERSION}`) throw new Error(`Node 24 install did not produce ${paths.node24} (got ${got ?? 'nothing'})`);
}

function npmVersion(): string {
  const r = spawnSync('npm', ['-v'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '10.0.0';
}

/** A postinstall that finished leaves built native modules and the built-in extensions' deps. */
function looksBuilt(codeServerDir: string): boolean {
  const vscodeDir = path.join(codeServerDir, 'lib', 'vscode');
  return (
    fs.existsSync(path.join(vscodeDir, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node')) &&
    fs.existsSync(path.join(vscodeDir, 'node_modules', 'node-pty')) &&
    fs.existsSync(path.join(vscodeDir, 'extensions', 'node_modules'))
  );
}

async function ensureCodeServer(paths: VSCodePaths, marker: string, log: ProgressLog): Promise<void> {
  const dir = path.join(paths.cacheRoot, 'code-server');
  const pkgDir = path.join(dir, 'node_modules', 'code-server');
  const installedVersion = readVersion(path.join(pkgDir, 'package.json'));
  if (installedVersion !== CODE_SERVER_VERSION) {
    ensurePackageJson(dir, 'code-server-cache');
    log(`npm install --ignore-scripts code-server@${CODE_SERVER_VERSION} (about 1 minute)`);
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, log });
  } else if (looksBuilt(pkgDir)) {
    log(`adopting the code-server ${CODE_SERVER_VERSION} already built in ${dir}`);
    fs.writeFileSync(marker, new Date().toISOString() + '\n');
    return;
  }
  const node24Dir = path.dirname(path.dirname(paths.node24));
  log('building code-server native modules with Node 24 (3 to 5 minutes the first time)');
  await run('sh', ['./postinstall.sh'], {
    cwd: pkgDir,
    log,
    env: {
      ...process.env,
      PATH: `${path.dirname(paths.node24)}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_user_agent: `npm/${npmVersion()} node/v${NODE24_VERSION} linux ${process.arch}`,
      npm_config_nodedir: node24Dir,
    },
  });
  if (!fs.existsSync(paths.serverMain)) throw new Error(`code-server install did not produce ${paths.serverMain}`);
  fs.writeFileSync(marker, new Date().toISOString() + '\n');
}

function readVersion(pkgJson: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
    if (parsed && typeof parsed === 'object' && 'version' in parsed && typeof parsed.version === 'string') return parsed.version;
  } catch {
    // not installed
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A cross-process lock so that concurrent cold runs do not install into the same folder at once. */
async function withLock<T>(root: string, log: ProgressLog, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(root, { recursive: true });
  const lock = path.join(root, '.lock');
  const deadline = Date.now() + 20 * 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || '0');
      if (owner > 0 && !pidAlive(owner)) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lock} (held by pid ${owner}).`);
      if (!announced) log(`waiting for another provisioning process (pid ${owner || '?'})`);
      announced = true;
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Makes sure VS Code, Node 24 and Chromium are ready; fast when a marker says they are. */
export async function provisionVSCode(log: ProgressLog = defaultLog): Promise<VSCodePaths> {
  const paths = expectedPaths();
  const marker = path.join(paths.cacheRoot, `.provisioned-${CODE_SERVER_VERSION}`);
  const warm = (): boolean => fs.existsSync(marker) && fs.existsSync(paths.serverMain) && nodeVersion(paths.node24) === `v${NODE24_VERSION}`;
  if (warm()) {
    await ensureDebianPackages(false, paths, log);
    return paths;
  }
  return withLock(paths.cacheRoot, log, async () => {
    if (warm()) return paths; // another process finished while we waited
    const started = Date.now();
    log(`provisioning VS Code (code-server ${CODE_SERVER_VERSION}, Node ${NODE24_VERSION}) into ${paths.cacheRoot}`);
    await ensureDebianPackages(true, paths, log);
    await ensureNode24(paths, log);
    await ensureCodeServer(paths, marker, log);
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return paths;
  });
}
