// The node tasks as a table in topological order: the graph's text equivalent.
// Rows are kept by key and updated in place, so focus and scroll survive updates.
//
// A long table (LONG_LIST_ROWS or more) is virtualized, as VS Code's own lists
// are: it scrolls in its own box, every row has the same height, and only the
// rows in view (plus OVERSCAN either side, plus the focused row) exist in the
// page; the others live in the state's rows until scrolled to. The grid keeps
// its semantics: aria-rowcount on the table and aria-rowindex on each row tell
// a screen reader where a row is, and the keys move focus row by row, scrolling
// the next row in (it is drawn first when it is not in the page).
import { el, TextSlot } from './dom';
import { durationMs, formatDuration, formatTime } from '../shared/time';
import type { PanelState, Row } from './panelState';
import { statusWord } from './status';
import { S } from './strings';

/**
 * From this many rows on, the table is virtualized (class `long`, see
 * panel.css); shorter tables keep every row and the content-sized columns of
 * a real table layout.
 */
export const LONG_LIST_ROWS = 40;

/** Rows drawn beyond each edge of the view, so that a short scroll shows no empty row. */
const OVERSCAN = 10;

/** What an empty cell shows. */
const NONE = '—';

/** Node, Status, App, Task status, Started, Ended, Duration. */
const COLUMN_COUNT = 7;

/** A time cell: the date (when not today) may be cut short in a narrow column, the time never. */
function timeCell(): HTMLTableCellElement {
  return el('td', { cls: 'col-time', attrs: { role: 'gridcell' } }, el('span', { cls: 't-date' }, ''), el('span', { cls: 't-time' }, ''));
}

/** One row's cells, cloned for every row (cheaper than building each). */
function rowTemplate(): HTMLTableRowElement {
  // Empty text nodes are the slots the fills write into.
  const cell = (cls: string, ...children: (Node | string)[]): HTMLTableCellElement =>
    el('td', { cls, attrs: { role: 'gridcell' } }, ...children);
  return el('tr', { cls: 'task-row', attrs: { tabindex: '0', role: 'row' } },
    cell('col-node', el('span', {}, '')),
    cell('col-status', el('span', { attrs: { 'aria-hidden': 'true' } }), el('span', { cls: 'status-word' }, '')),
    cell('col-app', ''), cell('col-task-status', ''), timeCell(), timeCell(), cell('col-duration', ''));
}

/** A cell whose text may be cut short: the whole text is its tooltip. */
class TitledCell {
  private title = '';

  constructor(private readonly cell: HTMLElement, private readonly slot: TextSlot) {}

  set(text: string): void {
    this.slot.set(text);
    const title = text === NONE ? '' : text;
    if (this.title !== title) this.cell.title = this.title = title;
  }
}

/** A time cell's date and time parts, with the whole text as the tooltip. */
class TimeCell {
  private title = '';
  private readonly date: TextSlot;
  private readonly time: TextSlot;

  constructor(private readonly cell: HTMLElement) {
    this.date = TextSlot.in(cell.firstElementChild as HTMLElement);
    this.time = TextSlot.in(cell.lastElementChild as HTMLElement);
  }

  set(text: string): void {
    const cut = text.lastIndexOf(' ');
    this.date.set(cut < 0 ? '' : text.slice(0, cut));
    this.time.set(cut < 0 ? text : text.slice(cut + 1));
    const title = text === NONE ? '' : text;
    if (this.title !== title) this.cell.title = this.title = title;
  }
}

interface RowParts {
  tr: HTMLTableRowElement;
  key: string;
  /** The row's place in the list (-1: not placed); long tables position and number rows by it. */
  index: number;
  statusCell: HTMLTableCellElement;
  icon: HTMLSpanElement;
  title: TitledCell;
  word: TextSlot;
  app: TitledCell;
  taskStatus: TextSlot;
  started: TimeCell;
  ended: TimeCell;
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
  /** The rows in the page, by key: all of them in a short table, those in view in a long one. */
  private readonly rows = new Map<string, RowParts>();
  /** Rows scrolled out of a long table, kept to be filled with other rows' data. */
  private readonly spare: RowParts[] = [];
  private empty: HTMLTableRowElement | null = null;
  private selected: string | null = null;
  private stale = false;
  private long = false;
  private readonly table: HTMLTableElement;
  private readonly headRow: HTMLTableRowElement;
  private readonly scroller: HTMLDivElement;
  private readonly template = rowTemplate();
  private state: PanelState | undefined;
  /** A long table's row height in px (from the editor's font size; panel.css sizes rows by it). */
  private rowH = this.measureRow();
  /** The scroller's height and scroll position, kept from events so that nothing here asks for a layout. */
  private view = { h: 0, top: 0 };
  /** The row holding focus: a long table keeps it in the page while it is scrolled away. */
  private focused: string | null = null;
  private frame = 0;
  private count = -1;

  constructor(private readonly onSelect: (key: string) => void) {
    // Explicit roles keep the grid semantics when a long table is laid out as grids.
    const s = S();
    const columns = [s.node, s.status, s.app, s.taskStatus, s.started, s.ended, s.duration];
    const head = el('thead', { attrs: { role: 'rowgroup' } },
      this.headRow = el('tr', { attrs: { role: 'row' } }, ...columns.map((c) => el('th', { text: c, attrs: { scope: 'col', role: 'columnheader', title: c } }))));
    this.body.setAttribute('role', 'rowgroup');
    this.table = el('table', { cls: 'tasks', attrs: { role: 'grid', 'aria-label': s.nodeTasksTable } }, head, this.body);
    this.scroller = el('div', { cls: 'tasks-scroll' }, this.table);
    this.el = el('section', { cls: 'tasks-section', attrs: { 'aria-label': s.nodeTasks } },
      el('h2', { text: s.nodeTasks }), this.scroller);
    // One pair of listeners for all rows.
    this.body.addEventListener('click', (e) => {
      const key = this.keyOf(e.target);
      if (key !== undefined) this.onSelect(key);
    });
    this.body.addEventListener('keydown', (e) => this.onKey(e));
    this.body.addEventListener('focusin', (e) => {
      this.focused = this.keyOf(e.target) ?? null;
    });
    this.body.addEventListener('focusout', (e) => {
      if (!(e.relatedTarget instanceof Node && this.body.contains(e.relatedTarget))) this.focused = null;
    });
    this.scroller.addEventListener('scroll', () => {
      this.view.top = this.scroller.scrollTop;
      this.drawSoon();
    }, { passive: true });
    // Reported after layout, before the frame is painted: rows that came into view are drawn in the same frame.
    new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.contentRect;
      if (!box || !this.long) return;
      const rowH = this.measureRow();
      if (box.height === this.view.h && rowH === this.rowH) return;
      this.view.h = box.height;
      if (rowH !== this.rowH) {
        this.rowH = rowH;
        this.table.style.setProperty('--row-h', `${rowH}px`);
        for (const p of this.rows.values()) p.index = -1;
        this.count = -1;
      }
      this.drawSoon();
    }).observe(this.scroller);
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
    if (!tr || e.target !== tr || !this.state) return;
    const key = tr.dataset.key ?? '';
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.onSelect(key);
      return;
    }
    const at = this.state.indexOf(key);
    if (at === undefined) return;
    const page = Math.max(1, Math.floor((this.long ? this.view.h : window.innerHeight) / this.rowH) - 1);
    const last = this.state.rows().length - 1;
    const to: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: last, PageDown: at + page, PageUp: at - page };
    const next = to[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.focusRow(Math.max(0, Math.min(last, next)));
  }

  /** Focuses the row at `index`, drawing it first if it is not in the page; focus scrolls it into view. */
  private focusRow(index: number): void {
    const row = this.state?.rows()[index];
    if (!row || !this.state) return;
    if (this.long && !this.rows.has(row.key)) {
      this.focused = row.key;
      this.draw(this.state, false, Date.now());
    }
    this.rows.get(row.key)?.tr.focus();
  }

  /** Fills the rows that changed (all of them when the rows themselves changed), writing only what differs. */
  render(state: PanelState, now: number): void {
    this.state = state;
    const rows = state.rows();
    const changed = state.changedRows;
    const selected = state.selectedKey;
    const stale = state.stale;
    const all = changed === 'all' || stale !== this.stale;
    this.stale = stale;
    const before = this.selected;
    const selectionMoved = selected !== before;
    this.selected = selected;
    if (all) {
      this.sync(rows);
      if (this.long) this.draw(state, true, now);
      else for (const row of rows) this.fill(row, now);
    } else {
      for (const key of changed) this.refill(key, now);
      if (selectionMoved) for (const key of [before, selected]) this.refill(key, now);
    }
    // A selection made elsewhere (the graph, the first failure) is scrolled to in the table's own box.
    if (selectionMoved && this.long && selected !== null) this.reveal(state.indexOf(selected));
  }

  /** Fills the row of `key` if it is in the page. */
  private refill(key: string | null, now: number): void {
    const row = this.state?.row(key);
    if (row && this.rows.has(row.key)) this.fill(row, now);
  }

  /** Scrolls a long table's box (not the page) so that the row at `index` is in view. */
  private reveal(index: number | undefined): void {
    if (index === undefined) return;
    const top = index * this.rowH;
    // The sticky header covers one row's height at the top.
    const inView = top >= this.view.top && top + this.rowH * 2 <= this.view.top + this.view.h;
    if (inView) return;
    this.scroller.scrollTop = this.view.top = Math.max(0, top - Math.floor(this.view.h / 2));
    this.drawSoon();
  }

  /** The short or long layout, and (short) the rows present and in order; rows that stay keep their elements. */
  private sync(rows: readonly Row[]): void {
    const long = rows.length >= LONG_LIST_ROWS;
    if (long !== this.long) {
      // The layouts share no row: start again.
      this.long = long;
      this.rows.clear();
      this.spare.length = 0;
      this.body.replaceChildren();
      this.count = -1;
      this.table.classList.toggle('long', long);
      this.scroller.classList.toggle('long', long);
      if (long) {
        this.headRow.setAttribute('aria-rowindex', '1');
        this.table.style.setProperty('--row-h', `${this.rowH}px`);
        // Until the scroller reports its size: its largest height (panel.css).
        this.view = { h: Math.max(320, window.innerHeight * 0.7), top: 0 };
      } else {
        this.table.removeAttribute('aria-rowcount');
        this.headRow.removeAttribute('aria-rowindex');
        this.body.style.removeProperty('height');
      }
    }
    if (long) return;
    const keys = new Set(rows.map((r) => r.key));
    for (const [key, parts] of this.rows) {
      if (!keys.has(key)) {
        parts.tr.remove();
        this.rows.delete(key);
      }
    }
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

  /**
   * The height of a long table's row: the editor's line (panel.css: line-height 1.45) plus padding and border.
   * The font size is the one VS Code writes on the page's root element (reading it costs no style work);
   * 13px, the editor's default, where it is missing.
   */
  private measureRow(): number {
    const size = document.documentElement.style.getPropertyValue('--vscode-font-size');
    return Math.ceil((parseFloat(size) || 13) * 1.45) + 11;
  }

  private drawSoon(): void {
    if (this.frame || !this.long) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const s = this.state;
      // A render is coming that redraws every row anyway.
      if (!s || !this.long || s.changedRows === 'all') return;
      this.draw(s, false, Date.now());
    });
  }

  /**
   * A long table: the rows in view (and OVERSCAN either side, and the focused
   * row) in the page, in list order, at their places; rows that leave are kept
   * as spares for rows that come. Rows new to the page are filled, and every
   * row when `all`.
   */
  private draw(state: PanelState, all: boolean, now: number): void {
    const rows = state.rows();
    const n = rows.length;
    if (n !== this.count) {
      this.count = n;
      this.table.setAttribute('aria-rowcount', String(n + 1));
      this.body.style.height = `${n * this.rowH}px`;
    }
    const first = Math.max(0, Math.floor(this.view.top / this.rowH) - OVERSCAN);
    const end = Math.min(n, Math.ceil((this.view.top + this.view.h) / this.rowH) + OVERSCAN);
    const focusAt = this.focused === null ? undefined : state.indexOf(this.focused);
    const wanted = (i: number | undefined): boolean => i !== undefined && ((i >= first && i < end) || i === focusAt);
    for (const [key, parts] of this.rows) {
      if (!wanted(state.indexOf(key))) {
        parts.tr.remove();
        this.rows.delete(key);
        this.spare.push(parts);
      }
    }
    const indices: number[] = [];
    if (focusAt !== undefined && focusAt < first) indices.push(focusAt);
    for (let i = first; i < end; i++) indices.push(i);
    if (focusAt !== undefined && focusAt >= end) indices.push(focusAt);
    let at = this.body.firstElementChild;
    for (const i of indices) {
      const row = rows[i];
      let parts = this.rows.get(row.key);
      const fresh = !parts;
      if (!parts) {
        parts = this.spare.pop() ?? this.makeRow(row.key);
        parts.key = row.key;
        parts.tr.dataset.key = row.key;
        this.rows.set(row.key, parts);
      }
      if (parts.index !== i) {
        parts.index = i;
        parts.tr.style.transform = `translateY(${i * this.rowH}px)`;
        parts.tr.setAttribute('aria-rowindex', String(i + 2));
      }
      if (fresh || all) this.fill(row, now);
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
      key,
      index: -1,
      statusCell: status,
      icon: status.firstElementChild as HTMLSpanElement,
      title: new TitledCell(node, TextSlot.in(node.firstElementChild as HTMLSpanElement)),
      word: TextSlot.in(status.lastElementChild as HTMLSpanElement),
      app: new TitledCell(app, TextSlot.in(app)),
      taskStatus: TextSlot.in(taskStatus),
      started: new TimeCell(started),
      ended: new TimeCell(ended),
      duration: TextSlot.in(duration),
      cls: '',
      statusCls: '',
      selected: '',
      status: '',
      iconCls: '',
    };
  }

  private fill(row: Row, now: number): void {
    const p = this.rows.get(row.key);
    if (!p) return;
    const t = row.task;
    const selected = row.key === this.selected;
    const stale = this.stale;
    // The status colour is set on the one cell that uses it: a class on the row
    // would restyle every cell.
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
    p.app.set(row.app || NONE);
    p.taskStatus.set(t ? statusWord(t.statusName) : NONE);
    p.started.set(t ? formatTime(t.startedAt, now) : NONE);
    p.ended.set(t ? formatTime(t.finishedAt, now) : NONE);
    p.duration.set(ms === undefined ? NONE : formatDuration(ms));
  }
}
