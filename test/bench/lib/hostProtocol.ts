// What the in-VS-Code half of the benchmark (test/vscode/bench/index.ts) hands
// back to the harness, and the environment variables that connect the two.
// Plain data; imported by both sides.

export const ENV_OUT = 'FLOW_RUNS_BENCH_OUT';
export const ENV_MODE = 'FLOW_RUNS_BENCH_MODE';
export const ENV_CONTROL = 'FLOW_RUNS_BENCH_CONTROL';
export const ENV_SANDBOX_URL = 'FLOW_RUNS_BENCH_SANDBOX_URL';
export const ENV_SANDBOX_KEY = 'FLOW_RUNS_BENCH_SANDBOX_KEY';

/** The line activate() logs (src/extension.ts); its number is the activation figure. */
export const ACTIVATION_LOGGED = /\[activate\] ready in (\d+(?:\.\d+)?) ms/;

/** 'activation': only time activation; 'full': everything measured inside VS Code. */
export type HostMode = 'activation' | 'full';

export interface ActivationResult {
  /** The extension was already active when the bench started (then only the log figure exists). */
  alreadyActive: boolean;
  /** Wall time of `await extension.activate()` as seen by the bench (loads the bundle, then activate()). */
  activateCallMs?: number;
  /** Web worker only, from VS Code's performance marks: fetching the bundle, running its top level, activate(). */
  fetchCodeMs?: number;
  loadCodeMs?: number;
  activateMarkMs?: number;
  /** `[activate] ready in N ms`, logged by activate() itself to the Flow Runs log. */
  loggedMs?: number;
  error?: string;
}

export interface IdleWindow {
  requests: number;
  windowMs: number;
  byRoute: Record<string, number>;
  openStreams?: number;
  focused: boolean;
  viewVisible: boolean;
  followed: number;
  /** Poller state at the end of the window. */
  pollerDelayMs?: number;
  polls?: number;
  /** Polls of the tree during the window. */
  pollsInWindow?: number;
  /** The TreeView's visible flag and whether the poller was active, at the start and end of the window. */
  treeState?: string;
}

export interface IdleResult {
  hidden?: IdleWindow;
  visible?: IdleWindow;
  active50?: IdleWindow & { activeRuns: number };
  error?: string;
}

export interface MemoryResult {
  gcExposed: boolean;
  gcMethod: string;
  runs: number;
  nodesPerRun: number;
  beforeBytes: number;
  afterBytes: number;
  /** Runs kept in the store afterwards (held by design: the tree shows them). */
  storeSizeBefore: number;
  storeSizeAfter: number;
  followersAfter: number;
  allEnded: boolean;
  error?: string;
}

export interface TreeResult {
  runs: number;
  groups: number;
  /** getChildren of every group (all runs placed in the store); best of 5. */
  allGroupsMs: number;
  /** ... plus getTreeItem of every child (what VS Code asks next). */
  allGroupsWithItemsMs: number;
  /** getChildren + getTreeItem of one page (pageSize runs). */
  onePageMs: number;
  pageSize: number;
  changes: number;
  changeWindowMs: number;
  refreshEvents: number;
  /** From the first change to the last refresh event. */
  refreshSpanMs: number;
  /** When each refresh event fired, ms after the first change. */
  refreshTimesMs?: number[];
  error?: string;
}

export interface RunToTreeResult {
  samplesMs: number[];
  error?: string;
}

export interface HostBenchResult {
  mode: HostMode;
  activation: ActivationResult;
  runToTree?: RunToTreeResult;
  idle?: IdleResult;
  memory?: MemoryResult;
  tree?: TreeResult;
  notes: string[];
  totalMs: number;
}

