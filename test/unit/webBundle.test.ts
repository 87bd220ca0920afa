// The web build as files: dist/extension-web.js (package.json's `browser`
// entry) and the bundles it reads on first use (dist/links.js, dist/ajv.js)
// need nothing a browser's web worker lacks. Each is evaluated in an empty vm
// context: the JavaScript built-ins only, no process, Buffer, setImmediate,
// URL or fetch, and a `require` that knows `vscode` alone. The `vscode` it
// gets is an empty object, not a fake API: evaluating a bundle must not touch
// VS Code at all (that happens in activate(), which the web suite in
// test/vscode runs in a real web worker extension host).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';

const repo = path.resolve(__dirname, '../../..');
const read = (file: string): string => fs.readFileSync(path.join(repo, file), 'utf8');

/** Every module name the bundle's code requires at run time. */
function requiredModules(source: string): string[] {
  return [...new Set([...source.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]))];
}

/** Evaluates a CommonJS bundle as VS Code's web worker loader does; returns its exports and what it required. */
function evaluate(file: string): { exports: Record<string, unknown>; asked: string[]; globals: string[] } {
  const context = vm.createContext({});
  const before = new Set(Object.getOwnPropertyNames(vm.runInContext('globalThis', context) as object));
  const asked: string[] = [];
  const module = { exports: {} as Record<string, unknown> };
  const fn = vm.runInContext(`(function (module, exports, require) {${read(file)}\n})`, context, { filename: file }) as
    (m: unknown, e: unknown, r: (name: string) => unknown) => void;
  fn(module, module.exports, (name) => {
    asked.push(name);
    if (name === 'vscode') return {};
    throw new Error(`${file} requires "${name}", which a web worker cannot give it`);
  });
  const globals = Object.getOwnPropertyNames(vm.runInContext('globalThis', context) as object).filter((g) => !before.has(g));
  return { exports: module.exports, asked, globals };
}

void describe('the web bundle', () => {
  void test('package.json names dist/extension-web.js as the browser entry, next to main', () => {
    const pkg = JSON.parse(read('package.json')) as { main?: string; browser?: string };
    assert.equal(pkg.main, './dist/extension.js');
    assert.equal(pkg.browser, './dist/extension-web.js');
    assert.ok(fs.existsSync(path.join(repo, 'dist', 'extension-web.js')), 'npm run build made dist/extension-web.js');
  });

  void test('it requires only vscode: no Node built-in, no node-fetch', () => {
    const source = read('dist/extension-web.js');
    assert.deepEqual(requiredModules(source), ['vscode']);
    assert.doesNotMatch(source, /node-fetch|fetch-blob|formdata-polyfill|web-streams-polyfill/, 'node-fetch and its polyfills stay in the Node bundle');
    assert.doesNotMatch(source, /["']node:[a-z_/]+["']/, 'no node: module names');
    // Node's globals, where code would call them (evaluation below only runs the top level).
    assert.doesNotMatch(source, /\bBuffer\.(from|alloc|concat|byteLength|isBuffer)\b|\bprocess\.(env|platform|versions|nextTick|cwd)\b|\bsetImmediate\(/);
    // The Node bundle, for contrast: it does carry node-fetch (so the check above can fail).
    assert.match(read('dist/extension.js'), /node:http/);
  });

  void test('it evaluates in a context with no Node globals and exports activate and deactivate', () => {
    const { exports, asked, globals } = evaluate('dist/extension-web.js');
    assert.equal(typeof exports.activate, 'function');
    assert.equal(typeof exports.deactivate, 'function');
    assert.deepEqual([...new Set(asked)], ['vscode']);
    assert.deepEqual(globals, [], 'evaluating it defines no globals');
  });

  void test('the bundles it loads on first use evaluate there too: dist/links.js (vscode only) and dist/ajv.js (nothing)', () => {
    const links = evaluate('dist/links.js');
    assert.equal(typeof links.exports.openLink, 'function');
    assert.equal(typeof links.exports.compareRuns, 'function');
    assert.deepEqual([...new Set(links.asked)], ['vscode']);
    const ajv = evaluate('dist/ajv.js');
    assert.equal(typeof ajv.exports.default, 'function', 'ajv.js exports the Ajv class');
    assert.deepEqual(ajv.asked, []);
  });

  void test('the package ships both entries and the bundles the web build reads', async () => {
    const listed = await promisify(execFile)(path.join(repo, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: repo, timeout: 120_000 });
    const files = listed.stdout.split('\n').map((l) => l.trim());
    for (const f of ['dist/extension.js', 'dist/extension-web.js', 'dist/links.js', 'dist/ajv.js']) assert.ok(files.includes(f), `the .vsix holds ${f}`);
  });
});
