import * as path from 'node:path';
import * as fs from 'node:fs';
const log = (...a: unknown[]): void => fs.appendFileSync('/tmp/rf/debug.txt', a.map(String).join(' ') + '\n');
import * as vscode from 'vscode';
import * as wb from '../util/workbench';
import { EXTENSION_ID, useSandbox } from '../util/sandbox';
suite('runflow debug', function () {
  this.timeout(60000);
  test('dump', async () => {
    const t = await useSandbox({ speed: 0.02 });
    void vscode.window.showErrorMessage('Run Flow failed: The file is empty. Write the run request, {"flow": "<flow id>", "input": {…}}, or just the input object.');
    await new Promise((r) => setTimeout(r, 1500));
    await wb.screenshot('rf-dbg-toast');
    log('TOASTS', JSON.stringify(await wb.evaluate(`Array.from(document.querySelectorAll('.notifications-toasts, .notification-toast, .notification-list-item-message')).map(e => e.className + ' :: ' + e.getBoundingClientRect().height + ' :: ' + e.textContent)`)));
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const uri = vscode.Uri.file(path.join(ext.extensionPath, 'test/fixtures/inputs/schema-violations.flow.json'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    log('LANG', doc.languageId, 'json ext', vscode.extensions.getExtension('vscode.json-language-features')?.isActive, vscode.extensions.getExtension('vscode.json-language-features')?.extensionKind);
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      log('DIAGS', i, JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => [d.source, d.message, d.range.start.line])));
      log('DOCS', vscode.workspace.textDocuments.map((d) => d.uri.toString()).join(' '));
    }
    const ext2 = vscode.extensions.all.filter((e) => (e.packageJSON as { contributes?: { jsonValidation?: unknown } }).contributes?.jsonValidation).map((e) => e.id);
    log('JSONVAL', ext2.join(','));
    await wb.screenshot('rf-dbg-squiggle');
    await t.dispose();
  });
});
