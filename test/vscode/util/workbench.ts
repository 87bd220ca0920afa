// Drives the workbench page as a user would, from tests running inside the extension host.
// Each call goes to the launcher's control server (FLOW_RUNS_TEST_CONTROL_URL), which uses
// playwright on the browser page that shows this very workbench (from the Node extension host
// and from the web worker one alike: fetch only, no Node modules). Text lookups search the page
// and every frame in it, webviews included; they wait for a visible match up to `timeoutMs`.
import * as vscode from 'vscode';
import { waitFor } from './extensionApi';
import { testEnv } from './testEnv';

export interface WaitOptions {
  /** How long to wait for a visible match (default 10 s). */
  timeoutMs?: number;
}

export interface TextOptions extends WaitOptions {
  /** Match the whole text (case-sensitive) instead of a case-insensitive substring. */
  exact?: boolean;
}

export interface WebviewOptions extends WaitOptions {
  /** Which visible webview, in page order (default 0: the first). */
  index?: number;
}

export function controlUrl(): string {
  const url = testEnv('FLOW_RUNS_TEST_CONTROL_URL');
  if (!url) throw new Error('FLOW_RUNS_TEST_CONTROL_URL is not set: these helpers work only under `npm run test:vscode`');
  return url;
}

/** True when the tests run under our launcher (so the workbench can be driven). */
export function canDriveWorkbench(): boolean {
  return !!testEnv('FLOW_RUNS_TEST_CONTROL_URL');
}

/** Calls one of the control server's actions; fails with its error, or when `check` refuses the answer. */
export async function control<T>(action: string, body: Record<string, unknown>, check: (v: unknown) => v is T): Promise<T> {
  const timeoutMs = typeof body.timeoutMs === 'number' ? body.timeoutMs : 10_000;
  const res = await fetch(`${controlUrl()}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    // The server enforces timeoutMs itself; this only guards against a hung launcher.
    signal: AbortSignal.timeout(timeoutMs + 30_000),
  });
  const payload: unknown = await res.json();
  if (!payload || typeof payload !== 'object' || !('ok' in payload)) throw new Error(`workbench.${action}: malformed answer`);
  if (payload.ok !== true) {
    const error = 'error' in payload && typeof payload.error === 'string' ? payload.error : 'failed';
    throw new Error(`workbench.${action}(${JSON.stringify(body)}): ${error}`);
  }
  const value = 'value' in payload ? payload.value : undefined;
  if (!check(value)) throw new Error(`workbench.${action}: unexpected answer ${JSON.stringify(value)}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isTrue = (v: unknown): v is true => v === true;
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isAnything = (_v: unknown): _v is unknown => true;

/** Prints lines in the test run's output (the launcher's terminal), e.g. findings a test wants read. */
export async function log(text: string): Promise<void> {
  for (const line of text.split('\n')) await control('log', { line }, isTrue);
}

/** Saves a full-page screenshot as test-results/<slug of name>.png; returns its path. */
export function screenshot(name: string): Promise<string> {
  return control('screenshot', { name }, isString);
}

/** Presses keys in order, space-separated, playwright names: 'F1', 'Escape', 'Control+Shift+P', 'ArrowDown Enter'. */
export async function press(keys: string): Promise<void> {
  await control('press', { keys }, isTrue);
}

/** Types text into whatever has focus (e.g. the quick input after press('F1')). */
export async function type(text: string): Promise<void> {
  await control('type', { text }, isTrue);
}

/** Clicks the first visible element matching a CSS/playwright selector, in the page or a webview. */
export async function click(selector: string, opts: WaitOptions = {}): Promise<void> {
  await control('click', { selector, ...opts }, isTrue);
}

/** Clicks the first visible element showing `text`: a tree item label, a menu entry, a button, a webview element. */
export async function clickText(text: string, opts: TextOptions & { double?: boolean } = {}): Promise<void> {
  await control('clickText', { text, ...opts }, isTrue);
}

/**
 * Waits until the Runs view draws a row showing `text` under the group `group` (Running, …),
 * not where it was before. A context menu opened on a row that leaves the tree meanwhile (the
 * run changed group, a refresh redrew the rows) runs nothing: VS Code no longer knows its element.
 */
export async function waitForRowUnder(group: string, text: string, timeoutMs = 15_000): Promise<void> {
  let rows: string[] = [];
  await waitFor(async () => {
    rows = await texts('.monaco-list-row');
    const at = rows.findIndex((r) => r.includes(text));
    const start = rows.findIndex((r) => r.startsWith(group));
    return start >= 0 && at > start && !rows.slice(start + 1, at).some((r) => /^(Pending|Running|Completed|Failed|Cancelled)\b/.test(r));
  }, `the row showing ${text} to be drawn under ${group}`, timeoutMs, () => `the rows drawn: ${JSON.stringify(rows.slice(0, 12))}`);
}

/**
 * Chooses `label` in the open context menu. A click that lands as the menu opens can be lost
 * (seen: the menu stays open with the item highlighted, and nothing runs), so it clicks again
 * while the menu still offers the item, at most three times.
 */
export async function chooseFromMenu(label: string): Promise<void> {
  const offered = async (): Promise<boolean> => (await texts('.context-view .action-label')).includes(label);
  await waitFor(offered, `the context menu to offer ${label}`);
  await actUntil(() => click(`.context-view .action-label:text-is("${label}")`), async () => !(await offered()),
    `the context menu to close after choosing ${label}`);
}

/**
 * Does `act` (a click, typing) until `done` holds, waiting `waitMs` after each try, at most
 * `attempts` times: input that lands while the workbench redraws can be lost on a busy machine.
 * `done` must tell a lost try from a slow one (e.g. no request sent yet), or the act repeats.
 */
export async function actUntil(act: () => Promise<unknown>, done: () => boolean | Promise<boolean>, what: string,
  { waitMs = 2000, attempts = 3 } = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await act();
    try {
      await waitFor(done, `${what} (try ${attempt} of ${attempts})`, waitMs);
      return;
    } catch (e) {
      if (attempt >= attempts) throw e;
    }
  }
}

/** Right-clicks the first visible element showing `text` (opens a tree item's context menu). */
export async function rightClickText(text: string, opts: TextOptions = {}): Promise<void> {
  await control('rightClickText', { text, ...opts }, isTrue);
}

/** Moves the mouse over the first visible element showing `text` (tooltips, inline actions). */
export async function hoverText(text: string, opts: TextOptions = {}): Promise<void> {
  await control('hoverText', { text, ...opts }, isTrue);
}

/** Waits until `text` is visible somewhere in the workbench; throws after the timeout. */
export async function waitForText(text: string, opts: TextOptions = {}): Promise<void> {
  await control('waitForText', { text, ...opts }, isTrue);
}

/** Waits until no visible element shows `text`; throws after the timeout. */
export async function waitForTextGone(text: string, opts: TextOptions = {}): Promise<void> {
  await control('waitForTextGone', { text, ...opts }, isTrue);
}

/** Whether `text` is visible right now (no waiting). */
export function isTextVisible(text: string, opts: { exact?: boolean } = {}): Promise<boolean> {
  return control('isTextVisible', { text, ...opts }, isBoolean);
}

/** The text content of the first visible element matching `selector` (waits for it). */
export function textContent(selector: string, opts: WaitOptions = {}): Promise<string> {
  return control('textContent', { selector, ...opts }, isString);
}

/**
 * The trimmed texts of every visible element matching `selector`, page and frames, no waiting.
 * E.g. texts('.context-view .action-label') lists an open context menu's entries,
 * texts('.monaco-list-row') the visible tree rows.
 */
export function texts(selector: string): Promise<string[]> {
  return control('texts', { selector }, isStrings);
}

/** Evaluates a JavaScript expression (or `() => ...` source) in the workbench page; JSON result. */
export function evaluate(expression: string): Promise<unknown> {
  return control('evaluate', { expression }, isAnything);
}

/**
 * Evaluates a JavaScript expression (or `() => ...` source) in a visible webview's inner frame
 * (iframe.webview > #active-frame), as the panel's own page; returns its JSON-serialisable result.
 */
export function frameEvaluate(expression: string, opts: WebviewOptions = {}): Promise<unknown> {
  return control('frameEvaluate', { expression, ...opts }, isAnything);
}

/**
 * Evaluates `expression` in a throwaway page of the same browser that shows `html` (after running
 * `prelude`, e.g. a library's source), then closes it. For frames whose own scripts are off.
 */
export function scratchEvaluate(html: string, expression: string, opts: WaitOptions & { prelude?: string } = {}): Promise<unknown> {
  return control('scratchEvaluate', { html, expression, ...opts }, isAnything);
}

/** The rendered text (innerText) of `selector` (default body) in a visible webview's inner frame. */
export function frameText(selector = 'body', opts: WebviewOptions = {}): Promise<string> {
  return control('frameText', { selector, ...opts }, isString);
}

/**
 * The user's notifications as the Notifications center lists them (toasts are
 * hidden while the smoke-test driver runs, the center is not). Empty when the
 * workbench cannot be driven.
 */
export async function notificationTexts(): Promise<string[]> {
  if (!canDriveWorkbench()) return [];
  await vscode.commands.executeCommand('notifications.showList');
  try {
    await new Promise((r) => setTimeout(r, 300));
    return await texts('.notifications-center .notification-list-item');
  } finally {
    await vscode.commands.executeCommand('notifications.hideList');
  }
}

/** Waits until a notification in the Notifications center contains `text`; returns it. */
export function waitForNotification(text: string, timeoutMs = 15_000): Promise<string> {
  let seen: string[] = [];
  return waitFor(async () => (seen = await notificationTexts()).find((n) => n.includes(text)), `a notification saying "${text}"`, timeoutMs,
    () => `the notifications: ${JSON.stringify(seen)}`);
}

/**
 * A sender of progress lines to the launcher, which prints them in order; it never fails a test
 * (without a launcher, or when the launcher does not answer, the line goes to the console).
 */
export function progressReporter(): (line: string) => Promise<void> {
  let queue: Promise<void> = Promise.resolve();
  return (line) => {
    queue = queue.then(async () => {
      if (!canDriveWorkbench()) {
        console.log(line);
        return;
      }
      try {
        await fetch(`${controlUrl()}/log`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ line }),
          signal: AbortSignal.timeout(5000),
        });
      } catch {
        console.log(line);
      }
    });
    return queue;
  };
}
