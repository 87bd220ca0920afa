// The web half of the activation bench: loaded by the launcher as the tests module of a web
// window (host/webTests.ts), one fresh web worker extension host per sample (test/bench/lib/
// hostBench.ts launches them). Measures what the Node half measures for activation (the
// "[activate] ready in N ms" line activate() logs, and the bench's own activate() call), plus
// VS Code's performance marks around loading and activating the browser bundle. The worker
// cannot write files: the result goes to the launcher's control server.
import * as vscode from 'vscode';
import { ACTIVATION_LOGGED, ENV_MODE, type ActivationResult, type HostBenchResult } from '../../bench/lib/hostProtocol';
import { EXTENSION_ID, waitFor } from '../util/extensionApi';
import { testEnv } from '../util/testEnv';
import { control } from '../util/workbench';

const isTrue = (v: unknown): v is true => v === true;
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** ms between two of VS Code's performance marks for this extension, when the worker has both. */
function between(from: string, to: string): number | undefined {
  const mark = (name: string): number | undefined => performance.getEntriesByName(`code/extHost/${name}/${EXTENSION_ID}`)[0]?.startTime;
  const a = mark(from);
  const b = mark(to);
  return a !== undefined && b !== undefined ? b - a : undefined;
}

async function loggedMs(logUri: vscode.Uri): Promise<number> {
  const file = vscode.Uri.joinPath(logUri, 'Flow Runs.log');
  return waitFor(async () => {
    const m = ACTIVATION_LOGGED.exec(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)));
    return m ? Number(m[1]) : undefined;
  }, 'the "[activate] ready in N ms" log line', 10_000);
}

async function measure(notes: string[]): Promise<ActivationResult> {
  const extension = vscode.extensions.getExtension<{ services: { context: vscode.ExtensionContext } } | undefined>(EXTENSION_ID);
  if (!extension) return { alreadyActive: false, error: `extension ${EXTENSION_ID} is not installed` };
  const result: ActivationResult = { alreadyActive: extension.isActive };
  const t0 = performance.now();
  const api = await extension.activate();
  if (!result.alreadyActive) result.activateCallMs = performance.now() - t0;
  if (!api) return { ...result, error: 'activate() returned no test API (not ExtensionMode.Test)' };
  // The worker fetches the bundle as text, compiles it with new Function (no code cache), then runs its top level.
  result.fetchCodeMs = between('willFetchExtensionCode', 'didFetchExtensionCode');
  result.loadCodeMs = between('willLoadExtensionCode', 'didLoadExtensionCode');
  result.activateMarkMs = between('willActivateExtension', 'didActivateExtension');
  notes.push(`uiKind ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'}, process global ${typeof (globalThis as Record<string, unknown>).process}`);
  try {
    result.loggedMs = await loggedMs(api.services.context.logUri);
  } catch (e) {
    result.error = errorText(e);
  }
  return result;
}

export async function run(): Promise<void> {
  const t0 = Date.now();
  await control('started', {}, isTrue).catch(() => undefined);
  const notes: string[] = [];
  const activation = await measure(notes).catch((e: unknown): ActivationResult => ({ alreadyActive: false, error: errorText(e) }));
  const result: HostBenchResult = { mode: testEnv(ENV_MODE) === 'full' ? 'full' : 'activation', activation, notes, totalMs: Date.now() - t0 };
  await control('benchResult', { result }, isTrue);
  // The launcher's verdict: the bench "passes" when it ran; the rows judge the figures.
  await control('result', { result: { passed: 1, failed: 0, pending: 0, failures: [], tests: [{ title: 'web bench (activation)', state: 'passed' }] } }, isTrue);
}
