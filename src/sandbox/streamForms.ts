// The forms of one stream connection's payloads (wire spec sections 5 and 6).
// The seed profile sends a full object first, then partials {data, fields}
// whose data carries the id, as unnamed events, and ends with `done` when the
// run is over. Under the varied profile each connection draws how it behaves
// (whether task logs travel on it, when a tasks stream ends, and how) and
// each event draws its form: a full object mid-stream, a partial with or
// without `id` in data, a partial with a top-level `id`, with or without
// `created_at`, as a named (`flow_runs`/`tasks`) or an unnamed event. A task
// partial whose data lacks the id always carries a top-level `id`: a tasks
// stream serves many tasks, and a server that leaves the id out of the row
// data still says which row changed (as pub/sub messages do) beside it.
import type { FlowRun, Task } from '../api/models';
import type { Rng } from './rng';
import { pickOne } from './variation';

export type StreamKind = 'run' | 'tasks';

/** When a tasks stream ends on its own (the run stream always ends after the run's terminal status). */
export type TasksStreamEnd = 'with-run' | 'when-idle' | 'early';
export type StreamEnding = 'done' | 'close';

export type RunUpdateForm = 'partial' | 'partial-without-id' | 'partial-top-level-id' | 'full';
export type TaskUpdateForm = 'partial' | 'partial-top-level-id' | 'partial-top-level-id-only' | 'full';

export const RUN_UPDATE_FORMS: readonly RunUpdateForm[] = ['partial', 'partial-without-id', 'partial-top-level-id', 'full'];
export const TASK_UPDATE_FORMS: readonly TaskUpdateForm[] = ['partial', 'partial-top-level-id', 'partial-top-level-id-only', 'full'];
export const TASKS_STREAM_ENDS: readonly TasksStreamEnd[] = ['with-run', 'when-idle', 'early'];

/** SSE event names: table names, as the wire spec infers. */
export const EVENT_NAMES: Readonly<Record<StreamKind, string>> = { run: 'flow_runs', tasks: 'tasks' };

/** Most update events an `early` tasks stream sends before it ends. */
const MAX_EARLY_EVENTS = 8;

export interface Emission {
  payload: unknown;
  /** SSE event name; unnamed (`message`) when undefined. */
  event?: string;
}

/** One connection's choices; `rng` undefined = the seed profile. */
export class StreamStyle {
  /** Whether task logs travel on this tasks stream (else only GET /tasks/{id} has them). */
  readonly logsOnStream: boolean;
  readonly end: TasksStreamEnd;
  readonly ending: StreamEnding;
  /** For an `early` stream: update events sent before it ends. */
  readonly updatesBeforeEnd: number;

  constructor(readonly kind: StreamKind, private readonly rng?: Rng) {
    const draws = rng ? [rng(), rng(), rng(), rng()] : undefined;
    this.logsOnStream = draws ? draws[0] < 0.5 : true;
    this.end = draws && kind === 'tasks' ? pickOne(draws[1], TASKS_STREAM_ENDS) : 'with-run';
    this.ending = draws && kind === 'tasks' && draws[2] < 0.5 ? 'close' : 'done';
    this.updatesBeforeEnd = draws ? 1 + Math.floor(draws[3] * MAX_EARLY_EVENTS) : Infinity;
  }

  get varied(): boolean {
    return this.rng !== undefined;
  }

  /** A full object (a run, or a task on the tasks stream). */
  full(obj: FlowRun | Task): Emission {
    const [rName] = this.draw();
    return { payload: this.kind === 'tasks' ? this.withoutLogs(obj as Task) : obj, event: this.name(rName) };
  }

  /** A run change: `data` holds `fields` (id and updated_at first); `current` is the run now (copied only when sent whole). */
  runUpdate(data: Record<string, unknown>, fields: string[], current: FlowRun): Emission {
    const [rName, rForm, rCreated, rIdInData] = this.draw();
    const event = this.name(rName);
    if (!this.rng) return { payload: { data, fields }, event };
    const form = pickOne(rForm, RUN_UPDATE_FORMS);
    if (form === 'full') return { payload: structuredClone(current), event };
    const p = withCreatedAt(data, fields, current.created_at, rCreated < 0.5);
    if (form === 'partial-without-id') return { payload: withoutId(p.data, p.fields), event };
    if (form === 'partial-top-level-id') {
      const inner = rIdInData < 0.5 ? p : withoutId(p.data, p.fields);
      return { payload: { id: current.id, data: inner.data, fields: inner.fields }, event };
    }
    return { payload: p, event };
  }

  /**
   * A task change, or undefined when nothing of it travels on this stream
   * (only its logs changed, and logs do not); `current` as for runUpdate.
   */
  taskUpdate(data: Record<string, unknown>, fields: string[], current: Task): Emission | undefined {
    const [rName, rForm, rCreated] = this.draw();
    const event = this.name(rName);
    if (!this.rng) return { payload: { data, fields }, event };
    const form = pickOne(rForm, TASK_UPDATE_FORMS);
    let p = withCreatedAt(data, fields, current.created_at, rCreated < 0.5);
    if (!this.logsOnStream) {
      p = { data: omit(p.data, 'logs'), fields: p.fields.filter((f) => f !== 'logs') };
      if (p.fields.every((f) => f === 'id' || f === 'updated_at' || f === 'created_at')) return undefined;
    }
    if (form === 'full') return { payload: this.withoutLogs(structuredClone(current)), event };
    if (form === 'partial-top-level-id') return { payload: { id: current.id, data: p.data, fields: p.fields }, event };
    if (form === 'partial-top-level-id-only') {
      const inner = withoutId(p.data, p.fields);
      return { payload: { id: current.id, data: inner.data, fields: inner.fields }, event };
    }
    return { payload: p, event };
  }

  /** Four draws per event, whatever the form, so that a schedule replays aligned. */
  private draw(): [number, number, number, number] {
    const r = this.rng;
    return r ? [r(), r(), r(), r()] : [1, 0, 1, 1];
  }

  private name(r: number): string | undefined {
    return this.rng && r < 0.5 ? EVENT_NAMES[this.kind] : undefined;
  }

  private withoutLogs(task: Task): Task {
    return this.logsOnStream ? task : (omit(task as unknown as Record<string, unknown>, 'logs') as unknown as Task);
  }
}

function omit(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = obj;
  return rest;
}

function withoutId(data: Record<string, unknown>, fields: string[]): { data: Record<string, unknown>; fields: string[] } {
  return { data: omit(data, 'id'), fields: fields.filter((f) => f !== 'id') };
}

function withCreatedAt(data: Record<string, unknown>, fields: string[], createdAt: string, add: boolean): { data: Record<string, unknown>; fields: string[] } {
  if (!add || fields.includes('created_at')) return { data, fields };
  return { data: { ...data, created_at: createdAt }, fields: [...fields, 'created_at'] };
}
