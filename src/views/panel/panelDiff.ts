// Remembers what the webview was last sent, so that after the snapshot only
// changed run fields, changed tasks (with only their changed fields) and new
// log text travel. Pure: no `vscode`.
import type { PanelRun, PanelTask, PanelTaskChange } from '../../shared/protocol';

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The fields of `next` that differ from `prev` (all of them when there is no `prev`). */
export function changedFields<T extends object>(prev: T | undefined, next: T): Partial<T> | undefined {
  const out: Partial<T> = {};
  let any = false;
  for (const key of Object.keys(next) as (keyof T)[]) {
    if (!prev || !same(prev[key], next[key])) {
      out[key] = next[key];
      any = true;
    }
  }
  return any ? out : undefined;
}

export class PanelDiffer {
  private run: PanelRun | undefined;
  private readonly tasks = new Map<string, PanelTask>();

  /** After a snapshot: this is what the webview now holds. */
  reset(run: PanelRun | undefined, tasks: readonly PanelTask[]): void {
    this.run = run;
    this.tasks.clear();
    for (const t of tasks) this.tasks.set(t.id, t);
  }

  /** The run fields to send, or undefined when nothing changed. */
  runChanges(next: PanelRun): Partial<PanelRun> | undefined {
    const changes = changedFields(this.run, next);
    this.run = next;
    return changes;
  }

  /** The changed tasks among `next`, each as its id plus its changed fields. */
  taskChanges(next: readonly PanelTask[]): PanelTaskChange[] {
    const out: PanelTaskChange[] = [];
    for (const task of next) {
      const changes = changedFields(this.tasks.get(task.id), task);
      this.tasks.set(task.id, task);
      if (changes) out.push({ ...changes, id: task.id });
    }
    return out;
  }
}

/**
 * Log text of one task as sent so far. The server may rewrite a log entry (its
 * content grows), so the whole decoded text is compared: a longer text that
 * starts with what was sent appends the rest; anything else replaces it.
 */
export class LogTracker {
  private taskId: string | undefined;
  private sent = '';

  /** What to send for `taskId` whose full decoded log is now `text`; undefined when nothing is new. */
  next(taskId: string, text: string): { text: string; reset: boolean } | undefined {
    if (taskId !== this.taskId) {
      this.taskId = taskId;
      this.sent = text;
      return { text, reset: true };
    }
    if (text === this.sent) return undefined;
    if (text.startsWith(this.sent)) {
      const rest = text.slice(this.sent.length);
      this.sent = text;
      return { text: rest, reset: false };
    }
    this.sent = text;
    return { text, reset: true };
  }

  /** Forget what was sent (a new webview, or another task selected). */
  clear(): void {
    this.taskId = undefined;
    this.sent = '';
  }
}
