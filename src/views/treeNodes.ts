// The objects the Runs tree is made of. Each is created once and kept, because
// VS Code refreshes a node by object identity (onDidChangeTreeData(node)).
import type { FlowRunStatus } from '../api/models';
import { isRecord } from '../shared/guards';

export interface GroupNode {
  readonly kind: 'group';
  readonly status: FlowRunStatus;
}

export interface RunNode {
  readonly kind: 'run';
  /** The group it is shown in. */
  readonly status: FlowRunStatus;
  /** Read by run commands (see runRef.ts). */
  readonly runId: string;
}

export interface LoadMoreNode {
  readonly kind: 'loadMore';
  readonly status: FlowRunStatus;
}

/** A line inside a group that could not be loaded. */
export interface MessageNode {
  readonly kind: 'message';
  readonly status: FlowRunStatus;
  text: string;
}

/**
 * What the user can do when the API cannot be reached, shown under the view's
 * message: VS Code hides a view's welcome content while it has a message, so
 * these are items, not welcome links.
 */
export interface ActionNode {
  readonly kind: 'action';
  readonly action: 'retry' | 'settings' | 'log';
}

export type RunsTreeNode = GroupNode | RunNode | LoadMoreNode | MessageNode | ActionNode;

export function isGroupNode(v: unknown): v is GroupNode {
  return isRecord(v) && v.kind === 'group' && typeof v.status === 'number';
}
