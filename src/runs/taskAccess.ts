// What the server said no to when asked for a task: remembered, so that a
// key without apps:read (GET /tasks/{id} needs it; flows:read does not grant
// it) costs one refused request, not one per task per stream event. Shared by
// every follower of one client; forgotten when the key changes (a new
// registry) or when the user asks (Retry).
import { isApiError, type ApiError } from '../api/errors';
import type { Logger } from '../api/logger';
import { Emitter, type Event } from './emitter';
import { RecentSet } from './recentSet';

export type TaskVerdict = 'allowed' | 'denied' | 'missing';

export class TaskAccess {
  private deniedBy: ApiError | undefined;
  private readOnce = false;
  /** The first task GET of this key, while it is out: the others wait for its verdict. */
  private probe: Promise<void> | undefined;
  /** Tasks the server said do not exist (404); bounded. */
  private readonly missing = new RecentSet<string>(2000);
  private readonly changes = new Emitter<void>();
  /** Fires when reading tasks becomes denied or allowed again. */
  readonly onDidChange: Event<void> = this.changes.event;

  constructor(private readonly logger?: Logger) {}

  /** Why task details cannot be read at all (a 403), if so. */
  get denied(): ApiError | undefined {
    return this.deniedBy;
  }

  /** A task GET has worked with this key: others may go in parallel (until then, one goes first). */
  get proven(): boolean {
    return this.readOnce;
  }

  /**
   * Until a task GET has worked (or been refused), one at a time across every
   * follower: resolves with a release function for the caller's GET, or with
   * undefined once the verdict is in (then go ahead, or stop if denied).
   */
  async turn(): Promise<(() => void) | undefined> {
    while (this.probe) await this.probe;
    if (this.readOnce || this.deniedBy) return undefined;
    let release!: () => void;
    this.probe = new Promise<void>((resolve) => {
      release = () => {
        this.probe = undefined;
        resolve();
      };
    });
    return release;
  }

  /** A task GET worked. */
  allowed(): void {
    this.readOnce = true;
  }

  verdict(taskId: string): TaskVerdict {
    if (this.deniedBy) return 'denied';
    return this.missing.has(taskId) ? 'missing' : 'allowed';
  }

  /**
   * Remembers a refusal: a 403 (a missing scope, or another reason its detail
   * gives) for every task of this key, a 404 for that task. Returns whether
   * the error was one to remember.
   */
  record(taskId: string, error: unknown): boolean {
    if (!isApiError(error)) return false;
    if (error.status === 403 || error.kind === 'forbidden') {
      if (!this.deniedBy) {
        this.deniedBy = error;
        this.logger?.warn(`[tasks] task details are not readable with this key: ${error.userMessage} Task statuses still come from the run.`);
        this.changes.fire();
      }
      return true;
    }
    if (error.status === 404 || error.kind === 'not_found') {
      this.missing.add(taskId);
      return true;
    }
    return false;
  }

  /** The user asked to try again (or the key changed). */
  reset(): void {
    const was = this.deniedBy;
    this.deniedBy = undefined;
    this.readOnce = false;
    this.missing.clear();
    if (was) this.changes.fire();
  }

  dispose(): void {
    this.changes.dispose();
  }
}
