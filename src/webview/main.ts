// The run panel's browser side. It never touches the network: it renders the
// host's typed messages (src/shared/protocol.ts), at most once per frame, and
// posts the user's clicks back.
import { isRecord } from '../shared/guards';
import type { HostMessage, WebviewMessage } from '../shared/protocol';
import { PanelState } from './panelState';
import { PanelView } from './panelView';
import { RenderScheduler } from './scheduler';
import { setStrings } from './strings';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const TYPES = new Set(['snapshot', 'run', 'tasks', 'graph', 'connection', 'logs', 'image']);

function isHostMessage(value: unknown): value is HostMessage {
  return isRecord(value) && TYPES.has(String(value.type));
}

function start(): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('root');
  if (!root) return;
  const state = new PanelState();
  const post = (msg: WebviewMessage): void => vscode.postMessage(msg);
  // Built on the first snapshot, which brings the words (see strings.ts).
  let view: PanelView | undefined;
  const scheduler: RenderScheduler = new RenderScheduler(() => {
    if (!view) return;
    view.render(Date.now());
    // The tests read how many renders happened (batching).
    document.body.dataset.renders = String(scheduler.renders);
  }, (cb) => requestAnimationFrame(cb));

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const msg = event.data;
    if (!isHostMessage(msg)) return;
    if (msg.type === 'image') {
      view?.images.answer(msg.url, msg.src, msg.reason);
      return;
    }
    if (msg.type === 'snapshot') {
      // Only the run id is kept: on restore the host reloads the rest.
      vscode.setState({ runId: msg.runId });
      setStrings(msg.strings);
      view ??= new PanelView(root, state, post);
    }
    state.apply(msg);
    scheduler.schedule();
  });

  // The webview never navigates; a stray link is handed to the host.
  document.addEventListener('click', (event) => {
    const a = (event.target as Element | null)?.closest?.('a');
    if (!a) return;
    event.preventDefault();
    const href = a.getAttribute('href');
    if (href) post({ type: 'openLink', url: href });
  });

  setInterval(() => {
    if (view?.tick()) scheduler.schedule();
  }, 1000);

  post({ type: 'ready' });
}

start();
