// The whole page: header, graph, task list, selected task and final output.
// render() draws only the parts the state marked dirty.
import type { WebviewMessage } from '../shared/protocol';
import { isActive } from '../shared/runText';
import { el } from './dom';
import { GraphView } from './graphView';
import { HeaderView } from './header';
import { ImageResolver } from './images';
import { renderValue } from './outputView';
import type { PanelState } from './panelState';
import type { RenderContext } from './renderContext';
import { TaskDetailsView } from './taskDetails';
import { S } from './strings';
import { TaskListView } from './taskList';

export class PanelView {
  readonly images: ImageResolver;
  private readonly header: HeaderView;
  private readonly graph: GraphView;
  private readonly list: TaskListView;
  private readonly details: TaskDetailsView;
  private readonly output = el('div', { cls: 'final-output' });
  private readonly main: HTMLElement;
  private lastSelectedTask: string | null | undefined;
  private day = new Date().toDateString();

  constructor(root: HTMLElement, private readonly state: PanelState, private readonly post: (msg: WebviewMessage) => void) {
    this.images = new ImageResolver((url) => post({ type: 'resolveImage', url }));
    const ctx: RenderContext = { post, images: this.images };
    this.header = new HeaderView(post);
    const select = (key: string): void => this.select(key);
    this.graph = new GraphView((nodeId) => select(`node:${nodeId}`));
    this.list = new TaskListView(select);
    this.details = new TaskDetailsView(ctx);
    this.main = el('main', { cls: 'panel' },
      this.header.el,
      this.graph.el,
      el('div', { cls: 'columns' }, this.list.el, this.details.el),
      el('section', { cls: 'output-section', attrs: { 'aria-label': S().finalOutput } }, el('h2', { text: S().finalOutput }), this.output),
    );
    root.replaceChildren(this.main);
  }

  select(key: string): void {
    const s = this.state;
    s.userSelected = true;
    if (s.selectedKey === key) return;
    s.selectedKey = key;
    s.dirty.add('details').add('list').add('statuses');
    this.render(Date.now());
  }

  render(now: number): void {
    const s = this.state;
    s.autoSelect();
    const d = s.dirty;
    if (this.main.classList.contains('stale') !== s.stale) this.main.classList.toggle('stale', s.stale);
    setData(this.main, 'connection', s.connection.state);
    if (s.run) setData(this.main, 'runStatus', s.run.statusName.toLowerCase());
    if (d.has('header')) this.header.render(s, now);
    if (d.has('graph')) this.graph.build(s.graph);
    if (d.has('graph') || d.has('statuses')) this.graph.update(s, d.has('graph'));
    if (d.has('list')) this.list.render(s, now);
    if (d.has('details')) this.details.render(s, now);
    else this.details.appendLogs(s.logAppend, s);
    if (d.has('output')) {
      this.output.replaceChildren(renderValue(s.run?.output, { post: this.post, images: this.images },
        s.run && isActive(s.run) ? S().noOutputRunning : S().noOutput));
    }
    s.rendered();
    // Tell the host which task's logs to stream (the row's task may appear later).
    const row = s.selectedRow();
    const taskId = row?.taskId ?? null;
    if (taskId !== this.lastSelectedTask) {
      this.lastSelectedTask = taskId;
      this.post({ type: 'select', key: s.selectedKey, taskId });
    }
  }

  /** Once a second while something runs: durations tick. */
  tick(): boolean {
    const s = this.state;
    if (s.stale || !s.run) return false;
    const runActive = isActive(s.run);
    if (!runActive) return false;
    s.dirty.add('header');
    // Times read "14:03" today and carry the date otherwise: at midnight every row changes.
    const day = new Date().toDateString();
    if (day !== this.day) {
      this.day = day;
      s.markAllRows();
    } else {
      s.markTicking();
    }
    const task = s.selectedRow()?.task;
    if (task && !task.finishedAt) s.dirty.add('details');
    return true;
  }
}

/** Writes a data attribute only when it differs (a write invalidates style even when equal). */
function setData(node: HTMLElement, name: string, value: string): void {
  if (node.dataset[name] !== value) node.dataset[name] = value;
}
