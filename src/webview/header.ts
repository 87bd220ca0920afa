// The run's header: status badge, flow title, ids, times, the ticking
// duration, actions, the connection banner and the run's error. Built once;
// each render only updates text and visibility, so focus stays on buttons.
import type { RunAction, WebviewMessage } from '../shared/protocol';
import { hasOutput, isActive } from '../shared/runText';
import { durationMs, formatDuration, formatTime } from '../shared/time';
import { button, el, icon, setHidden, setText } from './dom';
import type { PanelState } from './panelState';
import { runLook } from './status';
import { S, fill } from './strings';

export class HeaderView {
  readonly el: HTMLElement;
  private readonly badge = el('span', { cls: 'badge', attrs: { role: 'status' } });
  private readonly title = el('h1', { cls: 'flow-title' });
  private readonly runId = el('code', { cls: 'run-id' });
  private readonly shortId = el('span', { cls: 'short-id' });
  private readonly parent = el('span', { cls: 'parent-task' });
  private readonly started = el('span', { cls: 'started' });
  private readonly finished = el('span', { cls: 'finished' });
  private readonly duration = el('span', { cls: 'duration' });
  private readonly banner = el('div', { cls: 'banner', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly error = el('div', { cls: 'run-error', attrs: { role: 'alert' } });
  /** A standing note (task logs this key cannot read): said once, in words. */
  private readonly notice = el('div', { cls: 'notice', attrs: { role: 'note' } });
  private readonly buttons = new Map<RunAction, HTMLButtonElement>();
  /** What was last drawn of the parts rebuilt as a whole, so equal updates write nothing. */
  private shownBadge: string | null = null;
  private shownError: string | null = null;
  private shownBanner: string | null = null;
  private shownNotice: string | null = null;

  constructor(post: (msg: WebviewMessage) => void) {
    const act = (action: RunAction, label: string, iconName: string, title: string, cls = 'btn secondary'): HTMLButtonElement => {
      const b = button(label, iconName, () => post({ type: 'action', action }), { cls, title });
      b.dataset.action = action;
      this.buttons.set(action, b);
      return b;
    };
    const s = S();
    const actions = el('div', { cls: 'actions', attrs: { role: 'toolbar', 'aria-label': s.runActions } },
      act('cancel', s.cancel, 'debug-stop', s.cancelTitle, 'btn danger'),
      act('runAgain', s.runAgain, 'debug-rerun', s.runAgainTitle, 'btn'),
      act('clone', s.cloneFlow, 'repo-forked', s.cloneFlowTitle),
      act('copyId', s.copyId, 'copy', s.copyIdTitle),
      act('copyLink', s.copyLink, 'link', s.copyLinkTitle),
      act('openInBrowser', s.openInBrowser, 'link-external', s.openInBrowserTitle),
      act('showInput', s.showInput, 'json', s.showInputTitle),
      act('showOutput', s.showOutput, 'output', s.showOutputTitle),
      act('saveOutput', s.saveOutput, 'save', s.saveOutputTitle),
      act('compareOutput', s.compareOutput, 'diff', s.compareOutputTitle),
    );
    const retry = button(s.retry, 'refresh', () => post({ type: 'action', action: 'retry' }), { cls: 'btn small', title: s.retryTitle });
    retry.dataset.action = 'retry';
    this.buttons.set('retry', retry);
    const copyParent = button(s.copy, 'copy', () => {
      const id = this.parent.dataset.taskId;
      if (id) post({ type: 'copyTaskId', taskId: id });
    }, { cls: 'btn small icon-only', title: s.copyParentTitle });
    this.el = el('header', { cls: 'run-header' },
      el('div', { cls: 'title-row' }, this.badge, this.title),
      el('div', { cls: 'facts' },
        el('span', { cls: 'fact' }, el('span', { cls: 'label', text: `${s.run} ` }), this.runId, ' ', this.shortId),
        el('span', { cls: 'fact parent' }, el('span', { cls: 'label', text: `${s.parentTask} ` }), this.parent, copyParent),
      ),
      el('div', { cls: 'facts' },
        el('span', { cls: 'fact' }, el('span', { cls: 'label', text: `${s.started} ` }), this.started),
        el('span', { cls: 'fact' }, el('span', { cls: 'label', text: `${s.finished} ` }), this.finished),
        el('span', { cls: 'fact' }, el('span', { cls: 'label', text: `${s.duration} ` }), this.duration),
      ),
      actions,
      this.banner,
      this.notice,
      this.error,
    );
    this.banner.append(el('span', { cls: 'banner-text' }), retry);
    // Focus moved by the keyboard scrolls its element below this sticky header, not under it
    // (scroll-padding-top in panel.css); the height changes with the banner and the error.
    new ResizeObserver((entries) => {
      const h = entries[entries.length - 1]?.borderBoxSize[0]?.blockSize;
      if (h !== undefined) document.documentElement.style.setProperty('--header-height', `${Math.ceil(h)}px`);
    }).observe(this.el);
  }

  render(state: PanelState, now: number): void {
    const run = state.run;
    const look = runLook(run?.status ?? 0);
    const stale = state.stale;
    const badgeCls = `badge status-${look.cls}${stale ? ' stale' : ''}`;
    if (this.badge.className !== badgeCls) this.badge.className = badgeCls;
    const badgeIcon = `${look.icon}${look.spin && !stale ? ' spin' : ''}`;
    const s = S();
    const badgeText = run ? s.runStatus[run.status] ?? run.statusName : s.loading;
    if (this.shownBadge !== `${badgeIcon}|${badgeText}`) {
      this.shownBadge = `${badgeIcon}|${badgeText}`;
      this.badge.replaceChildren(
        icon(look.icon, look.spin && !stale ? 'codicon-modifier-spin' : ''),
        el('span', { cls: 'badge-text', text: badgeText }),
      );
    }
    setText(this.title, run?.flowTitle ?? s.flowRun);
    setText(this.runId, run?.id ?? state.runId ?? '');
    setText(this.shortId, run ? `(${run.shortId})` : '');
    setText(this.parent, run?.parentTaskId ?? '—');
    if (run?.parentTaskId) {
      if (this.parent.dataset.taskId !== run.parentTaskId) this.parent.dataset.taskId = run.parentTaskId;
    } else if (this.parent.dataset.taskId !== undefined) delete this.parent.dataset.taskId;
    setHidden(this.parent.parentElement as HTMLElement, !run?.parentTaskId);
    setText(this.started, formatTime(run?.startedAt, now));
    const end = run?.finishedAt ?? run?.cancelledAt ?? null;
    setText(this.finished, end ? formatTime(end, now) : run && isActive(run) ? s.notYet : '—');
    const active = run !== null && isActive(run) && !end;
    // While the stream is down we do not know whether it is still running: no ticking then.
    const ms = active && stale ? undefined : durationMs(run?.startedAt, end, now);
    setText(this.duration, ms === undefined ? '—' : formatDuration(ms));
    if (this.duration.classList.contains('ticking') !== (active && !stale)) this.duration.classList.toggle('ticking', active && !stale);

    const show = (action: RunAction, visible: boolean): void => {
      const b = this.buttons.get(action);
      if (b) setHidden(b, !visible);
    };
    const hasRun = run !== null;
    const withOutput = hasRun && hasOutput(run);
    show('cancel', active);
    show('runAgain', hasRun);
    show('clone', hasRun);
    show('copyId', true);
    show('copyLink', true);
    show('openInBrowser', true);
    show('showInput', hasRun);
    show('showOutput', withOutput);
    show('saveOutput', withOutput);
    show('compareOutput', withOutput);

    this.renderBanner(state);
    const notice = state.connection.notice ?? '';
    setHidden(this.notice, notice === '');
    if (this.shownNotice !== notice) {
      this.shownNotice = notice;
      this.notice.replaceChildren(icon('info'), el('span', { text: notice }));
    }
    setHidden(this.error, !run?.error);
    if (this.shownError !== (run?.error ?? '')) {
      this.shownError = run?.error ?? '';
      this.error.replaceChildren(icon('error'), el('span', { text: this.shownError }));
    }
  }

  private renderBanner(state: PanelState): void {
    const c = state.connection;
    const text = this.banner.querySelector('.banner-text') as HTMLElement;
    const s = S();
    let message = '';
    let kind = 'info';
    let iconName = 'sync';
    if (c.state === 'failed') {
      message = fill(s.followFailed, c.error ?? s.streamFailed);
      kind = 'error';
      iconName = 'error';
    } else if (c.state === 'stopped') {
      message = s.followStopped;
      kind = 'warning';
      iconName = 'warning';
    } else if (c.state === 'reconnecting' || (c.state === 'connecting' && c.wasLive)) {
      message = s.reconnecting;
      kind = 'warning';
    } else if (c.state === 'connecting') {
      message = state.run ? s.connecting : s.loadingRun;
    }
    setHidden(this.banner, message === '');
    if (this.banner.className !== `banner ${kind}`) this.banner.className = `banner ${kind}`;
    if (this.banner.dataset.state !== c.state) this.banner.dataset.state = c.state;
    if (this.shownBanner !== `${iconName}|${message}`) {
      this.shownBanner = `${iconName}|${message}`;
      text.replaceChildren(
        icon(iconName, iconName === 'sync' ? 'codicon-modifier-spin' : ''),
        el('span', { text: message }),
      );
    }
    const retry = this.buttons.get('retry');
    if (retry) setHidden(retry, !(c.state === 'failed' || c.state === 'stopped'));
  }
}
