// The one vocabulary (src/shared/runText.ts, src/shared/time.ts) and every
// place that orders by time: the tree, the palette and the panel agree on a
// run's short id, status look and output, and times sort as times whatever
// the server's layout (0, 3, 6 or 9 fractional digits, `Z` or `+00:00`).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlowRunStatus, LogType, TaskStatus, type FlowRun, type Task, type TaskLog } from '../../src/api/models';
import type { PanelTask } from '../../src/shared/protocol';
import {
  STATUS_ICONS, hasOutput, isActive, runDescription, runStatusIcon, runStatusKind, shortIdOf, statusName, taskStatusKind,
} from '../../src/shared/runText';
import { compareTimes, durationMs, formatDuration, newestFirst, relativeTime, timeMs } from '../../src/shared/time';
import { logsInOrder, nodeStatusFromTask, toPanelRun, toPanelTask } from '../../src/views/panel/panelModel';
import { PanelState } from '../../src/webview/panelState';
import { runLook, taskLook } from '../../src/webview/status';
import { englishPanelStrings } from './helpers/panelStrings';

/**
 * The same morning written the ways servers write it, in time order. As text
 * they sort differently: `…00Z` after `…00.9…Z`, `+01:00` after all of them.
 */
const IN_TIME_ORDER = [
  '2025-01-01T09:59:59.999+00:00', // 3 digits, +00:00
  '2025-01-01T10:00:00Z', // no fraction
  '2025-01-01T10:00:00.123456Z', // 6 digits
  '2025-01-01T11:00:00.2+01:00', // 10:00:00.2 in another zone
  '2025-01-01T10:00:00.5+00:00', // 1 digit, +00:00
  '2025-01-01T10:00:00.900000000Z', // 9 digits
  '2025-01-01T10:00:01.000Z',
];

/** A fixed shuffle, so a sort that keeps the input order cannot pass by luck. */
const SHUFFLED = [5, 1, 6, 0, 3, 2, 4].map((i) => IN_TIME_ORDER[i]);

void describe('times are ordered as times', () => {
  void test('the fixture really sorts differently as text (else these tests prove nothing)', () => {
    assert.notDeepEqual([...SHUFFLED].sort(), IN_TIME_ORDER);
  });

  void test('compareTimes orders 0, 3, 6 and 9 fractional digits, Z and +00:00 by time', () => {
    assert.deepEqual([...SHUFFLED].sort(compareTimes), IN_TIME_ORDER);
    assert.equal(compareTimes('2025-01-01T10:00:00Z', '2025-01-01T10:00:00.000+00:00'), 0, 'the same instant written twice');
    assert.ok(compareTimes('2025-01-01T10:00:00.1Z', '2025-01-01T10:00:00.12Z') < 0, '.1 is before .12');
  });

  void test('a missing time comes first and never throws', () => {
    assert.equal(compareTimes(undefined, undefined), 0);
    assert.equal(compareTimes(null, ''), 0);
    assert.ok(compareTimes(undefined, IN_TIME_ORDER[0]) < 0);
    assert.ok(compareTimes(IN_TIME_ORDER[0], null) > 0);
  });

  const run = (id: string, created_at: string): FlowRun =>
    ({ id, created_at, updated_at: created_at, flow_id: 'flow_a', flow_version_id: 'v1', status: FlowRunStatus.Completed, input: {} });

  void test('newest first (the tree groups and the palette quick pick), a run without created_at last', () => {
    const runs = SHUFFLED.map((at, i) => run(`flowrun_${i}`, at));
    const noTime = { ...run('flowrun_none', ''), created_at: undefined as unknown as string };
    const sorted = [noTime, ...runs].sort(newestFirst).map((r) => r.created_at);
    assert.deepEqual(sorted, [...[...IN_TIME_ORDER].reverse(), undefined]);
  });

  void test("a task's logs are joined in the order they were written (the panel host)", () => {
    const logs: TaskLog[] = SHUFFLED.map((at) => ({ id: at, created_at: at, updated_at: at, task_id: 'task_1', log_type: LogType.Run, content: at }));
    assert.deepEqual(logsInOrder(logs).map((l) => l.created_at), IN_TIME_ORDER);
    assert.equal(logs[0].created_at, SHUFFLED[0], 'the task itself is not reordered');
    assert.deepEqual(logsInOrder(undefined), []);
  });

  void test("a task's timeline is in time order (the panel model)", () => {
    const task: Task = {
      id: 'task_1', created_at: '', updated_at: '', app_id: 'app', status: TaskStatus.Completed,
      events: SHUFFLED.map((at, i) => ({ id: `e${i}`, created_at: '', event_time: at, task_id: 'task_1', status: TaskStatus.Running })),
    };
    assert.deepEqual(toPanelTask(task, null).events.map((e) => e.time), IN_TIME_ORDER);
  });

  void test('tasks without a node are listed by start time (the webview)', () => {
    const loose = (at: string, i: number): PanelTask => ({
      id: `task_${i}`, shortId: `t${i}`, nodeId: null, app: 'a', appTitle: `T${i}`, status: TaskStatus.Running, statusName: 'running',
      input: null, output: null, error: null, startedAt: at, finishedAt: null, events: [],
    });
    const state = new PanelState();
    state.apply({
      type: 'snapshot', runId: 'flowrun_1', strings: englishPanelStrings(), run: null, tasks: SHUFFLED.map(loose), graph: null,
      connection: { state: 'live', wasLive: true, error: null }, selectedKey: null,
    });
    assert.deepEqual(state.rows().map((r) => r.task?.startedAt), IN_TIME_ORDER);
  });

  void test('durations read the same digits: 9 fractional digits and +00:00 are milliseconds like any other', () => {
    assert.equal(timeMs('2025-01-01T10:00:00.900000000Z'), Date.UTC(2025, 0, 1, 10, 0, 0, 900));
    assert.equal(timeMs('2025-01-01T11:00:00.2+01:00'), Date.UTC(2025, 0, 1, 10, 0, 0, 200));
    assert.equal(durationMs('2025-01-01T10:00:00Z', '2025-01-01T10:00:01.5+00:00', 0), 1500);
    assert.equal(durationMs(null, '2025-01-01T10:00:00Z', 0), undefined);
    assert.equal(timeMs('soon'), undefined);
  });
});

void describe('one short id for a run', () => {
  void test("the server's short_id, else the 8 characters after the prefix, whether given the run or its id", () => {
    assert.equal(shortIdOf({ id: 'flowrun_0123456789abcdef' }), '01234567');
    assert.equal(shortIdOf('flowrun_0123456789abcdef'), '01234567');
    assert.equal(shortIdOf({ id: 'flowrun_0123456789abcdef', short_id: 'abc' }), 'abc');
    assert.equal(shortIdOf({ id: 'task_zyxwvutsrq' }), 'zyxwvuts');
    assert.equal(shortIdOf('x'), 'x');
  });

  void test('the panel shows the same short id as the tree and the palette', () => {
    const r: FlowRun = {
      id: 'flowrun_0123456789abcdef', created_at: '2025-01-01T00:50:00Z', updated_at: '2025-01-01T00:50:00Z',
      flow_id: 'flow_a', flow_version_id: 'v1', status: FlowRunStatus.Completed, input: {},
    };
    assert.equal(toPanelRun(r, new Map(), 'Flow').shortId, shortIdOf(r));
    assert.ok(runDescription(r, Date.UTC(2025, 0, 1, 1, 0)).startsWith(`${shortIdOf(r)} · `));
  });

  void test("a run's and a task's error reach the panel redacted, without escapes, with their lines, and bounded", () => {
    const raw = `\u001b[31mboom\u001b[0m with inf_${'k'.repeat(40)}\r\nsecond line <script>x</script>\u0007${'z'.repeat(10_000)}`;
    const r: FlowRun = {
      id: 'flowrun_0123456789abcdef', created_at: '2025-01-01T00:50:00Z', updated_at: '2025-01-01T00:50:00Z',
      flow_id: 'flow_a', flow_version_id: 'v1', status: FlowRunStatus.Failed, input: {}, error: raw,
    };
    const task: Task = { id: 'task_1', status: TaskStatus.Failed, error: raw } as Task;
    for (const shown of [toPanelRun(r, new Map(), 'Flow').error, toPanelTask(task, 'n1').error]) {
      assert.ok(shown);
      assert.ok(!shown.includes('k'.repeat(40)), 'the key is redacted');
      // eslint-disable-next-line no-control-regex -- looking for control characters is the point
      assert.ok(!/[\u0000-\u0009\u000b-\u001f]/.test(shown), 'no escapes or control characters');
      assert.match(shown, /^boom with inf_… ?\nsecond line <script>x<\/script>z+…$/);
      assert.ok(shown.length <= 4001, `bounded (${shown.length})`);
    }
  });
});

void describe('run wording', () => {
  const now = Date.UTC(2025, 0, 1, 1, 0);

  void test('short id, relative start and duration', () => {
    const r: FlowRun = {
      id: 'flowrun_0123456789abcdef', created_at: '2025-01-01T00:50:00Z', updated_at: '2025-01-01T00:51:05Z',
      flow_id: 'flow_a', flow_version_id: 'v1', status: FlowRunStatus.Completed, input: {},
      flow_run_started: '2025-01-01T00:50:00.000000Z', flow_run_finished: '2025-01-01T00:51:05+00:00',
    };
    assert.equal(runDescription(r, now), '01234567 · 10 min ago · 1m 05s');
  });

  void test('durations and ages read naturally', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(4_210), '4.2 s');
    assert.equal(formatDuration(12_000), '12 s');
    assert.equal(formatDuration(65_000), '1m 05s');
    assert.equal(formatDuration(2 * 3600_000 + 3 * 60_000), '2h 03m');
    assert.equal(formatDuration(-1), '—');
    assert.equal(relativeTime(now - 5000, now), 'just now');
    assert.equal(relativeTime(now - 42_000, now), '42 s ago');
    assert.equal(relativeTime(now - 3 * 3600_000, now), '3 h ago');
    assert.equal(relativeTime(undefined, now), 'not started');
  });

  void test('statuses: names, and unknown codes say Unknown', () => {
    assert.equal(statusName({ status: FlowRunStatus.Cancelled }), 'Cancelled');
    assert.equal(statusName({ status: 42 }), 'Unknown');
    assert.equal(isActive({ status: FlowRunStatus.Pending }), true);
    assert.equal(isActive({ status: FlowRunStatus.Failed }), false);
  });
});

void describe('one look per status', () => {
  void test('a run status is drawn as the node status it resembles, everywhere', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 99].map(runStatusKind),
      ['unknown', 'ready', 'running', 'completed', 'failed', 'cancelled', 'unknown'],
    );
    // The tree, the palette and the panel tab read the icon here; the webview its look.
    assert.equal(runStatusIcon(FlowRunStatus.Running).icon, 'sync');
    assert.equal(runStatusIcon(FlowRunStatus.Running).spin, true);
    for (const s of [0, 1, 2, 3, 4, 5]) assert.equal(runLook(s).icon, runStatusIcon(s).icon, `run status ${s}`);
  });

  void test('a task status (a number or a name) is drawn as the node status it resembles', () => {
    assert.equal(taskStatusKind(TaskStatus.Queued), 'ready');
    assert.equal(taskStatusKind('setting_up'), 'running');
    assert.equal(taskStatusKind(TaskStatus.Completed), 'completed');
    assert.equal(taskStatusKind('nonsense'), 'unknown');
    // The host's node status from a task and the webview's look of that task agree.
    for (let s = 0; s <= 12; s++) {
      const task = { id: 't', created_at: '', updated_at: '', app_id: 'a', status: s } as Task;
      assert.equal(nodeStatusFromTask(task), taskLook(s).cls, `task status ${s}`);
    }
    assert.equal(nodeStatusFromTask(undefined), 'pending', 'a node without a task yet waits');
  });

  void test('every status has an icon', () => {
    for (const [kind, look] of Object.entries(STATUS_ICONS)) assert.ok(look.icon && look.glyph, kind);
  });
});

void describe('has output', () => {
  void test('nothing, null, an empty string, object or array is no output; anything else is', () => {
    for (const output of [undefined, null, '', {}, []]) assert.equal(hasOutput({ output }), false, JSON.stringify(output));
    for (const output of [[1], { image: 'x' }, 0, false, 'text']) assert.equal(hasOutput({ output }), true, JSON.stringify(output));
  });
});
