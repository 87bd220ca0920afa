// Who we talk to and with which key. The key lives in SecretStorage only,
// stored per base URL; every client the extension uses comes from here.
import * as vscode from 'vscode';
import type { FlowRunsApi } from '../api/api';
import { FlowRunsClient } from '../api/client';
import { ApiError } from '../api/errors';
import { checkBaseUrl } from '../api/url';
import { developmentKey } from './developmentEnv';

const DEFAULT_URL = 'https://api.inference.sh';
const secretName = (baseUrl: string): string => `flowRuns.apiKey:${baseUrl}`;

export class Session implements vscode.Disposable {
  private client: FlowRunsApi | undefined;
  private key: string | undefined;
  private urlProblem: string | undefined;
  private url = DEFAULT_URL;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready: Promise<void>;
  private queue: Promise<void> = Promise.resolve();

  /** Fires when the base URL or the key for it changes (in this window or another). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.changed,
      context.secrets.onDidChange((e) => {
        if (e.key === secretName(this.url)) void this.reload();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('flowRuns.apiUrl')) void this.reload();
      }),
      // Trusting the folder lets its own flowRuns.apiUrl apply (a restricted setting).
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()),
    );
    this.ready = this.reload();
  }

  /** The normalised base URL in force (the default while the setting is refused). */
  get baseUrl(): string {
    return this.url;
  }

  /** Why the configured base URL was refused, if it was. */
  get baseUrlProblem(): string | undefined {
    return this.urlProblem;
  }

  get hasKey(): boolean {
    return this.key !== undefined;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The client for the current URL and key, or undefined without a key. */
  current(): FlowRunsApi | undefined {
    return this.client;
  }

  /** The client, or an ApiError ('no_key' / 'insecure_url') that says what to do. */
  async requireApi(): Promise<FlowRunsApi> {
    await this.ready;
    if (this.urlProblem) {
      throw new ApiError({ kind: 'insecure_url', userMessage: this.urlProblem });
    }
    if (!this.client) {
      throw new ApiError({
        kind: 'no_key',
        userMessage: vscode.l10n.t('No API key is set for {0}. Run "Flow Runs: Set API Key" first.', this.url),
      });
    }
    return this.client;
  }

  /** A client for a candidate key, to check it before storing. */
  clientFor(key: string): FlowRunsApi {
    return this.makeClient(key);
  }

  async setKey(key: string): Promise<void> {
    await this.context.secrets.store(secretName(this.url), key);
    await this.reload();
  }

  async clearKey(): Promise<void> {
    await this.context.secrets.delete(secretName(this.url));
    await this.reload();
  }

  /** Reloads run one at a time, in order: an older reload must not attach its key to a newer URL. */
  private reload(): Promise<void> {
    const next = this.queue.then(() => this.reloadNow(), () => this.reloadNow());
    this.queue = next;
    this.ready = next;
    return next;
  }

  private async reloadNow(): Promise<void> {
    const configured = vscode.workspace.getConfiguration('flowRuns').get<string>('apiUrl', DEFAULT_URL);
    const checked = checkBaseUrl(configured);
    this.urlProblem = checked.ok ? undefined : checked.message;
    this.url = checked.ok ? checked.url : DEFAULT_URL;
    await this.adoptDevelopmentKey();
    const key = this.urlProblem ? undefined : await this.context.secrets.get(secretName(this.url));
    if (key === this.key && this.client?.baseUrl === this.url) return;
    this.key = key;
    this.client = key ? this.makeClient(key) : undefined;
    this.log.info(`[session] ${this.url}: ${key ? 'API key set' : 'no API key'}`);
    this.changed.fire();
  }

  /** `npm start` hands the sandbox's key over in the environment, in development mode only. */
  private async adoptDevelopmentKey(): Promise<void> {
    const dev = developmentKey();
    if (!dev || this.context.extensionMode === vscode.ExtensionMode.Production) return;
    const { key, url } = dev;
    const checked = checkBaseUrl(url);
    if (!checked.ok || checked.url !== this.url) return;
    if (await this.context.secrets.get(secretName(this.url))) return;
    await this.context.secrets.store(secretName(this.url), key);
  }

  private makeClient(key: string): FlowRunsApi {
    const version = (this.context.extension.packageJSON as { version?: string }).version ?? '0.0.0';
    return new FlowRunsClient({
      baseUrl: this.url,
      apiKey: key,
      clientVersion: version,
      logger: this.log,
    });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
