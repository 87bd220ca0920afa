// One pre-generated run stream for the client-bound bench, in the shape the
// sandbox sends: the full run first, then partials {data, fields} whose data
// carries id and updated_at (the sandbox's pick order) plus node_statuses (one
// entry per node, one of them changed) and output (a progress counter); the
// last partial sets a terminal status; then `event: done`. Pure: the server
// (a child process) and the parse-only limit (this process) build the same
// bytes from the same numbers.
import { FlowRunStatus, TaskStatus, type FlowRun, type Task } from '../../../src/api/models';
import { isoFromMicros } from '../../../src/sandbox/clock';
import { nodeTaskRef } from '../../../src/sandbox/taskFactory';
import { flowOfSize } from './benchFlows';
import { applyPayload } from './streamTypes';

export interface StreamSpec {
  /** Nodes of the flow (entries of node_statuses in every partial). */
  nodes: number;
  /** Partial updates after the full run; the last one is terminal. */
  partials: number;
}

export interface StreamFixture {
  spec: StreamSpec;
  /** The run as a GET answers before the stream's events. */
  initial: FlowRun;
  /** The run as a GET answers after them: every partial applied. */
  final: FlowRun;
  /** Node tasks, whole (the tasks stream and GET /tasks/{id} send these). */
  tasks: Task[];
  /** The SSE body of the run stream, `event: done` included. */
  sse: string;
  /** Data events in `sse` (the full run + the partials). */
  events: number;
}

/** Nodes that have a task (and start running): the sandbox runs at most this many at once in its demo flows. */
const ACTIVE = 12;
const T0_US = Date.UTC(2026, 0, 1, 9, 0, 0) * 1000;
/** Microseconds between two updates: a server that publishes ~140k updates a second. */
const STEP_US = 7;
const NODE_CYCLE = ['running', 'ready', 'running', 'blocked', 'running'];

const iso = (i: number): string => isoFromMicros(T0_US + i * STEP_US);

export function makeStreamFixture(runId: string, spec: StreamSpec): StreamFixture {
  const version = flowOfSize(spec.nodes);
  const ids = version.nodes.map((n) => n.id);
  const started = iso(0);
  const tasks: Task[] = ids.slice(0, ACTIVE).map((nodeId, i) => {
    // The run's id inside: each run's copy gets task ids of its own.
    const id = `task_of_${runId}_${String(i).padStart(4, '0')}`;
    const data = version.node_data[nodeId];
    return {
      id,
      short_id: `t${String(i).padStart(7, '0')}`,
      created_at: started,
      updated_at: started,
      user_id: 'user_sandbox',
      team_id: 'team_sandbox',
      visibility: 'private',
      status: TaskStatus.Running,
      app_id: data?.app_id ?? 'sandbox/echo',
      app: { namespace: 'sandbox', name: 'echo', title: 'Echo' },
      app_version_id: 'appver_echo_1',
      app_variant: 'default',
      function: data?.function ?? 'run',
      flow_run_id: runId,
      input: { text: `input of ${nodeId}` },
      output: null,
      error: null,
      events: [
        { id: `tev_${id}_1`, created_at: started, event_time: started, task_id: id, status: TaskStatus.Received },
        { id: `tev_${id}_2`, created_at: started, event_time: started, task_id: id, status: TaskStatus.Running },
      ],
      logs: [{ id: `tlog_${id}_1`, created_at: started, updated_at: started, task_id: id, log_type: 1, content: `Running ${nodeId}\n` }],
      run_at: started,
    };
  });
  const statuses: Record<string, string> = Object.fromEntries(ids.map((id, i) => [id, i < ACTIVE ? 'running' : 'pending']));
  const initial: FlowRun = {
    id: runId,
    short_id: runId.slice(8, 16),
    created_at: started,
    updated_at: started,
    user_id: 'user_sandbox',
    team_id: 'team_sandbox',
    visibility: 'private',
    flow_id: version.flow_id ?? 'flow_bench',
    flow_version_id: version.id,
    flow_version: version,
    task_id: `task_parent_of_${runId}`,
    status: FlowRunStatus.Running,
    error: null,
    flow_run_started: started,
    flow_run_finished: null,
    flow_run_cancelled: null,
    input: { topic: 'client-bound stream bench', depth: 2 },
    fail_on_error: true,
    output: null,
    node_tasks: Object.fromEntries(tasks.map((t, i) => [ids[i], nodeTaskRef(t)])),
    node_statuses: { ...statuses },
    node_outputs: {},
  };

  const lines: string[] = [`data: ${JSON.stringify(initial)}\n\n`];
  let final: FlowRun = structuredClone(initial);
  const total = spec.partials;
  for (let i = 1; i <= total; i++) {
    const at = iso(i);
    const last = i === total;
    let payload: { data: Record<string, unknown>; fields: string[] };
    if (!last) {
      // One node moves each time; the server sends the whole field.
      const node = ids[i % ids.length];
      statuses[node] = NODE_CYCLE[Math.floor(i / ids.length) % NODE_CYCLE.length];
      payload = {
        data: { id: runId, updated_at: at, node_statuses: { ...statuses }, output: { progress: i, total } },
        fields: ['id', 'updated_at', 'node_statuses', 'output'],
      };
    } else {
      for (const id of ids) statuses[id] = 'completed';
      payload = {
        data: {
          id: runId, updated_at: at, status: FlowRunStatus.Completed, flow_run_finished: at,
          node_statuses: { ...statuses }, output: { progress: i, total },
        },
        fields: ['id', 'updated_at', 'status', 'flow_run_finished', 'node_statuses', 'output'],
      };
    }
    final = applyPayload(final, payload);
    lines.push(`data: ${JSON.stringify(payload)}\n\n`);
  }
  lines.push('event: done\ndata: {}\n\n');
  return { spec, initial, final, tasks, sse: lines.join(''), events: total + 1 };
}
