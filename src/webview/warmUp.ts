// Before the first snapshot: a small made-up run is drawn once, out of sight,
// and thrown away. The real first paint then finds the drawing code compiled
// and the stylesheets indexed, work that otherwise lands in the frame the user
// waits for. It runs after `ready` is posted, while the host builds the
// snapshot, so it costs the user no time.
import type { HostMessage, PanelStrings, PanelTask } from '../shared/protocol';
import { PanelState } from './panelState';
import { PanelView } from './panelView';
import { clearStrings, setStrings } from './strings';

const AT = '2026-01-01T09:00:00.000Z';

function task(id: string, nodeId: string, status: number, statusName: string): PanelTask {
  return {
    id, shortId: id, nodeId, app: 'sample/app', appTitle: 'Sample', status, statusName,
    input: { text: 'x' }, output: null, error: null, startedAt: AT, finishedAt: null,
    events: [{ statusName, time: AT }],
  };
}

function sample(strings: PanelStrings): Extract<HostMessage, { type: 'snapshot' }> {
  return {
    type: 'snapshot',
    runId: 'flowrun_warm_up',
    strings,
    run: {
      id: 'flowrun_warm_up', shortId: 'warm_up', flowId: 'flow_warm_up', flowTitle: 'Warm-up', status: 2, statusName: 'Running',
      error: null, createdAt: AT, startedAt: AT, finishedAt: null, cancelledAt: null, parentTaskId: 'task_warm_up',
      input: { text: 'x' }, output: null,
      nodeStatuses: { a: 'completed', b: 'running', c: 'pending' },
      nodeTasks: { a: 'task_a', b: 'task_b' },
    },
    tasks: [task('task_a', 'a', 9, 'Completed'), task('task_b', 'b', 7, 'Running')],
    graph: {
      nodes: ['a', 'b', 'c'].map((id) => ({ id, title: id, app: 'sample/app', position: null })),
      edges: [{ id: 'ab', source: 'a', target: 'b' }, { id: 'bc', source: 'b', target: 'c' }],
    },
    connection: { state: 'live', wasLive: true, error: null },
    selectedKey: null,
  };
}

export function warmUp(): void {
  const box = document.createElement('div');
  box.setAttribute('aria-hidden', 'true');
  box.style.cssText = 'position:absolute;left:-20000px;top:0;width:1000px;visibility:hidden';
  document.body.append(box);
  // Any word will do: each string is its own name.
  const words = new Proxy({}, { get: (_target, key) => String(key) }) as PanelStrings;
  setStrings(words);
  try {
    const state = new PanelState();
    state.apply(sample(words));
    new PanelView(box, state, () => undefined).render(Date.now());
    // Style and layout now, as the first frame would.
    void box.offsetHeight;
  } finally {
    box.remove();
    clearStrings();
  }
}
