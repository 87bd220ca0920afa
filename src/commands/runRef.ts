// What a run command receives: a tree item (with `runId`), a run, an id from
// the panel or another command, or nothing (palette). With multi-select the
// tree passes the clicked item and then every selected item.
import type { FlowRun } from '../api/models';
import { isRecord } from '../shared/guards';

export type RunRef = string | { runId: string } | { run: FlowRun } | FlowRun;

function idOf(ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref || undefined;
  if (isRecord(ref)) {
    if (typeof ref.runId === 'string') return ref.runId;
    if (isRecord(ref.run) && typeof ref.run.id === 'string') return ref.run.id;
    if (typeof ref.id === 'string' && typeof ref.flow_id === 'string') return ref.id;
  }
  return undefined;
}

/** The run ids a command was invoked on, selection first when there is one, without duplicates. */
export function runIdsFrom(arg: unknown, selection?: unknown): string[] {
  const ids: string[] = [];
  if (Array.isArray(selection) && selection.length > 0) {
    for (const s of selection) {
      const id = idOf(s);
      if (id) ids.push(id);
    }
  }
  if (ids.length === 0) {
    const id = idOf(arg);
    if (id) ids.push(id);
  }
  return [...new Set(ids)];
}
