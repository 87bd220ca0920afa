// Builders for Task objects and their events and logs, shared by the live
// executor and the seeded historical runs.
import type { AppRef, NodeTaskRef, Task, TaskEvent, TaskLog } from '../api/models';
import { LogType, TaskStatus } from '../api/models';
import { newId, shortIdOf } from './ids';

export const OWNER = { user_id: 'user_sandbox', team_id: 'team_sandbox' } as const;

export function newTask(fields: {
  app: Required<Pick<AppRef, 'id' | 'namespace' | 'name' | 'title'>>;
  fn: string;
  runId: string;
  input: unknown;
  now: string;
}): Task {
  const id = newId('task');
  return {
    id,
    short_id: shortIdOf(id),
    created_at: fields.now,
    updated_at: fields.now,
    ...OWNER,
    visibility: 'private',
    status: TaskStatus.Received,
    app_id: fields.app.id,
    app: { ...fields.app },
    app_version_id: `appver_${fields.app.name.replace(/-/g, '_')}_1`,
    app_variant: 'default',
    function: fields.fn,
    flow_run_id: fields.runId,
    input: fields.input,
    output: null,
    error: null,
    events: [taskEvent(id, TaskStatus.Received, fields.now)],
    logs: [],
    run_at: null,
  };
}

export function taskEvent(taskId: string, status: TaskStatus, now: string): TaskEvent {
  return { id: newId('tev'), created_at: now, event_time: now, task_id: taskId, status };
}

/** A log entry; `base64` encodes the text as base64 UTF-8, as the real API often does. */
export function taskLog(taskId: string, text: string, now: string, type: LogType = LogType.Task, base64 = false): TaskLog {
  return {
    id: newId('tlog'),
    created_at: now,
    updated_at: now,
    task_id: taskId,
    log_type: type,
    content: base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
  };
}

/**
 * The nested task in a run's node_tasks: a summary without events and logs,
 * so that run updates stay small. The full task is GET /tasks/{id} and the
 * run's tasks stream.
 */
export function nodeTaskRef(task: Task): NodeTaskRef {
  return {
    task_id: task.id,
    task: {
      id: task.id,
      // Left out, not undefined, when the task has none (the varied profile).
      ...(task.short_id === undefined ? {} : { short_id: task.short_id }),
      created_at: task.created_at,
      updated_at: task.updated_at,
      status: task.status,
      app_id: task.app_id,
      app: task.app,
      app_version_id: task.app_version_id,
      app_variant: task.app_variant,
      function: task.function,
      flow_run_id: task.flow_run_id,
      input: task.input,
      output: task.output,
      error: task.error,
      run_at: task.run_at,
    },
  };
}

/** The parent task app that tracks the whole run in the Tasks API. */
export const FLOW_APP = { id: 'sandbox/flow', namespace: 'sandbox', name: 'flow', title: 'Flow run' } as const;
