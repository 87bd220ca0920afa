// The run panel's words, worded here through vscode.l10n and sent to the
// webview with each snapshot (the webview cannot reach vscode.l10n itself).
import * as vscode from 'vscode';
import type { PanelStrings } from '../../shared/protocol';

export function panelStrings(): PanelStrings {
  return {
    runActions: vscode.l10n.t('Run actions'),
    cancel: vscode.l10n.t('Cancel'), cancelTitle: vscode.l10n.t('Cancel this run'),
    runAgain: vscode.l10n.t('Run Again'), runAgainTitle: vscode.l10n.t('Start a new run of this flow with the same input'),
    cloneFlow: vscode.l10n.t('Clone Flow'), cloneFlowTitle: vscode.l10n.t('Create a new flow from the flow version this run used'),
    copyId: vscode.l10n.t('Copy ID'), copyIdTitle: vscode.l10n.t('Copy the run id'),
    copyLink: vscode.l10n.t('Copy Link'), copyLinkTitle: vscode.l10n.t('Copy a link that opens this run in VS Code'),
    openInBrowser: vscode.l10n.t('Open in Browser'), openInBrowserTitle: vscode.l10n.t('Open this run in the web app'),
    showInput: vscode.l10n.t('Show Input'), showInputTitle: vscode.l10n.t('Open the run input as a JSON document'),
    showOutput: vscode.l10n.t('Show Output'), showOutputTitle: vscode.l10n.t('Open the run output as a JSON document'),
    saveOutput: vscode.l10n.t('Save Output'), saveOutputTitle: vscode.l10n.t('Save the run output to the workspace'),
    compareOutput: vscode.l10n.t('Compare Output…'), compareOutputTitle: vscode.l10n.t("Compare this run's output with another run of the flow"),
    retry: vscode.l10n.t('Retry'), retryTitle: vscode.l10n.t('Follow this run again'),
    copy: vscode.l10n.t('Copy'), copyParentTitle: vscode.l10n.t('Copy the parent task id'),
    run: vscode.l10n.t('Run'), parentTask: vscode.l10n.t('Parent task'), started: vscode.l10n.t('Started'), finished: vscode.l10n.t('Finished'), ended: vscode.l10n.t('Ended'), duration: vscode.l10n.t('Duration'),
    loading: vscode.l10n.t('Loading'), flowRun: vscode.l10n.t('Flow run'), notYet: vscode.l10n.t('not yet'),
    followFailed: vscode.l10n.t('Stopped following this run: {0}'), streamFailed: vscode.l10n.t('the stream failed'),
    followStopped: vscode.l10n.t('Not following this run any more; what you see may be out of date.'),
    reconnecting: vscode.l10n.t('Reconnecting… Updates are paused; what you see may be out of date.'),
    connecting: vscode.l10n.t('Connecting…'), loadingRun: vscode.l10n.t('Loading run…'),
    finalOutput: vscode.l10n.t('Final output'), noOutputRunning: vscode.l10n.t('No output yet: the run is still going.'), noOutput: vscode.l10n.t('This run has no output.'),
    selectTaskHint: vscode.l10n.t('Select a node in the graph or the list to see its task: input, output, logs and events.'),
    input: vscode.l10n.t('Input'), output: vscode.l10n.t('Output'), logs: vscode.l10n.t('Logs'), timeline: vscode.l10n.t('Timeline'),
    app: vscode.l10n.t('App'), task: vscode.l10n.t('Task'), taskStatus: vscode.l10n.t('Task status'), node: vscode.l10n.t('Node'), status: vscode.l10n.t('Status'),
    taskNotStarted: vscode.l10n.t('not started yet'), copyTaskId: vscode.l10n.t('Copy Task ID'), copyTaskIdTitle: vscode.l10n.t('Copy this task id'),
    noInput: vscode.l10n.t('No input.'), noTaskYet: vscode.l10n.t('No task yet.'), noOutputYet: vscode.l10n.t('No output yet.'),
    logsTrimmed: vscode.l10n.t('Earlier log lines were trimmed.'), noLogsYet: vscode.l10n.t('No logs yet.'), noEventsYet: vscode.l10n.t('No events yet.'),
    nodeTasks: vscode.l10n.t('Node tasks'), nodeTasksTable: vscode.l10n.t('Node tasks in topological order'),
    noNodeTasks: vscode.l10n.t('No node tasks yet.'),
    flowGraph: vscode.l10n.t('Flow graph'), graphUnavailable: vscode.l10n.t('The flow graph is not available for this run.'),
    flowGraphLabel: vscode.l10n.t('Flow graph with {0} nodes; the task list below says the same in text'),
    oneItem: vscode.l10n.t('1 item'), items: vscode.l10n.t('{0} items'), oneKey: vscode.l10n.t('1 key'), keys: vscode.l10n.t('{0} keys'),
    more: vscode.l10n.t('… {0} more'),
    copyAsJson: vscode.l10n.t('Copy as JSON'),
    openLink: vscode.l10n.t('Open {0}'),
    image: vscode.l10n.t('image'),
    imageNotShown: vscode.l10n.t('Image not shown ({0}): {1}'),
    unavailable: vscode.l10n.t('unavailable'),
    runStatus: [vscode.l10n.t('Unknown'), vscode.l10n.t('Pending'), vscode.l10n.t('Running'), vscode.l10n.t('Completed'), vscode.l10n.t('Failed'), vscode.l10n.t('Cancelled')],
    statusWords: {
      unknown: vscode.l10n.t('unknown'), pending: vscode.l10n.t('pending'), ready: vscode.l10n.t('ready'), running: vscode.l10n.t('running'), completed: vscode.l10n.t('completed'),
      failed: vscode.l10n.t('failed'), cancelled: vscode.l10n.t('cancelled'), skipped: vscode.l10n.t('skipped'), blocked: vscode.l10n.t('blocked'),
      received: vscode.l10n.t('received'), queued: vscode.l10n.t('queued'), dispatched: vscode.l10n.t('dispatched'), preparing: vscode.l10n.t('preparing'),
      serving: vscode.l10n.t('serving'), setting_up: vscode.l10n.t('setting up'), cancelling: vscode.l10n.t('cancelling'), uploading: vscode.l10n.t('uploading'),
    },
  };
}
