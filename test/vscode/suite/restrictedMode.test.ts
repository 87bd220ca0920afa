// Restricted Mode as a user meets it. This suite runs in a VS Code of its own (runTests.ts,
// OWN_WINDOW) with workspace trust on, in test/fixtures/untrusted: a folder whose
// .vscode/settings.json sets flowRuns.apiUrl to a loopback server (and flowRuns.webUrl to text
// dressed as a button), opened untrusted. Until the user trusts it, both are ignored and the
// extension says so; once trusted, the folder's URL applies.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startSandbox, type Sandbox } from '../../../src/sandbox';
import type { Services } from '../../../src/services';
import { extensionServices, waitFor } from '../util/sandbox';
import * as wb from '../util/workbench';

// What test/fixtures/untrusted/.vscode/settings.json sets, and what applies without it.
const FOLDER_URL = 'http://127.0.0.1:47391';
const DEFAULT_URL = 'https://api.inference.sh';
// The fixture's flowRuns.webUrl as the notice shows it: the colour code gone, the link syntax broken.
const SHOWN_WEB_URL = '[Trust] (command:workbench.action.closeWindow) http://127.0.0.1:47391/app';

/** Our notice, as the Notifications center lists it. */
async function restrictedNotice(): Promise<string> {
  return wb.waitForNotification('This folder sets', 20_000);
}

/** Opens Set API Key as the user does and returns once its prompt names `url`; the box stays open. */
async function openKeyPrompt(url: string): Promise<{ outcome: Thenable<unknown> }> {
  const outcome = vscode.commands.executeCommand('flowRuns.setApiKey');
  await wb.waitForText(`API key for ${url} (create one`);
  // Wrapped: an async function would wait for a returned thenable, that is for the user's answer.
  return { outcome };
}

suite('Restricted Mode: a folder you have not trusted sets flowRuns.apiUrl', () => {
  let services: Services;
  let sandbox: Sandbox;

  suiteSetup(async function () {
    this.timeout(60_000);
    // The folder's server listens from the start: while the folder is untrusted it must get nothing.
    sandbox = await startSandbox({ port: Number(new URL(FOLDER_URL).port), speed: 0.02 }).catch((e: unknown) => {
      throw new Error(`the sandbox could not listen on ${FOLDER_URL} (the fixture's fixed port): ${e instanceof Error ? e.message : String(e)}`);
    });
    services = await extensionServices();
    await services.session.whenReady();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (services?.session.hasKey) await vscode.commands.executeCommand('flowRuns.clearApiKey');
    await sandbox?.close();
  });

  test('the folder opens in Restricted Mode and Flow Runs keeps the default API URL', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the folder should start untrusted');
    assert.equal(vscode.workspace.getConfiguration('flowRuns').get('apiUrl'), DEFAULT_URL);
    assert.equal(services.session.baseUrl, DEFAULT_URL);
  });

  test('a notification says the folder\'s URL is ignored until the folder is trusted, and which URL is used', async () => {
    const text = await restrictedNotice();
    assert.ok(text.includes(`This folder sets flowRuns.apiUrl to "${FOLDER_URL}" and flowRuns.webUrl to "${SHOWN_WEB_URL}"`), text);
    assert.ok(text.includes('they are ignored until you trust the folder (Restricted Mode)'), text);
    assert.ok(text.includes(`Flow Runs uses ${DEFAULT_URL}.`), text);
    assert.ok(text.includes('Manage Workspace Trust'), `the notice offers Manage Workspace Trust: ${text}`);
    await vscode.commands.executeCommand('notifications.showList');
    try {
      await wb.waitForText('This folder sets flowRuns.apiUrl');
      // The folder's "[Trust](command:…)" is text, not a link the user could click.
      assert.deepEqual(await wb.texts('.notifications-center .notification-list-item-message a'), []);
      await wb.screenshot('restricted-mode-notice');
    } finally {
      await vscode.commands.executeCommand('notifications.hideList');
    }
  });

  test('Set API Key asks for a key for the URL in use, not the folder\'s', async () => {
    const { outcome } = await openKeyPrompt(DEFAULT_URL);
    assert.equal(await wb.isTextVisible(`API key for ${FOLDER_URL}`), false);
    await wb.screenshot('restricted-mode-key-prompt');
    await wb.press('Escape');
    assert.equal(await outcome, false, 'nothing is stored when the prompt is dismissed');
    assert.equal(sandbox.stats().requests, 0, 'the folder\'s server got no request while the folder was untrusted');
  });

  test('trusting the folder from the notice\'s Manage Workspace Trust makes its flowRuns.apiUrl apply', async () => {
    await vscode.commands.executeCommand('notifications.showList');
    await wb.click('.notifications-center .monaco-button:has-text("Manage Workspace Trust")');
    await wb.waitForText('You are in Restricted Mode');
    await wb.screenshot('restricted-mode-trust-editor');
    await wb.click('.workspace-trust-editor .monaco-button:text-is("Trust")');
    await waitFor(() => vscode.workspace.isTrusted, 'the folder to be trusted');
    await waitFor(() => services.session.baseUrl === FOLDER_URL, `the session to use ${FOLDER_URL}`);
    assert.equal(vscode.workspace.getConfiguration('flowRuns').get('apiUrl'), FOLDER_URL);
  });

  test('in the trusted folder, Set API Key names the folder\'s URL and the key is checked there', async () => {
    const { outcome } = await openKeyPrompt(FOLDER_URL);
    await wb.screenshot('trusted-folder-key-prompt');
    await wb.type(sandbox.defaultKey);
    await wb.press('Enter');
    assert.equal(await outcome, true, 'the key was stored');
    assert.ok((sandbox.stats().byRoute['POST /flowruns/list'] ?? 0) >= 1, 'the key was checked against the folder\'s server');
    assert.equal(services.session.hasKey, true);
    assert.equal(services.session.baseUrl, FOLDER_URL);
  });
});
