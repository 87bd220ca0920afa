// What the varied profile changes in the state itself, not in one answer, so
// that every answer about an object agrees and a client can converge on it
// exactly: optional fields a run or task may lack (`short_id`,
// `flow_version`), and a run's `input` as per-node values, the way the
// official SDK types it (`{nodeId: {key: {Value, Connection?}}}`), instead of
// the object the create call sent.
import type { FlowRun, FlowVersion, Task } from '../api/models';
import { nodeReference, readsNodes, resolveTemplates } from './graph';
import type { Variation } from './variation';

export interface PerNodeValue {
  Value: unknown;
  /** Set when the value comes from another node's output (known only at run time). */
  Connection?: { nodeId: string; key: string; type: string; previousValue: unknown };
}

/** The input each node receives, as far as it is known when the run starts. */
export function perNodeInput(version: FlowVersion, input: Record<string, unknown>): Record<string, Record<string, PerNodeValue>> {
  const out: Record<string, Record<string, PerNodeValue>> = {};
  for (const node of version.nodes) {
    const values: Record<string, PerNodeValue> = {};
    const nodeInput = version.node_data[node.id]?.input;
    if (typeof nodeInput !== 'object' || nodeInput === null || Array.isArray(nodeInput)) continue;
    for (const [key, raw] of Object.entries(nodeInput as Record<string, unknown>)) {
      const ref = nodeReference(raw);
      if (ref) values[key] = { Value: null, Connection: { ...ref, type: 'default', previousValue: null } };
      else if (typeof raw === 'string' && readsNodes(raw)) values[key] = { Value: raw };
      else values[key] = { Value: resolveTemplates(raw, { input, nodes: {} }) ?? null };
    }
    out[node.id] = values;
  }
  return out;
}

/** Probabilities of each state variation, per object. */
const P_NO_SHORT_ID = 0.3;
const P_NO_FLOW_VERSION = 0.3;
const P_PER_NODE_INPUT = 0.4;

export class StateShaper {
  constructor(private readonly variation: Variation) {}

  /** Shapes a new run (the n-th created; seeded runs count in their own sequence). */
  run(run: FlowRun, version: FlowVersion, effectiveInput: Record<string, unknown>, sequence = 'run'): void {
    const rng = this.variation.next('state', sequence);
    const [rShort, rVersion, rInput] = [rng(), rng(), rng()];
    if (rShort < P_NO_SHORT_ID) delete run.short_id;
    if (rVersion < P_NO_FLOW_VERSION) delete run.flow_version;
    if (rInput < P_PER_NODE_INPUT) run.input = perNodeInput(version, effectiveInput);
  }

  /** Shapes a new task (the n-th created). */
  task(task: Task, sequence = 'task'): void {
    if (this.variation.next('state', sequence)() < P_NO_SHORT_ID) delete task.short_id;
  }
}
