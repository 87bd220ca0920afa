// Localisation stays complete: a translator adds a language with two JSON
// files and touches no code. So the committed l10n bundle must be exactly what
// @vscode/l10n-dev extracts from src/ now, every %key% in package.json must be
// in package.nls.json (and no key there unused), and the VS Code layer must
// not show a sentence that bypasses vscode.l10n.t.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');
const readJson = (file: string): Record<string, unknown> => JSON.parse(read(file)) as Record<string, unknown>;

/** `npx vscode-l10n-dev export` into a temporary directory: the bundle src/ asks for today. */
function exportBundle(): Record<string, unknown> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-runs-l10n-'));
  try {
    const cli = path.join(ROOT, 'node_modules/@vscode/l10n-dev/dist/cli.js');
    execFileSync(process.execPath, [cli, 'export', '--outDir', out, './src'], { cwd: ROOT, stdio: 'pipe' });
    return JSON.parse(fs.readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8')) as Record<string, unknown>;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** Every `%key%` a manifest value uses. */
function placeholders(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const m = /^%([^%\s]+)%$/.exec(value);
    if (m) found.add(m[1]);
  } else if (Array.isArray(value)) {
    for (const v of value) placeholders(v, found);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) placeholders(v, found);
  }
  return found;
}

/** The files that may import vscode: everything in src/ but the plain layers (eslint.config.mjs). */
function vscodeLayerFiles(dir = path.join(ROOT, 'src')): string[] {
  const plain = new Set(['api', 'runs', 'sandbox', 'shared', 'webview'].map((d) => path.join(ROOT, 'src', d)));
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!plain.has(p)) out.push(...vscodeLayerFiles(p));
    } else if (entry.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/**
 * Words shown to the user as a raw literal: a message, placeholder, prompt or
 * title given a string, rather than vscode.l10n.t(...). Literals with neither
 * a capital letter nor a space are data (`'fail_on_error'`, `'inf_...'`).
 */
export function rawUserStrings(source: string): string[] {
  const found: string[] = [];
  const at = /(?:show(?:Information|Warning|Error)Message\(\s*|\b(?:placeHolder|placeholder|prompt|title)\s*(?::|=(?!=))\s*)(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  for (const m of source.matchAll(at)) {
    const words = m[2].replace(/\$\{[^}]*\}/g, '');
    if (/[A-Za-z]{2}/.test(words) && /[A-Z\s]/.test(words)) {
      const line = source.slice(0, m.index).split('\n').length;
      found.push(`${line}: ${m[0]}`);
    }
  }
  return found;
}

void describe('localisation', () => {
  void test('the committed l10n bundle holds exactly the strings src/ passes to vscode.l10n.t', () => {
    const committed = readJson('l10n/bundle.l10n.json');
    const exported = exportBundle();
    const missing = Object.keys(exported).filter((k) => !(k in committed));
    const stale = Object.keys(committed).filter((k) => !(k in exported));
    // Both lists at once, so one run names every string to fix.
    assert.deepEqual({ missing, stale }, { missing: [], stale: [] },
      `l10n/bundle.l10n.json is out of date; run "npm run l10n". Missing: ${missing.join(' | ')}. No longer used: ${stale.join(' | ')}`);
    assert.ok(Object.keys(exported).length > 100, 'the export found almost nothing: is src/ still using vscode.l10n.t?');
  });

  void test('every %key% in package.json is in package.nls.json, and every key there is used', () => {
    const used = placeholders(readJson('package.json'));
    const nls = readJson('package.nls.json');
    const undefinedKeys = [...used].filter((k) => typeof nls[k] !== 'string');
    const unused = Object.keys(nls).filter((k) => !used.has(k));
    assert.deepEqual({ undefinedKeys, unused }, { undefinedKeys: [], unused: [] },
      `package.json uses keys package.nls.json lacks: ${undefinedKeys.join(', ')}; package.nls.json keys never used: ${unused.join(', ')}`);
    assert.ok(used.size > 20, 'package.json has almost no %key% placeholders left');
  });

  void test('package.json shows no contributed title or description without a %key%', () => {
    const pkg = readJson('package.json') as { contributes: Record<string, unknown>; displayName: string; description: string };
    const bare: string[] = [];
    const words = /^(title|name|contextualTitle|contents|description|markdownDescription|category|displayName)$/;
    const walk = (value: unknown, where: string): void => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`));
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (k === 'enumDescriptions' && Array.isArray(v)) (v as unknown[]).forEach((d, i) => walk({ description: d }, `${where}.${k}[${i}]`));
          else if (typeof v === 'string' && words.test(k) && !/^%[^%]+%$/.test(v)) bare.push(`${where}.${k}: ${v}`);
          else walk(v, `${where}.${k}`);
        }
      }
    };
    walk({ displayName: pkg.displayName, description: pkg.description, contributes: pkg.contributes }, 'package.json');
    assert.deepEqual(bare, [], 'add these to package.nls.json and use %key%');
  });

  void test('the VS Code layer passes no raw sentence to a message, placeholder, prompt or title', () => {
    const found = vscodeLayerFiles().flatMap((file) =>
      rawUserStrings(fs.readFileSync(file, 'utf8')).map((hit) => `${path.relative(ROOT, file)}:${hit}`));
    assert.deepEqual(found, [], 'wrap these in vscode.l10n.t(...)');
  });

  void test('the source scan tells words from data', () => {
    assert.deepEqual(rawUserStrings("void vscode.window.showErrorMessage(vscode.l10n.t('Nope {0}', x));"), []);
    assert.equal(rawUserStrings("void vscode.window.showWarningMessage('Something broke.');").length, 1);
    assert.equal(rawUserStrings('const box = { title: `Run ${id} of the flow` };').length, 1);
    assert.equal(rawUserStrings("qp.placeholder = 'Type to search';").length, 1);
    assert.deepEqual(rawUserStrings("const o = { placeHolder: 'fail_on_error', title: label, prompt: `${x}` };"), []);
    assert.deepEqual(rawUserStrings("if (a.title === 'Replace') return;"), []);
  });
});
