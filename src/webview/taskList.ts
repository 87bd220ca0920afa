// The node tasks as a table in topological order: the graph's text equivalent.
// Rows are kept by key and updated in place, so focus and scroll survive updates.
import { el, icon } from './dom';
import { durationMs, formatDuration, formatTime } from './format';
import type { PanelState, Row } from './panelState';
import { statusWord } from './status';

const COLUMNS = ['Node', 'Status', 'App', 'Task status', 'Started', 'Ended', 'Duration'];

export class TaskListView {
  readonly el: HTMLElement;
  private readonly body = el('tbody');
  private readonly rows = new Map<string, HTMLTableRowElement>();

  constructor(private readonly onSelect: (key: string) => void) {
    const head = el('thead', {}, el('tr', {}, ...COLUMNS.map((c) => el('th', { text: c, attrs: { scope: 'col' } }))));
    this.el = el('section', { cls: 'tasks-section', attrs: { 'aria-label': 'Node tasks' } },
      el('h2', { text: 'Node tasks' }),
      el('table', { cls: 'tasks', attrs: { role: 'grid', 'aria-label': 'Node tasks in topological order' } }, head, this.body));
  }

  render(state: PanelState, now: number): void {
    const rows = state.rows();
    const keys = new Set(rows.map((r) => r.key));
    for (const [key, tr] of this.rows) {
      if (!keys.has(key)) {
        tr.remove();
        this.rows.delete(key);
      }
    }
    const selected = state.selectedKey;
    const stale = state.stale;
    rows.forEach((row, i) => {
      let tr = this.rows.get(row.key);
      if (!tr) {
        tr = this.makeRow(row.key);
        this.rows.set(row.key, tr);
      }
      if (this.body.children[i] !== tr) this.body.insertBefore(tr, this.body.children[i] ?? null);
      fillRow(tr, row, row.key === selected, stale, now);
    });
    if (rows.length === 0) {
      this.body.replaceChildren(el('tr', {}, el('td', { cls: 'muted', text: 'No node tasks yet.', attrs: { colspan: String(COLUMNS.length) } })));
      this.rows.clear();
    } else {
      for (const extra of [...this.body.children].filter((c) => !(c as HTMLElement).dataset.key)) extra.remove();
    }
  }

  private makeRow(key: string): HTMLTableRowElement {
    const tr = el('tr', { cls: 'task-row', attrs: { tabindex: '0', 'data-key': key } });
    tr.addEventListener('click', () => this.onSelect(key));
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.onSelect(key);
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const next = (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
        next?.focus();
      }
    });
    return tr;
  }
}

function fillRow(tr: HTMLTableRowElement, row: Row, selected: boolean, stale: boolean, now: number): void {
  const t = row.task;
  tr.className = `task-row status-${row.look.cls}${selected ? ' selected' : ''}`;
  tr.setAttribute('aria-selected', selected ? 'true' : 'false');
  tr.dataset.status = row.look.cls;
  const running = t !== undefined && !t.finishedAt && row.look.cls === 'running';
  const ms = t && !(running && stale) ? durationMs(t.startedAt, t.finishedAt, now) : undefined;
  tr.replaceChildren(
    el('td', { cls: 'col-node' }, el('span', { text: row.title })),
    el('td', { cls: 'col-status' }, icon(row.look.icon, row.look.spin && !stale ? 'codicon-modifier-spin' : ''),
      el('span', { cls: 'status-word', text: statusWord(row.statusName) })),
    el('td', { cls: 'col-app', text: row.app || '—' }),
    el('td', { cls: 'col-task-status', text: t ? statusWord(t.statusName) : '—' }),
    el('td', { cls: 'col-time', text: t ? formatTime(t.startedAt, now) : '—' }),
    el('td', { cls: 'col-time', text: t ? formatTime(t.finishedAt, now) : '—' }),
    el('td', { cls: 'col-duration', text: ms === undefined ? '—' : formatDuration(ms) }),
  );
}
