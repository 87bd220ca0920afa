// Sandbox state across restarts (--data), seeded history, and the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { FlowRunStatus } from '../../src/api/models';
import type { Flow, FlowRun, ListPage } from '../../src/api/models';
import { startSandbox } from '../../src/sandbox';
import { call, waitUntil } from './sandboxHelpers';

describe('sandbox persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-data-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a restart with the same data dir keeps every run, task and cloned flow', async () => {
    const first = await startSandbox({ port: 0, speed: 0, dataDir: dir, seedRuns: 5 });
    const done = first.createRunDirect('flow_image_pipeline', { prompt: 'A mountain landscape' });
    await waitUntil(() => first.getRun(done.id)?.status === FlowRunStatus.Completed, 5000, 'completes');
    const cancelled = first.createRunDirect('flow_slow', { seconds: 60 });
    await call(first, 'POST', `/flowruns/${cancelled.id}/cancel`);
    const inFlight = first.createRunDirect('flow_slow', { seconds: 60 });
    await waitUntil(() => first.getRun(inFlight.id)?.node_statuses?.wait === 'running', 5000, 'running');
    const clone = (await call(first, 'POST', `/flowruns/${done.id}/clone`)).data as Flow;
    await call(first, 'POST', `/flowruns/${done.id}/visibility`, { visibility: 'unlisted' });
    const before = first.listAllRuns();
    const doneBefore = first.getRun(done.id) as FlowRun;
    const oldUrl = first.url;
    await first.close();
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');

    const second = await startSandbox({ port: 0, speed: 0, dataDir: dir });
    try {
      const afterIds = second.listAllRuns().map((r) => r.id).sort();
      assert.deepEqual(afterIds, before.map((r) => r.id).sort());
      const page = (await call(second, 'POST', '/flowruns/list', { limit: 100 })).data as ListPage<FlowRun>;
      assert.equal(page.total_items, before.length);
      const d = (await call(second, 'GET', `/flowruns/${done.id}`)).data as FlowRun;
      assert.equal(d.status, 3);
      assert.equal(d.visibility, 'unlisted');
      assert.deepEqual(d.node_statuses, doneBefore.node_statuses);
      const image = (d.output as { image: string }).image;
      assert.ok(image.startsWith(`${second.url}/_sandbox/images/`), 'image URLs follow the new address');
      if (second.url !== oldUrl) assert.ok(!JSON.stringify(d).includes(oldUrl));
      assert.equal((await fetch(image)).status, 200);
      assert.equal(second.getRun(cancelled.id)?.status, 5);
      const interrupted = second.getRun(inFlight.id) as FlowRun;
      assert.equal(interrupted.status, 4);
      assert.match(interrupted.error ?? '', /Interrupted/);
      assert.ok(Object.values(interrupted.node_statuses ?? {}).every((s) => !['pending', 'ready', 'running'].includes(String(s))));
      const task = await call(second, 'GET', `/tasks/${d.node_tasks?.upscale?.task_id ?? ''}`);
      assert.equal(task.status, 200);
      assert.equal((await call(second, 'GET', `/flows/${clone.id}`)).status, 200);
      const more = second.createRunDirect('flow_unpositioned', {});
      await waitUntil(() => second.getRun(more.id)?.status === FlowRunStatus.Completed, 5000, 'a new run completes');
    } finally {
      await second.close();
    }
    const third = await startSandbox({ port: 0, speed: 0, dataDir: dir });
    try {
      assert.equal(third.listAllRuns().length, before.length + 1);
    } finally {
      await third.close();
    }
  });
});

describe('sandbox seeded history', () => {
  test('seedRuns makes terminal runs of several flows, spread over past days, the same for the same seed', async () => {
    const a = await startSandbox({ port: 0, speed: 0, seedRuns: 30, seed: 5 });
    const b = await startSandbox({ port: 0, speed: 0, seedRuns: 30, seed: 5 });
    try {
      const runs = a.listAllRuns();
      assert.equal(runs.length, 30);
      assert.ok(runs.every((r) => [3, 4, 5].includes(r.status)));
      assert.ok(new Set(runs.map((r) => r.status)).size >= 2);
      assert.ok(new Set(runs.map((r) => r.flow_id)).size >= 3);
      const times = runs.map((r) => Date.parse(r.created_at)).sort((x, y) => x - y);
      assert.ok(times[times.length - 1] < Date.now());
      assert.ok(times[times.length - 1] - times[0] > 24 * 3600 * 1000);
      for (const r of runs.filter((x) => x.status === FlowRunStatus.Failed)) assert.match(r.error ?? '', /node "/);
      const shape = (runs2: FlowRun[]): string[] => runs2.map((r) => `${r.flow_id}:${r.status}`).sort();
      assert.deepEqual(shape(b.listAllRuns()), shape(runs));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('sandbox CLI', () => {
  test('prints its address and key, serves the seed\'s curl example, stops on SIGTERM', async () => {
    const cli = resolve(__dirname, '../../../dist/sandbox.js');
    assert.ok(existsSync(cli), `${cli} is built (node esbuild.js)`);
    const child = spawn(process.execPath, [cli, '--port', '0', '--speed', '0', '--seed-runs', '3']);
    try {
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
      const url = await waitUntil(() => /listening on (http:\/\/\S+)/.exec(out)?.[1], 10000, 'the CLI to start');
      const key = await waitUntil(() => /API key: (\S+)/.exec(out)?.[1], 2000, 'the key line');
      assert.equal(key, 'inf_sandbox_demo');
      const res = await fetch(`${url}/flowruns`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'X-API-Version': '2' },
        body: '{"flow":"flow_image_pipeline","input":{"prompt":"A mountain landscape"}}',
      });
      assert.equal(res.status, 200);
      const run = ((await res.json()) as { data: FlowRun }).data;
      const got = await fetch(`${url}/flowruns/${run.id}`, { headers: { Authorization: `Bearer ${key}`, 'X-API-Version': '2' } });
      assert.equal(got.status, 200);
      await waitUntil(() => out.includes(`GET /flowruns/${run.id} 200`), 2000, 'the request log line');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
