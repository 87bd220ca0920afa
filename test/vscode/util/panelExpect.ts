// What a run panel must show for the server's final run: the host's own
// conversion (panelModel) applied to the sandbox's objects, so tests compare
// like with like.
import assert from 'node:assert/strict';
import type { Task } from '../../../src/api/models';
import type { PanelRun, PanelTask } from '../../../src/shared/protocol';
import { collectTasks, nodeOfTask, toPanelRun, toPanelTask } from '../../../src/views/panel/panelModel';
import type { TestSandbox } from './sandbox';

export function expectedPanelState(t: TestSandbox, id: string): { run: PanelRun; tasks: Map<string, PanelTask> } {
  const run = t.sandbox.getRun(id);
  assert.ok(run, `the sandbox has run ${id}`);
  const serverTasks: Record<string, Task> = {};
  for (const ref of Object.values(run.node_tasks ?? {})) {
    const task = t.sandbox.getTask(ref.task_id);
    if (task) serverTasks[task.id] = task;
  }
  const raw = collectTasks(run, serverTasks);
  const panelRun = toPanelRun(run, raw, t.services.flows.title(run.flow_id));
  const nodes = nodeOfTask(panelRun.nodeTasks);
  return { run: panelRun, tasks: new Map([...raw.values()].map((task) => [task.id, toPanelTask(task, nodes.get(task.id) ?? null)])) };
}
