// What a run command receives: a tree item (with `runId`), a run, an id from
// the panel or another command, or nothing (palette). With multi-select the
// tree passes the clicked item and then every selected item.
import type { FlowRun } from '../api/models';

export type RunRef = string | { runId: string } | { run: FlowRun } | FlowRun;

function idOf(ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref || undefined;
  if (ref && typeof ref === 'object') {
    const r = ref as { runId?: unknown; run?: { id?: unknown }; id?: unknown; flow_id?: unknown };
    if (typeof r.runId === 'string') return r.runId;
    if (r.run && typeof r.run.id === 'string') return r.run.id;
    if (typeof r.id === 'string' && typeof r.flow_id === 'string') return r.id;
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
