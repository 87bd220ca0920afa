// Stream throughput at the sandbox's pace, and recovery, side by side: our
// follower against the official SDK's flowRuns.stream, in this process, on
// fresh runs of the same shape (the sandbox's flow_firehose with 20,000
// partial updates). The clients mostly keep up with the server here, so these
// rows are INFO; clientBoundBench.ts compares the clients themselves.
//
// The sandbox runs in a child process (its own core), as a remote server
// would; both clients run here. Its firehose app publishes one partial update
// per macrotask, whatever the speed setting; `speed` only scales the simulated
// steps before it (queued, dispatched, ...), which gives each client time to
// connect before the first update. (With the sandbox in this process the
// server and the client take turns on one event loop and each chunk carries
// one event, which measures the HTTP stack's per-chunk cost rather than the
// client.) Besides events/s, the CPU this process spends per event is the
// client's own cost, robust to the server's pace.
import type { FlowRunsApi } from '../../../src/api/api';
import { childProcessSandbox, type SandboxTarget } from './sandboxTarget';
import { errorText, fmt, info, check, median, missing, type Row } from './report';
import { makeClient, readWithFollower, readWithRawStream } from './oursReader';
import { readWithSdk } from './sdkReader';
import { diffRun, type ReadResult } from './streamTypes';

const UPDATES = 20_000;
const DROP_EVERY = 500;
const ROUNDS = 5;
const READ_DEADLINE_MS = 60_000;

type Reader = 'follower' | 'sdk' | 'raw';

interface Sample {
  reader: Reader;
  result: ReadResult;
  rate: number;
  /** CPU time of this process (user + system) per data event, in µs: the client's own cost. */
  cpuPerEventUs: number;
  exact: boolean;
  differ: string[];
  lost: number;
}

export async function streamRows(root: string, log: (line: string) => void): Promise<Row[]> {
  let sandbox: SandboxTarget | undefined;
  try {
    // speed 0.1: ~175 ms of simulated steps before the firehose starts (time to connect).
    sandbox = await childProcessSandbox(root, { speed: 0.1, seed: 7 });
    const api = makeClient(sandbox.url, sandbox.key);
    // Warm-up (JIT, sockets) with a small run per client; not counted.
    for (const reader of ['follower', 'sdk', 'raw'] as Reader[]) await readOne(sandbox, api, reader, 2_000);

    const samples: Sample[] = [];
    const order: Reader[][] = [['follower', 'sdk', 'raw'], ['sdk', 'raw', 'follower'], ['raw', 'follower', 'sdk']];
    for (let round = 0; round < ROUNDS; round++) {
      for (const reader of order[round % order.length]) {
        const s = await readOne(sandbox, api, reader, UPDATES);
        log(`  throughput ${reader}: ${fmt(s.rate, 0)} events/s, ${fmt(s.cpuPerEventUs)} µs CPU/event, ${s.result.events} events, exact=${s.exact}${s.differ.length ? ` (differs: ${s.differ.join(', ')})` : ''}`);
        samples.push(s);
      }
    }
    const rows = throughputRows(samples);

    await sandbox.setFaults({ dropStreamAfterEvents: DROP_EVERY, routes: ['/stream'] });
    const rec: Sample[] = [];
    for (const reader of ['follower', 'sdk'] as Reader[]) {
      const s = await readOne(sandbox, api, reader, UPDATES);
      log(`  recovery ${reader}: lost ${s.lost}, connects ${s.result.connects}, exact=${s.exact}${s.differ.length ? ` (differs: ${s.differ.join(', ')})` : ''}, ended by ${s.result.endedBy}`);
      rec.push(s);
    }
    const drops = (await sandbox.stats()).faultsInjected.drop ?? 0;
    await sandbox.setFaults(undefined);
    rows.push(...recoveryRows(rec, drops));
    return rows;
  } catch (e) {
    return [
      missing('Stream', 'sandbox-paced: RunFollower vs SDK', `the stream bench failed: ${errorText(e)}`),
      missing('Recovery', 'drop every 500 events', `the stream bench failed: ${errorText(e)}`),
    ];
  } finally {
    await sandbox?.close();
  }
}

async function readOne(sandbox: SandboxTarget, api: FlowRunsApi, reader: Reader, updates: number): Promise<Sample> {
  const run = await sandbox.createRun('flow_firehose', { updates });
  let result: ReadResult;
  const cpu0 = process.cpuUsage();
  if (reader === 'follower') result = await readWithFollower(api, run.id, READ_DEADLINE_MS);
  else if (reader === 'raw') result = await readWithRawStream(api, run.id, READ_DEADLINE_MS);
  else result = await readWithSdk(sandbox.url, sandbox.key, run.id, READ_DEADLINE_MS);
  const cpu = process.cpuUsage(cpu0);
  const server = await sandbox.getRun(run.id);
  // The server's run, as its API serialises it (JSON round trip drops undefined fields).
  const serverJson = server ? (JSON.parse(JSON.stringify(server)) as typeof server) : undefined;
  const differ = diffRun(result.view, serverJson);
  const span = (result.lastEventAt - result.firstEventAt) / 1000;
  const rate = span > 0 ? (result.events - 1) / span : NaN;
  const cpuPerEventUs = result.events > 0 ? (cpu.user + cpu.system) / result.events : NaN;
  return { reader, result, rate, cpuPerEventUs, exact: differ.length === 0, differ, lost: updates - (result.seen?.size ?? 0) };
}

function throughputRows(samples: Sample[]): Row[] {
  const S = 'Stream';
  const of = (r: Reader): Sample[] => samples.filter((s) => s.reader === r);
  const rate = (r: Reader): number => median(of(r).map((s) => s.rate));
  const ours = rate('follower');
  const raw = rate('raw');
  const sdk = rate('sdk');
  const method = `flow_firehose, ${UPDATES.toLocaleString('en-US')} partial updates, fresh run per read, median of ${ROUNDS} interleaved rounds; events/s = data events over first..last event`;
  const rows: Row[] = [
    info(S, 'sandbox-paced: RunFollower, events/s', `${fmt(ours, 0)}/s`, ours,
      `RunFollower with both streams and a GET of the run on connect and at the end (${median(of('follower').map((s) => s.result.gets))} GETs per run); ${method}`),
    info(S, 'sandbox-paced: streamRun reader, events/s', `${fmt(raw, 0)}/s`, raw, 'FlowRunsClient.streamRun alone (one GET first, no reconnect)'),
    info(S, 'sandbox-paced: official SDK, events/s', `${fmt(sdk, 0)}/s`, sdk, '@inferencesh/sdk 0.6.54: flowRuns.get once, then flowRuns.stream (eventsource EventSource), partials merged by fields'),
  ];
  const cpu = (r: Reader): number => median(of(r).map((s) => s.cpuPerEventUs));
  rows.push(info(S, 'sandbox-paced: CPU per event, RunFollower / reader / SDK',
    `${fmt(cpu('follower'))} / ${fmt(cpu('raw'))} / ${fmt(cpu('sdk'))} µs`, cpu('follower'),
    'process.cpuUsage() of the bench process during each read divided by its data events (the sandbox runs in a child process, so this is the client alone: parsing, merging, GETs); median per client'));
  if (Number.isFinite(ours) && Number.isFinite(sdk) && sdk > 0) {
    // The sandbox sets the pace here: the client-bound rows judge the clients.
    rows.push(info(S, 'sandbox-paced: RunFollower / SDK, events/s', `${fmt(ours / sdk, 2)} x`, ours / sdk,
      'the sandbox (child process) writes one event per macrotask; both clients mostly keep up, so the rates are close to the server\'s pace and noisy on a busy machine; the client-bound rows compare the clients'));
  } else {
    rows.push(missing(S, 'sandbox-paced: RunFollower / SDK', 'a rate could not be measured'));
  }
  for (const r of ['follower', 'sdk'] as Reader[]) {
    const all = of(r);
    const exact = all.length > 0 && all.every((s) => s.exact);
    const bad = all.find((s) => !s.exact);
    rows.push(check(S, `sandbox-paced: ${r === 'follower' ? 'RunFollower' : 'SDK'} final view exact (${all.filter((s) => s.exact).length}/${all.length} runs)`, exact,
      bad ? `differs from sandbox.getRun in: ${bad.differ.join(', ')}; ended by ${bad.result.endedBy}` : undefined));
  }
  return rows;
}

function recoveryRows(rec: Sample[], drops: number): Row[] {
  const S = 'Recovery';
  const rows: Row[] = [];
  for (const s of rec) {
    const who = s.reader === 'follower' ? 'ours (RunFollower)' : 'official SDK';
    rows.push(info(S, `${who}: updates lost`, `${s.lost.toLocaleString('en-US')} of ${UPDATES.toLocaleString('en-US')}`, s.lost,
      `counter values never shown by the client's view; ${s.result.connects} stream connections, ${s.result.gets} GETs, ended by ${s.result.endedBy}`));
    const name = `${who}: final view exact`;
    const note = s.exact ? undefined : `differs from sandbox.getRun in: ${s.differ.join(', ')}`;
    // Ours must be exact; the SDK's result is reported as it is.
    rows.push(s.reader === 'follower' ? check(S, name, s.exact, note) : { ...check(S, name, s.exact, note, '-'), verdict: 'INFO' });
  }
  rows.push(info(S, 'stream drops injected', String(drops), drops,
    `sandbox fault dropStreamAfterEvents=${DROP_EVERY} on every stream (run and tasks streams). The server has no replay and the firehose keeps writing while a client is away: it finishes the remaining updates well within a reconnect delay (ours: backoff with full jitter from 1 s; the SDK's EventSource: 3 s), so each client lost nearly every update after the first drop and saw few further drops. What matters is the final view: ours resyncs with a GET on every reconnect; the SDK's view is exact here only because the sandbox starts every stream with the full run object; against a server that does not, it would keep its last partial`));
  return rows;
}
