// Bundle rows: the minified bundles in dist/ (npm run bench builds them with
// --production just before) and the packaged .vsix.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { errorText, info, judged, kb, missing, type Row } from './report';

const SECTION = 'Bundle';

export async function bundleRows(root: string): Promise<Row[]> {
  const rows: Row[] = [];
  // 230 KB: 200 KB held until the Marketplace work (2026-12-02) added translations (every message
  // through vscode.l10n.t, the panel's words sent by its host), Restricted Mode, the walkthrough's
  // ticks and the last-run lens: +21 KB; the plain layers' sentences through @vscode/l10n: +4 KB. Links and Compare With… load on first use (dist/links.js),
  // as do the sandbox and ajv. The bound still catches a dependency pulled in by mistake.
  rows.push(sizeRow(root, 'dist/extension.js', 'extension bundle (minified)', 230));
  // The web build (the browser entry): the same extension minus node-fetch and its polyfills; the links
  // and ajv stay separate files it reads on first use (src/lazyModules.web.ts).
  rows.push(sizeRow(root, 'dist/extension-web.js', 'web extension bundle (minified)', 200));
  rows.push(webEvaluationRow(root));
  rows.push(sizeRow(root, 'dist/webview.js', 'webview bundle (minified)', 60));
  rows.push(await vsixRow(root));
  return rows;
}

function sizeRow(root: string, file: string, name: string, limitKb: number): Row {
  const p = path.join(root, file);
  if (!fs.existsSync(p)) return missing(SECTION, name, `${file} was not built`, `<= ${limitKb} KB`);
  const bytes = fs.statSync(p).size;
  return judged(SECTION, name, kb(bytes), 'KB', limitKb, 'lower', `${file}: ${bytes} bytes`);
}

const EVALUATIONS = 20;

/**
 * What loading the web bundle costs before activate(): compiling and running
 * its top level in a vm context with no Node globals (its `vscode` is an empty
 * object: the top level touches none of it). The figure is the first, cold
 * evaluation (V8 compiles the source), as a web worker pays it once; the note
 * adds the median of the warm ones. Not the activation: that needs VS Code's
 * API, and is measured in the real web worker extension host (the web suite).
 */
function webEvaluationRow(root: string): Row {
  const name = 'web extension bundle: module evaluation, cold (bare vm context)';
  const file = path.join(root, 'dist', 'extension-web.js');
  if (!fs.existsSync(file)) return missing(SECTION, name, 'dist/extension-web.js was not built');
  const source = `(function (module, exports, require) {${fs.readFileSync(file, 'utf8')}\n})`;
  const times: number[] = [];
  for (let i = 0; i < EVALUATIONS; i++) {
    const context = vm.createContext({});
    const module = { exports: {} as Record<string, unknown> };
    const started = performance.now();
    const fn = vm.runInContext(source, context) as (m: unknown, e: unknown, r: (n: string) => unknown) => void;
    fn(module, module.exports, () => ({}));
    times.push(performance.now() - started);
    if (typeof module.exports.activate !== 'function') return missing(SECTION, name, 'the bundle exports no activate');
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)];
  return info(SECTION, name, `${times[0].toFixed(1)} ms`, times[0],
    `then ${warm.length} fresh contexts, warm: median ${median.toFixed(1)} ms; activate() itself is measured in the web worker host`);
}

async function vsixRow(root: string): Promise<Row> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runs-bench-vsix-'));
  const out = path.join(dir, 'flow-runs.vsix');
  // The same flags as `npm run package`.
  const args = ['vsce', 'package', '--no-dependencies', '--out', out];
  try {
    const how = 'vsce package --no-dependencies';
    await run('npx', args, root, 180_000);
    const bytes = fs.statSync(out).size;
    return info(SECTION, '.vsix package', `${kb(bytes)} KB`, kb(bytes), `${how}: ${bytes} bytes`);
  } catch (e) {
    return missing(SECTION, '.vsix package', `vsce package failed: ${errorText(e)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      // vsce colours its error line; keep the text.
      const plain = stderr.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
      if (err) reject(new Error((plain.split('\n').filter((l) => /error/i.test(l)).join(' ') || err.message).trim()));
      else resolve(stdout);
    });
  });
}
