// Historical terminal runs for a fresh sandbox (`seedRuns`), so the run
// explorer has groups, paging and filters to show. Built synchronously with
// synthetic timestamps spread over the past two weeks; seeded.
import type { FlowRun, FlowVersion, Task } from '../api/models';
import { FlowRunStatus, LogType, TaskStatus } from '../api/models';
import { computeOutput, findApp } from './apps';
import { isoFromMicros } from './clock';
import { resolveTemplates, sinksOf, topoOrder } from './graph';
import { newId, shortIdOf } from './ids';
import { randInt, type Rng } from './rng';
import type { RunStore } from './runStore';
import { applyDefaults } from './schema';
import type { StampMaker } from './stamps';
import { FLOW_APP, newTask, nodeTaskRef, OWNER, taskEvent, taskLog } from './taskFactory';
import type { StateShaper } from './variedState';

/** The varied profile's hooks: each run's stamps and its optional fields. */
export interface SeedRunVariation {
  shape: StateShaper;
  /** A stamp maker for the i-th seeded run (each run's stamps increase on their own). */
  stamps: (i: number) => StampMaker;
}

const INPUTS: Record<string, Record<string, unknown>[]> = {
  flow_image_pipeline: [
    { prompt: 'A mountain landscape' }, { prompt: 'A lighthouse at dusk', style: 'watercolor' },
    { prompt: 'Desert dunes under a full moon', style: 'oil' }, { prompt: 'A pine forest in fog', style: 'pixel-art' },
  ],
  flow_fanout: [{ topic: 'Tidal energy' }, { topic: 'The printing press', depth: 3 }, { topic: 'Coral reefs' }],
  flow_flaky: [{}, { url: 'https://example.com/q3.json' }],
  flow_slow: [{ seconds: 5 }, { seconds: 30 }, { seconds: 90 }],
  flow_unpositioned: [{}, { text: 'graphs without positions' }],
};

const DAY_MS = 24 * 3600 * 1000;
const NODE_MS = 3000;

export function seedHistoricalRuns(store: RunStore, count: number, rng: Rng, baseUrl: string, varied?: SeedRunVariation): void {
  const flowIds = Object.keys(INPUTS).filter((id) => store.flows.has(id));
  if (!flowIds.length) return;
  const nowMs = Date.now();
  for (let i = 0; i < count; i++) {
    const flowId = flowIds[randInt(rng, 0, flowIds.length - 1)];
    const inputs = INPUTS[flowId];
    const input = inputs[randInt(rng, 0, inputs.length - 1)];
    const roll = rng();
    const outcome = flowId === 'flow_flaky' ? FlowRunStatus.Failed
      : roll < 0.7 ? FlowRunStatus.Completed : roll < 0.85 ? FlowRunStatus.Failed : FlowRunStatus.Cancelled;
    const createdMs = nowMs - Math.floor(rng() * 14 * DAY_MS) - 60000;
    buildRun(store, flowId, input, outcome, createdMs * 1000 + i, rng, baseUrl, varied && { shape: varied.shape, stamps: varied.stamps(i) });
  }
}

function buildRun(
  store: RunStore, flowId: string, input: Record<string, unknown>, outcome: FlowRunStatus, t0: number, rng: Rng, baseUrl: string,
  varied: { shape: StateShaper; stamps: StampMaker } | undefined,
): void {
  const flow = store.flows.get(flowId);
  const version: FlowVersion | undefined = flow ? store.versions.get(flow.published_version_id || flow.draft_version_id || '') : undefined;
  const order = version ? topoOrder(version) : undefined;
  if (!version || !order) return;
  let clockUs = t0;
  const at = (addMs: number): string => {
    clockUs += addMs * 1000;
    return varied ? varied.stamps.stamp(clockUs) : isoFromMicros(clockUs);
  };
  const id = newId('flowrun');
  const createdAt = at(0);
  const parent = newTask({ app: FLOW_APP, fn: 'run', runId: id, input, now: createdAt });
  varied?.shape.task(parent, 'seed-task');
  const effective = applyDefaults(version.input_schema, input);
  const stopAt = outcome === FlowRunStatus.Completed ? order.length : randInt(rng, 0, order.length - 1);
  const failedNode = outcome === FlowRunStatus.Failed
    ? (flowId === 'flow_flaky' ? 'validate' : order[stopAt]) : undefined;
  const stopIndex = failedNode ? order.indexOf(failedNode) : stopAt;
  const run: FlowRun = {
    id, short_id: shortIdOf(id), created_at: createdAt, updated_at: createdAt, ...OWNER, visibility: 'private',
    flow_id: flowId, flow_version_id: version.id, flow_version: structuredClone(version), task_id: parent.id,
    status: outcome, error: null, flow_run_started: at(300), flow_run_finished: null, flow_run_cancelled: null,
    input, fail_on_error: true, output: null, node_tasks: {}, node_statuses: {}, node_outputs: {},
  };
  const outputs: Record<string, unknown> = {};
  order.forEach((nodeId, idx) => {
    const st = run.node_statuses!;
    if (idx > stopIndex || (idx === stopIndex && outcome === FlowRunStatus.Completed)) {
      st[nodeId] = 'skipped';
      return;
    }
    const nd = version.node_data[nodeId] ?? {};
    const app = findApp(nd.app_id);
    const fn = nd.function ?? 'run';
    const taskInput = resolveTemplates(nd.input ?? {}, { input: effective, nodes: outputs }) as Record<string, unknown>;
    const task: Task = newTask({ app: app.ref, fn, runId: id, input: taskInput, now: at(50) });
    varied?.shape.task(task, 'seed-task');
    task.events = [taskEvent(task.id, TaskStatus.Received, task.created_at)];
    for (const s of [TaskStatus.Queued, TaskStatus.Dispatched, TaskStatus.Preparing, TaskStatus.Running]) {
      task.events.push(taskEvent(task.id, s, at(NODE_MS / 8)));
    }
    task.run_at = task.events[task.events.length - 1].created_at;
    task.logs = [taskLog(task.id, `Running "${nd.title ?? nodeId}"\n`, task.run_at, LogType.Run, true)];
    let end: TaskStatus;
    if (idx < stopIndex) {
      task.events.push(taskEvent(task.id, TaskStatus.Uploading, at(NODE_MS / 2)));
      task.output = computeOutput(app.ref.id, fn, taskInput, baseUrl);
      outputs[nodeId] = task.output;
      end = TaskStatus.Completed;
      st[nodeId] = 'completed';
    } else if (outcome === FlowRunStatus.Failed) {
      task.error = flowId === 'flow_flaky' ? `Validate metadata (node "validate") failed: metadata field "license" is missing`
        : `${nd.title ?? nodeId} (node "${nodeId}") failed: simulated failure`;
      end = TaskStatus.Failed;
      st[nodeId] = 'failed';
      run.error = task.error;
    } else {
      task.events.push(taskEvent(task.id, TaskStatus.Cancelling, at(NODE_MS / 4)));
      task.error = 'Cancelled with the flow run';
      end = TaskStatus.Cancelled;
      st[nodeId] = 'cancelled';
    }
    const endAt = at(NODE_MS / 8);
    task.events.push(taskEvent(task.id, end, endAt));
    task.status = end;
    task.updated_at = endAt;
    store.addTask(task, true);
    run.node_tasks![nodeId] = nodeTaskRef(task);
  });
  run.node_outputs = outputs;
  const finished = at(100);
  run.flow_run_finished = finished;
  if (outcome === FlowRunStatus.Cancelled) run.flow_run_cancelled = finished;
  const sinks = sinksOf(version).filter((s) => outputs[s] !== undefined);
  run.output = sinks.length === 0 ? null : sinks.length === 1 && sinksOf(version).length === 1 ? outputs[sinks[0]] : Object.fromEntries(sinks.map((s) => [s, outputs[s]]));
  run.updated_at = finished;
  parent.status = outcome === FlowRunStatus.Completed ? TaskStatus.Completed : outcome === FlowRunStatus.Failed ? TaskStatus.Failed : TaskStatus.Cancelled;
  parent.events = [taskEvent(parent.id, TaskStatus.Received, createdAt), taskEvent(parent.id, parent.status, finished)];
  parent.output = run.output;
  parent.error = run.error;
  parent.updated_at = finished;
  varied?.shape.run(run, version, effective, 'seed-run');
  store.addTask(parent, false);
  store.addRun(run);
}
