// The messages the panel host would post for a flow of N nodes whose every
// node changes status 5 times: the snapshot, then per round the batch the
// host sends (run diff + task diffs). Made by the host's own code (panelModel
// + PanelDiffer), so they have the real shape and size.
import { FlowRunStatus, TaskStatus, type FlowRun, type Task } from '../../../src/api/models';
import type { HostMessage, PanelConnection } from '../../../src/shared/protocol';
import { collectTasks, graphSourceOf, nodeOfTask, toPanelGraph, toPanelRun, toPanelTask } from '../../../src/views/panel/panelModel';
import { PanelDiffer } from '../../../src/views/panel/panelDiff';
import { englishPanelStrings } from '../../unit/helpers/panelStrings';
import { flowOfSize } from './benchFlows';

export const CHANGES_PER_NODE = 5;
const TASK_STEPS = [TaskStatus.Queued, TaskStatus.Dispatched, TaskStatus.Running, TaskStatus.Uploading, TaskStatus.Completed];
const NODE_STEPS = ['ready', 'running', 'blocked', 'running', 'completed'];

export interface PanelMessages {
  nodes: number;
  snapshot: HostMessage;
  /** Every node changes in one batch, CHANGES_PER_NODE times. */
  rounds: HostMessage[][];
  /** The same changes arriving 10 nodes per batch (from the snapshot's state). */
  singles: HostMessage[][];
}

function flowRun(n: number): { run: FlowRun; tasks: Task[]; title: string } {
  const version = flowOfSize(n, 'flowver_bench_panel');
  const t0 = Date.UTC(2025, 0, 1);
  const iso = (ms: number): string => new Date(ms).toISOString();
  const tasks: Task[] = version.nodes.map((node, i) => {
    const data = version.node_data[node.id];
    const [namespace, name] = (data?.app_id ?? 'sandbox/echo').split('/');
    return {
      id: `task_${String(i).padStart(4, '0')}`,
      short_id: `t${String(i).padStart(7, '0')}`,
      created_at: iso(t0),
      updated_at: iso(t0),
      status: TaskStatus.Received,
      app_id: data?.app_id ?? 'sandbox/echo',
      app: { namespace, name, title: name },
      flow_run_id: 'flowrun_bench_panel',
      input: { text: `input of ${node.id}` },
      events: [{ id: `ev_${i}_0`, created_at: iso(t0), event_time: iso(t0), task_id: `task_${i}`, status: TaskStatus.Received }],
      logs: [],
    };
  });
  const run: FlowRun = {
    id: 'flowrun_bench_panel',
    short_id: 'benchpnl',
    created_at: iso(t0),
    updated_at: iso(t0),
    flow_id: version.flow_id ?? 'flow_bench_panel',
    flow_version_id: version.id,
    flow_version: version,
    task_id: 'task_parent_bench',
    status: FlowRunStatus.Running,
    flow_run_started: iso(t0),
    input: { prompt: `a ${n}-node flow` },
    node_tasks: Object.fromEntries(version.nodes.map((node, i) => [node.id, { task_id: tasks[i].id }])),
    node_statuses: Object.fromEntries(version.nodes.map((node) => [node.id, 'pending'])),
  };
  return { run, tasks, title: n === 12 ? 'Fan-out / fan-in' : `Benchmark flow (${n} nodes)` };
}

export function panelMessages(n: number): PanelMessages {
  const { run, tasks, title } = flowRun(n);
  const index = new Map(Object.keys(run.node_tasks ?? {}).map((id, i) => [id, i]));
  const connection: PanelConnection = { state: 'live', wasLive: true, error: null };
  const differ = new PanelDiffer();
  const panelRun = toPanelRun(run, collectTasks(run, Object.fromEntries(tasks.map((t) => [t.id, t]))), title);
  const nodeOf = nodeOfTask(panelRun.nodeTasks);
  const panelTasks = tasks.map((t) => toPanelTask(t, nodeOf.get(t.id) ?? null));
  const source = graphSourceOf(run, undefined);
  differ.reset(panelRun, panelTasks);
  const snapshot: HostMessage = {
    type: 'snapshot', runId: run.id, strings: englishPanelStrings(), run: panelRun, tasks: panelTasks,
    graph: source ? toPanelGraph(source) : null, connection, selectedKey: null,
  };

  let clock = Date.UTC(2025, 0, 1, 0, 1);
  const step = (r: FlowRun, ts: Task[], nodeIds: string[], k: number): HostMessage[] => {
    clock += 1000;
    const at = new Date(clock).toISOString();
    const statuses = { ...(r.node_statuses ?? {}) };
    for (const id of nodeIds) {
      statuses[id] = NODE_STEPS[k];
      const i = index.get(id) ?? 0;
      const t = ts[i];
      ts[i] = {
        ...t, status: TASK_STEPS[k], updated_at: at,
        events: [...(t.events ?? []), { id: `ev_${i}_${k + 1}`, created_at: at, event_time: at, task_id: t.id, status: TASK_STEPS[k] }],
      };
    }
    const next: FlowRun = { ...r, node_statuses: statuses, updated_at: at };
    Object.assign(r, next);
    const all = collectTasks(next, Object.fromEntries(ts.map((t) => [t.id, t])));
    const out: HostMessage[] = [];
    const runChanges = differ.runChanges(toPanelRun(next, all, title));
    if (runChanges) out.push({ type: 'run', changes: runChanges });
    const changed = differ.taskChanges(nodeIds.map((id) => toPanelTask(ts[index.get(id) ?? 0], id)));
    if (changed.length) out.push({ type: 'tasks', changes: changed });
    return out;
  };

  const ids = [...index.keys()];
  const work = tasks.slice();
  const rounds: HostMessage[][] = [];
  for (let k = 0; k < CHANGES_PER_NODE; k++) rounds.push(step(run, work, ids, k));

  const fresh = flowRun(n);
  differ.reset(panelRun, panelTasks);
  const singles: HostMessage[][] = [];
  for (let k = 0; k < CHANGES_PER_NODE; k++) {
    for (let i = 0; i < ids.length; i += 10) singles.push(step(fresh.run, fresh.tasks, ids.slice(i, i + 10), k));
  }
  return { nodes: n, snapshot, rounds, singles };
}
