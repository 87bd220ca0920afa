// The two event streams of a run (wire spec section 5): a full object (or
// the run's tasks) first, then its changes as the store publishes them, in
// the forms the connection's StreamStyle picks, until the run ends (or, for a
// varied tasks stream, until it ends on its own).
import type { FlowRun } from '../api/models';
import { isTerminalRunStatus, isTerminalTaskStatus, toTaskStatus } from '../api/models';
import type { ApiDeps, RouteContext } from './routes';
import { StreamStyle, type Emission } from './streamForms';
import { EventStream, pickFormat } from './streams';

/** Whether any node task of the run is still going. */
function hasActiveTask(deps: ApiDeps, run: FlowRun): boolean {
  return Object.values(run.node_tasks ?? {}).some((ref) => {
    const task = deps.store.tasks.get(ref.task_id);
    return task !== undefined && !isTerminalTaskStatus(toTaskStatus(task.status));
  });
}

/** Serves a run's stream (`tasksOnly`: its tasks stream) in the profile's forms. */
export function subscribeRun(ctx: RouteContext, deps: ApiDeps, run: FlowRun, tasksOnly: boolean): void {
  // Publish pending changes to others first, so that every partial this
  // stream sends is newer than the full object it starts with.
  deps.store.flush();
  const stream = new EventStream(ctx.req, ctx.res, pickFormat(ctx.req), deps.keepAliveMs, deps.faults.forStream(ctx.routeKey, ctx.faultOverride));
  const style = new StreamStyle(tasksOnly ? 'tasks' : 'run', deps.variation?.next('stream', ctx.routeKey));
  deps.streams.add(stream);
  const subscription: { off?: () => void } = {};
  stream.onClose(() => {
    deps.streams.delete(stream);
    subscription.off?.();
  });
  let updates = 0;
  const emit = (e: Emission | undefined): void => {
    if (e) stream.send(e.payload, e.event);
  };
  // The run stream ends with `done` after the terminal status; a tasks stream
  // as its style says (`done` or a plain close), possibly before the run ends.
  const finish = (): void => {
    if (style.ending === 'close') stream.end();
    else stream.done();
  };
  const endsEarly = (): boolean => (style.end === 'when-idle' && !hasActiveTask(deps, run))
    || (style.end === 'early' && updates >= style.updatesBeforeEnd);
  if (tasksOnly) {
    for (const ref of Object.values(run.node_tasks ?? {})) {
      const task = deps.store.tasks.get(ref.task_id);
      if (task) emit(style.full(structuredClone(task)));
    }
  } else emit(style.full(structuredClone(run)));
  if (isTerminalRunStatus(run.status) || (tasksOnly && endsEarly())) {
    finish();
    return;
  }
  if (stream.closed) return;
  subscription.off = deps.store.subscribe(run.id, (e) => {
    if (stream.closed) return;
    if (tasksOnly) {
      if (e.kind === 'task-new') {
        updates++;
        emit(style.full(e.task));
      } else if (e.kind === 'task') {
        const current = deps.store.tasks.get(String(e.data.id));
        const emission = current ? style.taskUpdate(e.data, e.fields, current) : undefined;
        if (emission) updates++;
        emit(emission);
      } else if (e.kind === 'run' && (e.terminal || endsEarly())) finish();
    } else if (e.kind === 'run') {
      emit(style.runUpdate(e.data, e.fields, run));
      if (e.terminal) stream.done();
    }
  });
}
