// A searchable quick pick of the user's flows, paged through POST /flows/list.
// Typing filters what is loaded (title, id, description); while the server
// has more pages, a typed term is also sent as a server-side search, and a
// "Load more" item fetches the next page.
import * as vscode from 'vscode';
import type { FlowRunsApi } from '../api/api';
import { flowDisplayName, type Flow } from '../api/models';

export const FLOW_PAGE_SIZE = 50;
/** Bounds the server searches and pages one picker may load. */
const MAX_REQUESTS = 40;

interface FlowItem extends vscode.QuickPickItem {
  flow?: Flow;
  loadMore?: true;
}

export interface PickFlowOptions {
  title: string;
  placeholder?: string;
  /** The flow chosen last time, marked and put first. */
  currentId?: string;
  log?: vscode.LogOutputChannel;
}

function itemFor(flow: Flow, currentId: string | undefined): FlowItem {
  const current = flow.id === currentId;
  return {
    label: `${current ? '$(check) ' : ''}${flowDisplayName(flow)}`,
    description: flow.id,
    detail: flow.description?.trim() || undefined,
    flow,
  };
}

/**
 * Shows the picker and resolves with the chosen flow, or undefined when the
 * user dismissed it. Rejects with the API error when the first page cannot be
 * loaded (the caller shows it).
 */
export function pickFlow(api: FlowRunsApi, options: PickFlowOptions): Promise<Flow | undefined> {
  const qp = vscode.window.createQuickPick<FlowItem>();
  qp.title = options.title;
  qp.placeholder = options.placeholder ?? vscode.l10n.t('Type to search your flows by title, id or description');
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.ignoreFocusOut = false;

  const flows = new Map<string, Flow>();
  let cursor: string | undefined;
  let hasNext = true;
  let requests = 0;
  let searchTimer: NodeJS.Timeout | undefined;
  const searched = new Set<string>();
  const abort = new AbortController();
  let settled = false;

  const loadMoreItem: FlowItem = {
    label: `$(ellipsis) ${vscode.l10n.t('Load more flows…')}`,
    alwaysShow: true,
    loadMore: true,
  };

  const render = (activeId?: string): void => {
    const list = [...flows.values()];
    // The remembered flow first, the rest in server order.
    list.sort((a, b) => Number(b.id === options.currentId) - Number(a.id === options.currentId));
    const items = list.map((f) => itemFor(f, options.currentId));
    if (hasNext && requests < MAX_REQUESTS) items.push(loadMoreItem);
    qp.keepScrollPosition = true;
    qp.items = items;
    const active = activeId ? items.find((i) => i.flow?.id === activeId) : undefined;
    if (active) qp.activeItems = [active];
  };

  return new Promise<Flow | undefined>((resolve, reject) => {
    const finish = (value: Flow | undefined, error?: unknown): void => {
      if (settled) return;
      settled = true;
      if (searchTimer) clearTimeout(searchTimer);
      abort.abort();
      qp.dispose();
      if (error !== undefined) reject(error instanceof Error ? error : new Error(vscode.l10n.t('Loading your flows failed.')));
      else resolve(value);
    };

    const loadPage = async (first: boolean): Promise<void> => {
      if (!hasNext || requests >= MAX_REQUESTS) return;
      requests++;
      qp.busy = true;
      try {
        const page = await api.listFlows({ limit: FLOW_PAGE_SIZE, ...(cursor ? { cursor } : {}) }, { signal: abort.signal });
        if (settled) return;
        const firstNew = page.items.find((f) => !flows.has(f.id));
        for (const f of page.items) flows.set(f.id, f);
        cursor = page.next_cursor ?? undefined;
        hasNext = page.has_next && cursor !== undefined;
        render(first ? options.currentId : firstNew?.id);
        if (first && flows.size === 0) qp.placeholder = vscode.l10n.t('You have no flows yet: create one at inference.sh');
      } catch (e) {
        if (settled) return;
        if (first) finish(undefined, e);
        else options.log?.warn(`[runFlow] loading more flows failed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        if (!settled) qp.busy = false;
      }
    };

    const searchServer = async (term: string): Promise<void> => {
      if (!hasNext || searched.has(term) || requests >= MAX_REQUESTS) return;
      searched.add(term);
      requests++;
      qp.busy = true;
      try {
        const page = await api.listFlows({ limit: FLOW_PAGE_SIZE, search: { term } }, { signal: abort.signal });
        if (settled) return;
        let added = false;
        for (const f of page.items) {
          if (!flows.has(f.id)) {
            flows.set(f.id, f);
            added = true;
          }
        }
        if (added) render();
      } catch (e) {
        if (!settled) options.log?.warn(`[runFlow] searching flows failed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        if (!settled) qp.busy = false;
      }
    };

    qp.onDidChangeValue((value) => {
      if (searchTimer) clearTimeout(searchTimer);
      const term = value.trim();
      if (!term || !hasNext) return;
      searchTimer = setTimeout(() => void searchServer(term), 300);
    });
    qp.onDidAccept(() => {
      const [chosen] = qp.selectedItems;
      if (!chosen) return;
      if (chosen.loadMore) {
        void loadPage(false);
        return;
      }
      if (chosen.flow) finish(chosen.flow);
    });
    qp.onDidHide(() => finish(undefined));

    qp.busy = true;
    qp.show();
    void loadPage(true);
  });
}
