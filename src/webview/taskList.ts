// The node tasks as a table in topological order: the graph's text equivalent.
// Rows are kept by key and updated in place, so focus and scroll survive updates.
import { el, TextSlot } from './dom';
import { durationMs, formatDuration, formatTime } from '../shared/time';
import type { PanelState, Row } from './panelState';
import { statusWord } from './status';
import { S } from './strings';


/**
 * From this many rows on, the table lays its rows out as fixed-track grids
 * (class `long`, see panel.css) so each row is contained and rows off screen
 * are skipped (content-visibility); shorter tables keep the content-sized
 * columns of a real table layout.
 */
export const LONG_LIST_ROWS = 40;

/** Node, Status, App, Task status, Started, Ended, Duration. */
const COLUMN_COUNT = 7;

/** One row's cells, cloned for every row (cheaper than building each). */
function rowTemplate(): HTMLTableRowElement {
  // Empty text nodes are the slots the fills write into.
  const cell = (cls: string, ...children: (Node | string)[]): HTMLTableCellElement =>
    el('td', { cls, attrs: { role: 'gridcell' } }, ...children);
  return el('tr', { cls: 'task-row', attrs: { tabindex: '0', role: 'row' } },
    cell('col-node', el('span', {}, '')),
    cell('col-status', el('span', { attrs: { 'aria-hidden': 'true' } }), el('span', { cls: 'status-word' }, '')),
    cell('col-app', ''), cell('col-task-status', ''), cell('col-time', ''), cell('col-time', ''), cell('col-duration', ''));
}

interface RowParts {
  tr: HTMLTableRowElement;
  statusCell: HTMLTableCellElement;
  icon: HTMLSpanElement;
  title: TextSlot;
  word: TextSlot;
  app: TextSlot;
  taskStatus: TextSlot;
  started: TextSlot;
  ended: TextSlot;
  duration: TextSlot;
  /** What was last written (classes, aria-selected, data-status), so a fill writes only what differs. */
  cls: string;
  statusCls: string;
  selected: string;
  status: string;
  iconCls: string;
}

export class TaskListView {
  readonly el: HTMLElement;
  private readonly body = el('tbody');
  private readonly rows = new Map<string, RowParts>();
  private empty: HTMLTableRowElement | null = null;
  private selected: string | null = null;
  private stale = false;
  private readonly table: HTMLTableElement;
  private readonly template = rowTemplate();

  constructor(private readonly onSelect: (key: string) => void) {
    // Explicit roles keep the grid semantics when a long table is laid out as grids.
    const s = S();
    const columns = [s.node, s.status, s.app, s.taskStatus, s.started, s.ended, s.duration];
    const head = el('thead', { attrs: { role: 'rowgroup' } },
      el('tr', { attrs: { role: 'row' } }, ...columns.map((c) => el('th', { text: c, attrs: { scope: 'col', role: 'columnheader' } }))));
    this.body.setAttribute('role', 'rowgroup');
    this.table = el('table', { cls: 'tasks', attrs: { role: 'grid', 'aria-label': s.nodeTasksTable } }, head, this.body);
    this.el = el('section', { cls: 'tasks-section', attrs: { 'aria-label': s.nodeTasks } },
      el('h2', { text: s.nodeTasks }), this.table);
    // One pair of listeners for all rows.
    this.body.addEventListener('click', (e) => {
      const key = this.keyOf(e.target);
      if (key !== undefined) this.onSelect(key);
    });
    this.body.addEventListener('keydown', (e) => this.onKey(e));
  }

  private rowOf(target: EventTarget | null): HTMLTableRowElement | undefined {
    const tr = target instanceof Element ? target.closest('tr') : null;
    return tr && tr.parentElement === this.body && tr.dataset.key !== undefined ? tr : undefined;
  }

  private keyOf(target: EventTarget | null): string | undefined {
    return this.rowOf(target)?.dataset.key;
  }

  private onKey(e: KeyboardEvent): void {
    const tr = this.rowOf(e.target);
    // Keys typed into something inside a row (none today) are not the row's.
    if (!tr || e.target !== tr) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.onSelect(tr.dataset.key ?? '');
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
      next?.focus();
    }
  }

  /** Fills the rows that changed (all of them when the rows themselves changed), writing only what differs. */
  render(state: PanelState, now: number): void {
    const rows = state.rows();
    const changed = state.changedRows;
    const selected = state.selectedKey;
    const stale = state.stale;
    if (changed === 'all' || stale !== this.stale) {
      this.sync(rows);
      for (const row of rows) this.fill(row, selected, stale, now);
    } else {
      for (const key of changed) {
        const row = state.row(key);
        if (row) this.fill(row, selected, stale, now);
      }
      if (selected !== this.selected) {
        for (const key of [this.selected, selected]) {
          const row = state.row(key);
          if (row) this.fill(row, selected, stale, now);
        }
      }
    }
    this.selected = selected;
    this.stale = stale;
  }

  /** The rows present and in order; rows that stay keep their elements (focus, scroll). */
  private sync(rows: readonly Row[]): void {
    const keys = new Set(rows.map((r) => r.key));
    for (const [key, parts] of this.rows) {
      if (!keys.has(key)) {
        parts.tr.remove();
        this.rows.delete(key);
      }
    }
    const long = rows.length >= LONG_LIST_ROWS;
    if (this.table.classList.contains('long') !== long) this.table.classList.toggle('long', long);
    if (rows.length === 0) {
      this.empty ??= el('tr', {}, el('td', { cls: 'muted', text: S().noNodeTasks, attrs: { colspan: String(COLUMN_COUNT) } }));
      if (this.body.firstChild !== this.empty || this.body.childNodes.length !== 1) this.body.replaceChildren(this.empty);
      return;
    }
    this.empty?.remove();
    if (this.body.firstChild === null) {
      // The first fill: build the rows off the page and insert them at once.
      const all = document.createDocumentFragment();
      for (const row of rows) {
        const parts = this.makeRow(row.key);
        this.rows.set(row.key, parts);
        all.appendChild(parts.tr);
      }
      this.body.appendChild(all);
      return;
    }
    // Walk the rows and the DOM together: only misplaced rows move.
    let at = this.body.firstElementChild;
    for (const row of rows) {
      let parts = this.rows.get(row.key);
      if (!parts) {
        parts = this.makeRow(row.key);
        this.rows.set(row.key, parts);
      }
      if (at === parts.tr) at = at.nextElementSibling;
      else this.body.insertBefore(parts.tr, at);
    }
  }

  private makeRow(key: string): RowParts {
    const tr = this.template.cloneNode(true) as HTMLTableRowElement;
    tr.dataset.key = key;
    const [node, status, app, taskStatus, started, ended, duration] = tr.children as unknown as HTMLTableCellElement[];
    return {
      tr,
      statusCell: status,
      icon: status.firstElementChild as HTMLSpanElement,
      title: TextSlot.in(node.firstElementChild as HTMLSpanElement),
      word: TextSlot.in(status.lastElementChild as HTMLSpanElement),
      app: TextSlot.in(app),
      taskStatus: TextSlot.in(taskStatus),
      started: TextSlot.in(started),
      ended: TextSlot.in(ended),
      duration: TextSlot.in(duration),
      cls: '',
      statusCls: '',
      selected: '',
      status: '',
      iconCls: '',
    };
  }

  private fill(row: Row, selectedKey: string | null, stale: boolean, now: number): void {
    const p = this.rows.get(row.key);
    if (!p) return;
    const t = row.task;
    const selected = row.key === selectedKey;
    // The status colour is set on the one cell that uses it: a class on the row
    // would restyle every cell, even in rows off screen.
    const cls = selected ? 'task-row selected' : 'task-row';
    if (p.cls !== cls) p.tr.className = p.cls = cls;
    const statusCls = `col-status status-${row.look.cls}`;
    if (p.statusCls !== statusCls) p.statusCell.className = p.statusCls = statusCls;
    const aria = selected ? 'true' : 'false';
    if (p.selected !== aria) p.tr.setAttribute('aria-selected', (p.selected = aria));
    if (p.status !== row.look.cls) p.tr.setAttribute('data-status', (p.status = row.look.cls));
    const iconCls = `codicon codicon-${row.look.icon}${row.look.spin && !stale ? ' codicon-modifier-spin' : ''}`;
    if (p.iconCls !== iconCls) p.icon.className = p.iconCls = iconCls;
    const running = t !== undefined && !t.finishedAt && row.look.cls === 'running';
    const ms = t && !(running && stale) ? durationMs(t.startedAt, t.finishedAt, now) : undefined;
    p.title.set(row.title);
    p.word.set(statusWord(row.statusName));
    p.app.set(row.app || '—');
    p.taskStatus.set(t ? statusWord(t.statusName) : '—');
    p.started.set(t ? formatTime(t.startedAt, now) : '—');
    p.ended.set(t ? formatTime(t.finishedAt, now) : '—');
    p.duration.set(ms === undefined ? '—' : formatDuration(ms));
  }
}
