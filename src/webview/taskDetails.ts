// The selected node's task: ids, times, error, input, output, logs (appended
// live) and a timeline of its status events. Sections are rebuilt only when
// their own data changed, so an opened JSON branch stays open.
import { button, el, icon, setHidden, setText } from './dom';
import { durationMs, formatDuration, formatTime } from '../shared/time';
import { renderValue } from './outputView';
import type { PanelState, Row } from './panelState';
import type { RenderContext } from './renderContext';
import { statusWord } from './status';
import { S } from './strings';

const NOTHING_SHOWN = (): { heading: null; taskId: undefined; error: null; timeline: null } =>
  ({ heading: null, taskId: undefined, error: null, timeline: null });

export class TaskDetailsView {
  readonly el = el('section', { cls: 'details-section', attrs: { 'aria-label': 'Selected node task', 'aria-live': 'off' } });
  private key: string | null | undefined;
  private taskId: string | null = null;
  private readonly heading = el('h2');
  private readonly meta = el('div', { cls: 'task-meta' });
  private readonly error = el('div', { cls: 'task-error', attrs: { role: 'alert' } });
  private readonly input = el('div', { cls: 'task-input' });
  private readonly output = el('div', { cls: 'task-output' });
  private readonly logs = el('pre', { cls: 'logs', attrs: { tabindex: '0', 'aria-label': 'Task logs' } });
  private readonly logNote = el('p', { cls: 'muted log-note' });
  private readonly timeline = el('ol', { cls: 'timeline' });
  private shownInput: unknown = Symbol('none');
  private shownOutput: unknown = Symbol('none');
  /** What the parts rebuilt as a whole last showed; reset on every rebuild. */
  private shown: { heading: string | null; taskId: string | null | undefined; error: string | null; timeline: string | null } = NOTHING_SHOWN();
  private factValues: HTMLSpanElement[] = [];

  constructor(private readonly ctx: RenderContext) {}

  render(state: PanelState, now: number): void {
    const row = state.selectedRow();
    if ((row?.key ?? null) !== this.key || (row?.taskId ?? null) !== this.taskId) this.rebuild(row);
    if (!row) return;
    this.fill(row, state, now);
  }

  /** New log text only: appended without touching the rest. */
  appendLogs(text: string, state: PanelState): void {
    if (!text || !state.logs || state.logs.taskId !== this.taskId) return;
    const nearBottom = this.logs.scrollTop + this.logs.clientHeight >= this.logs.scrollHeight - 8;
    this.logs.appendChild(document.createTextNode(text));
    this.logNote.hidden = true;
    if (nearBottom) this.logs.scrollTop = this.logs.scrollHeight;
  }

  private rebuild(row: Row | undefined): void {
    this.key = row?.key ?? null;
    this.taskId = row?.taskId ?? null;
    this.shownInput = Symbol('none');
    this.shownOutput = Symbol('none');
    this.shown = NOTHING_SHOWN();
    this.logs.textContent = '';
    if (!row) {
      this.el.replaceChildren(el('p', { cls: 'muted', text: S().selectTaskHint }));
      return;
    }
    const s = S();
    this.el.replaceChildren(
      this.heading,
      this.meta,
      this.error,
      el('h3', { text: s.input }), this.input,
      el('h3', { text: s.output }), this.output,
      el('h3', { text: s.logs }), this.logNote, this.logs,
      el('h3', { text: s.timeline }), this.timeline,
    );
  }

  private fill(row: Row, state: PanelState, now: number): void {
    const t = row.task;
    const s = S();
    // Each part is redrawn only when what it shows changed, so a focused
    // button keeps its focus and an equal update costs no layout.
    const headingCls = `status-${row.look.cls}`;
    if (this.heading.className !== headingCls) this.heading.className = headingCls;
    const heading = `${row.look.icon}|${row.title}|${row.statusName}`;
    if (this.shown.heading !== heading) {
      this.shown.heading = heading;
      this.heading.replaceChildren(icon(row.look.icon), el('span', { text: ` ${row.title}` }),
        el('span', { cls: 'status-word', text: ` — ${statusWord(row.statusName)}` }));
    }
    const taskId = row.taskId;
    const ms = t ? durationMs(t.startedAt, t.finishedAt, now) : undefined;
    const facts: [string, string][] = [
      [s.app, row.app || '—'],
      [s.taskStatus, t ? statusWord(t.statusName) : '—'],
      [s.started, formatTime(t?.startedAt, now)],
      [s.ended, formatTime(t?.finishedAt, now)],
      [s.duration, ms === undefined || (state.stale && !t?.finishedAt) ? '—' : formatDuration(ms)],
    ];
    if (this.shown.taskId !== taskId) {
      this.shown.taskId = taskId;
      this.factValues = facts.map(() => el('span'));
      this.meta.replaceChildren(
        fact(s.task, taskId ? el('code', { text: taskId }) : el('span', { cls: 'muted', text: s.taskNotStarted }),
          taskId ? button(s.copyTaskId, 'copy', () => this.ctx.post({ type: 'copyTaskId', taskId }), { cls: 'btn small', title: s.copyTaskIdTitle }) : null),
        ...facts.map(([label], i) => fact(label, this.factValues[i])),
      );
    }
    facts.forEach(([, value], i) => setText(this.factValues[i], value));
    setHidden(this.error, !t?.error);
    if (this.shown.error !== (t?.error ?? '')) {
      this.shown.error = t?.error ?? '';
      this.error.replaceChildren(icon('error'), el('span', { text: this.shown.error }));
    }
    if (t?.input !== this.shownInput) {
      this.shownInput = t?.input;
      this.input.replaceChildren(renderValue(t?.input, this.ctx, t ? s.noInput : s.noTaskYet, { textFields: false }));
    }
    if (t?.output !== this.shownOutput) {
      this.shownOutput = t?.output;
      this.output.replaceChildren(renderValue(t?.output, this.ctx, t ? s.noOutputYet : s.noTaskYet));
    }
    const logs = state.logs && state.logs.taskId === taskId ? state.logs : null;
    if (this.logs.textContent !== (logs?.text ?? '')) {
      this.logs.textContent = logs?.text ?? '';
      this.logs.scrollTop = this.logs.scrollHeight;
    }
    setHidden(this.logNote, Boolean(logs?.text) && !logs?.trimmed);
    setText(this.logNote, logs?.trimmed ? s.logsTrimmed : s.noLogsYet);
    const events = t?.events ?? [];
    const timeline = events.map((e) => `${formatTime(e.time, now)} ${e.statusName}`).join('\n');
    if (this.shown.timeline !== timeline) {
      this.shown.timeline = timeline;
      this.timeline.replaceChildren(...events.map((e) => el('li', {},
        el('span', { cls: 'time', text: formatTime(e.time, now) }), ' ', el('span', { text: statusWord(e.statusName) }))));
      if (!events.length) this.timeline.replaceChildren(el('li', { cls: 'muted', text: s.noEventsYet }));
    }
  }
}

function fact(label: string, ...value: (Node | null)[]): HTMLElement {
  return el('div', { cls: 'fact' }, el('span', { cls: 'label', text: `${label} ` }), ...value);
}
