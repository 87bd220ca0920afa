// Start / Stop Local Sandbox: the demo server in this extension host, so the
// extension can be tried with no account. Start points flowRuns.apiUrl and
// flowRuns.webUrl at it and stores its key (for the sandbox URL only: a real
// key stays untouched). Where: the workspace settings when the workspace
// already sets flowRuns.apiUrl (else a user-level value would be shadowed and
// do nothing), otherwise the user settings, so a random port never lands in a
// project's .vscode/settings.json. Stop closes the server, deletes the
// sandbox key and puts both settings back to what they were, and says so.
// The previous values are kept in globalState, so a window closed while the
// sandbox ran gets its settings back at the next start of the extension.
import * as vscode from 'vscode';
import { answersHttp } from '../api/plainHttp';
import type { Sandbox } from '../sandbox';
import { loadSandbox, SANDBOX_AVAILABLE } from '../lazyModules';
import type { Services } from '../services';
import { isRecord } from '../shared/guards';
import { describeError, showError } from '../views/showError';

const STATE_KEY = 'flowRuns.sandboxSettings';
const SETTINGS = ['apiUrl', 'webUrl'] as const;
type SettingName = (typeof SETTINGS)[number];

/** What Start changed, to put it back. `undefined` previous values mean "was not set there". */
interface SavedSettings {
  url: string;
  target: 'global' | 'workspace';
  previous: Partial<Record<SettingName, string>>;
}

function toTarget(t: SavedSettings['target']): vscode.ConfigurationTarget {
  return t === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

function isSaved(v: unknown): v is SavedSettings {
  return isRecord(v) && typeof v.url === 'string' && (v.target === 'global' || v.target === 'workspace') && isRecord(v.previous);
}

function chooseTarget(): SavedSettings['target'] {
  const inspected = vscode.workspace.getConfiguration('flowRuns').inspect<string>('apiUrl');
  const inWorkspace = inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined;
  return inWorkspace && vscode.workspace.workspaceFolders?.length ? 'workspace' : 'global';
}

function valueAt(name: SettingName, target: SavedSettings['target']): string | undefined {
  const inspected = vscode.workspace.getConfiguration('flowRuns').inspect<string>(name);
  return target === 'workspace' ? inspected?.workspaceValue : inspected?.globalValue;
}

/** Resolves when the session follows the new base URL (bounded). */
function waitForBaseUrl(services: Services, url: string, timeoutMs = 5000): Promise<boolean> {
  if (services.session.baseUrl === url) return Promise.resolve(true);
  return new Promise((resolve) => {
    const sub = services.session.onDidChange(() => {
      if (services.session.baseUrl !== url) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(true);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(services.session.baseUrl === url);
    }, timeoutMs);
  });
}

export class SandboxController implements vscode.Disposable {
  private sandbox: Sandbox | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly services: Services) {}

  get running(): Sandbox | undefined {
    return this.sandbox;
  }

  async start(): Promise<void> {
    if (this.sandbox) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The local sandbox is already running at {0}.', this.sandbox.url));
      return;
    }
    if (this.starting) return this.starting;
    this.starting = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Flow Runs: starting the local sandbox…') },
      (progress) => this.doStart(progress),
    )).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async doStart(progress: vscode.Progress<{ message?: string }>): Promise<void> {
    const { services } = this;
    let sandbox: Sandbox;
    try {
      progress.report({ message: vscode.l10n.t('starting the server') });
      sandbox = await loadSandbox().startSandbox({ port: 0, speed: 1, seedRuns: 40 });
    } catch (e) {
      showError(vscode.l10n.t('Starting the local sandbox'), e, services.log);
      return;
    }
    this.sandbox = sandbox;
    services.log.info(`[sandbox] listening on ${sandbox.url}`);
    try {
      progress.report({ message: vscode.l10n.t('pointing Flow Runs at it') });
      // A stale record from a window that closed mid-sandbox: restore it first so "previous" is the user's own value.
      await this.restoreSettings(false);
      const target = chooseTarget();
      const saved: SavedSettings = {
        url: sandbox.url,
        target,
        previous: { apiUrl: valueAt('apiUrl', target), webUrl: valueAt('webUrl', target) },
      };
      await services.context.globalState.update(STATE_KEY, saved);
      const config = vscode.workspace.getConfiguration('flowRuns');
      await config.update('apiUrl', sandbox.url, toTarget(target));
      await config.update('webUrl', `${sandbox.url}/app`, toTarget(target));
      if (!(await waitForBaseUrl(services, sandbox.url))) {
        throw new Error(vscode.l10n.t('flowRuns.apiUrl did not take effect (another settings level overrides it); the sandbox runs at {0}.', sandbox.url));
      }
      progress.report({ message: vscode.l10n.t('storing its key') });
      await services.session.setKey(sandbox.defaultKey);
      await vscode.commands.executeCommand('setContext', 'flowRuns.sandboxRunning', true);
      const where = target === 'workspace' ? vscode.l10n.t('workspace settings') : vscode.l10n.t('user settings');
      void vscode.window
        .showInformationMessage(
          vscode.l10n.t('Local sandbox running at {0} with demo flows and 40 past runs. flowRuns.apiUrl and flowRuns.webUrl now point at it ({1}); "Stop Local Sandbox" puts them back.', sandbox.url, where),
          vscode.l10n.t('Show Runs'),
        )
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.view.extension.flowRuns');
        });
    } catch (e) {
      showError(vscode.l10n.t('Starting the local sandbox'), e, services.log);
      await this.stop(true);
    }
  }

  /** Closes the server, deletes its key, restores the settings; tells the user unless quiet. */
  async stop(quiet = false): Promise<void> {
    const { services } = this;
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    if (!sandbox) {
      if (!quiet) void vscode.window.showInformationMessage(vscode.l10n.t('The local sandbox is not running.'));
      return;
    }
    // The key was stored for the sandbox's URL only; remove it while that URL is still in force.
    if (services.session.baseUrl === sandbox.url) await services.session.clearKey();
    const restored = await this.restoreSettings(true);
    try {
      await sandbox.close();
    } catch (e) {
      services.log.warn(`[sandbox] close: ${describeError(e)}`);
    }
    await vscode.commands.executeCommand('setContext', 'flowRuns.sandboxRunning', false);
    services.log.info(`[sandbox] stopped ${sandbox.url}`);
    if (!quiet) {
      void vscode.window.showInformationMessage(
        restored
          ? vscode.l10n.t('Local sandbox stopped. Its API key was deleted; {0}.', restored)
          : vscode.l10n.t('Local sandbox stopped. Its API key was deleted.'),
      );
    }
  }

  /** Puts the settings Start changed back. Returns what it did, in words. */
  async restoreSettings(force: boolean): Promise<string | undefined> {
    const raw = this.services.context.globalState.get<unknown>(STATE_KEY);
    if (!isSaved(raw)) return undefined;
    if (!force) {
      // Only a stale record is restored: not our running sandbox, nor one another window still runs.
      if (this.sandbox && raw.url === this.sandbox.url) return undefined;
      if (await answersHttp(raw.url)) return undefined; // another window runs that sandbox
    }
    const config = vscode.workspace.getConfiguration('flowRuns');
    const target = toTarget(raw.target);
    const words: string[] = [];
    for (const name of SETTINGS) {
      // Leave a value the user changed meanwhile alone.
      const now = valueAt(name, raw.target);
      const ours = name === 'apiUrl' ? raw.url : `${raw.url}/app`;
      if (now !== ours) continue;
      const before = raw.previous[name];
      await config.update(name, before, target);
      words.push(before === undefined
        ? vscode.l10n.t('flowRuns.{0} was removed', name)
        : vscode.l10n.t('flowRuns.{0} is {1} again', name, before));
    }
    await this.services.context.globalState.update(STATE_KEY, undefined);
    if (words.length === 0) return undefined;
    const where = raw.target === 'workspace' ? vscode.l10n.t('workspace settings') : vscode.l10n.t('user settings');
    return `${words.join(', ')} (${where})`;
  }

  dispose(): void {
    // Deactivation cannot wait for settings writes; the globalState record restores them at the next start.
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    if (sandbox) void sandbox.close().catch(() => undefined);
  }
}

export function register(context: vscode.ExtensionContext, services: Services): SandboxController {
  const controller = new SandboxController(services);
  void vscode.commands.executeCommand('setContext', 'flowRuns.sandboxRunning', false);
  // The web build hides Start Local Sandbox and says how to use one started elsewhere (package.json).
  void vscode.commands.executeCommand('setContext', 'flowRuns.sandboxUnavailable', !SANDBOX_AVAILABLE);
  // Settings left pointing at a sandbox that died with a closed window.
  void controller.restoreSettings(false).then((done) => {
    if (done) services.log.info(`[sandbox] restored settings left by an earlier sandbox: ${done}`);
  });
  context.subscriptions.push(
    controller,
    vscode.commands.registerCommand('flowRuns.startSandbox', () => controller.start()),
    vscode.commands.registerCommand('flowRuns.stopSandbox', () => controller.stop()),
  );
  return controller;
}
