// Reliability inside a real VS Code: twenty runs followed at once through seeded faults end
// exactly as the server (test/vscode/util/convergence.ts), and a 500-node run draws whole.
// The varied profile and the bad-input catalogue are in reliabilityVaried.test.ts (the two
// files balance the two VS Code windows). The rate-limit test needs a whole minute: it is in
// test/vscode/chaos/suite/rateLimit.test.ts (npm run test:chaos).
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as vscode from 'vscode';
import { FlowRunStatus } from '../../../src/api/models';
import { convergenceSuite, FAULT_SEED, readDom, recordFigures, replay, RUNS, runConvergence, sorted, type DomState } from '../util/convergence';
import { expectedPanelState } from '../util/panelExpect';
import { waitFor } from '../util/sandbox';
import * as wb from '../util/workbench';

suite('Reliability: convergence under faults', function () {
  this.timeout(180_000);
  const s = convergenceSuite({ speed: 0.4, seed: FAULT_SEED, keepAliveMs: 2000 });

  test(`${RUNS} runs followed at once through drops, 429s, 500s, malformed and duplicated events, silences and latency end exactly as the server`, async () => {
    await runConvergence(s.t(), { figures: 'convergence', flowsOnly: false });
  });

  test('a run of a 500-node flow: the panel draws every node and ends equal to the server', async () => {
    const t = s.t();
    const manager = t.ext.runPanels;
    const now = new Date().toISOString();
    const nodes = Array.from({ length: 500 }, (_, i) => ({ id: `n${i}`, type: 'app', position: { x: (i % 25) * 220, y: Math.floor(i / 25) * 120 } }));
    const edges = nodes.slice(25).map((n, i) => ({ id: `e${i}`, type: 'default', source: nodes[i].id, target: n.id }));
    t.sandbox.addFlow({
      id: 'flow_rel_500', created_at: now, updated_at: now, name: 'five-hundred', title: 'Five hundred nodes', nodes, edges,
      node_data: Object.fromEntries(nodes.map((n) => [n.id, { app_id: 'sandbox/echo', function: 'run', input: { n: n.id } }])),
    });
    // At its own quick pace: the 20 layers would take 19 s at the suite's 0.4, and the same events
    // arriving closer together are no easier for the panel.
    const created = t.sandbox.createRunDirect('flow_rel_500', {}, { speed: 0.05 });
    await vscode.commands.executeCommand('flowRuns.openRun', created.id);
    const panel = await waitFor(() => manager.get(created.id), 'the panel');
    await waitFor(() => t.sandbox.getRun(created.id)?.status === FlowRunStatus.Completed, 'the 500-node run to complete', 90_000);
    await waitFor(() => panel.connectionState === 'ended', 'the follower to end', 60_000);
    panel.reveal();
    await waitFor(() => panel.isReady, 'the webview');
    await waitFor(() => replay(panel.posted).run?.statusName === 'Completed', 'the panel to be told Completed');
    const want = expectedPanelState(t, created.id);
    // The host posts in batches on a timer: wait for the last batch (500 tasks) before comparing.
    await waitFor(() => isDeepStrictEqual(sorted(replay(panel.posted).tasks), sorted(want.tasks)), 'the panel to be told every final task', 30_000).catch(() => undefined);
    const got = replay(panel.posted);
    assert.deepEqual(got.run, want.run);
    assert.equal(got.tasks.size, 500);
    assert.deepEqual(sorted(got.tasks), sorted(want.tasks));
    if (wb.canDriveWorkbench()) {
      // How long after the host posted Completed the webview shows it (a 500-node graph is heavy to redraw).
      const toldAt = Date.now();
      let last: DomState | undefined;
      const d = await waitFor(async () => {
        const v = (await wb.frameEvaluate(readDom)) as DomState;
        last = v;
        return v.badge === 'Completed' && Object.keys(v.nodes).length === 500 ? v : undefined;
      }, 'the webview to draw 500 completed nodes', 60_000,
      () => `the webview shows run ${last?.runId}, badge ${last?.badge}, ${Object.keys(last?.nodes ?? {}).length} nodes, ${last?.rows} rows`);
      recordFigures('fiveHundredNodes', { webviewLagMs: Date.now() - toldAt, nodes: Object.keys(d.nodes).length, rows: d.rows });
      assert.ok(Object.values(d.nodes).every((st) => st === 'completed'));
      assert.equal(d.rows, 500, 'the task table tells 500 rows');
      assert.ok(d.rowsInPage > 0 && d.rowsInPage < 500, `a long table holds only the rows near the view: ${d.rowsInPage}`);
      await wb.screenshot('reliability-500-nodes');
    }
  });
});

// ------------------------------------------------------------------------------------------------
