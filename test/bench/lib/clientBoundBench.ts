// The stream, client-bound: a server in a child process (streamServerWorker)
// writes one pre-generated run stream at once (streamFixture: 20,001 events,
// 12-node partials), so every reader goes as fast as it can, and the figures
// compare clients rather than the server's pace. Readers, on a fresh run id
// each, in this process:
//   follower  our RunFollower (both streams open, its resync GET, store merge)
//   raw       our FlowRunsClient.streamRun alone (one GET first, shared merge)
//   sdk       the official SDK's flowRuns.stream (one GET first, shared merge)
//   limit     split + JSON.parse + the shared merge on the same bytes, no network
// Median of 5 interleaved rounds. Events/s counts from a reader's first event
// to the moment its view shows the terminal status (the last update merged);
// CPU per event is process.cpuUsage() over the whole read (GETs included)
// divided by the data events. Every reader's final run must equal the run the
// stream builds, exactly. Then the growth rows: CPU per event with partials
// that carry node_statuses of 12, 200 and 1,000 nodes.
import * as path from 'path';
import type { FlowRunsClient } from '../../../src/api/client';
import { TEMPLATE_RUN_ID, withRunId } from './clientBoundServer';
import { makeClient, readWithFollower, readWithRawStream } from './oursReader';
import { parseOnly } from './parseOnly';
import { check, errorText, fmt, info, judged, median, missing, type Row } from './report';
import { spawnWorker } from './sandboxTarget';
import { readWithSdk } from './sdkReader';
import { makeStreamFixture, type StreamFixture, type StreamSpec } from './streamFixture';
import { diffRun, type ReadResult } from './streamTypes';

export type Reader = 'follower' | 'raw' | 'sdk' | 'limit';

const MAIN: StreamSpec = { nodes: 12, partials: 20_000 };
const ROUNDS = 5;
const WARM_UP: StreamSpec = { nodes: 12, partials: 2_000 };
export const GROWTH_NODES = [12, 200, 1_000];
/** Fewer updates than MAIN: a 1,000-node partial is ~25 KB of JSON. */
const GROWTH_PARTIALS = 2_000;
const GROWTH_ROUNDS = 3;
const DEADLINE_MS = 60_000;
const KEY = 'inf_bench_client_bound';
const NAMES: Record<Reader, string> = {
  follower: 'RunFollower',
  raw: 'streamRun reader',
  sdk: 'official SDK flowRuns.stream',
  limit: 'parse-only limit',
};

export interface Sample {
  reader: Reader;
  spec: StreamSpec;
  events: number;
  rate: number;
  cpuPerEventUs: number;
  exact: boolean;
  differ: string[];
  /** The follower only: its view after the last stream update (before its final GET) was exact. */
  streamExact?: boolean;
  result?: ReadResult;
}

/** What a bench needs to read runs from the server: fixtures kept here to check against. */
export class ClientBoundTarget {
  private readonly fixtures = new Map<string, StreamFixture>();
  readonly api: FlowRunsClient;

  private constructor(readonly url: string, private readonly stop: () => Promise<void>) {
    this.api = makeClient(url, KEY);
  }

  static async start(root: string): Promise<ClientBoundTarget> {
    const worker = await spawnWorker<{ url: string }>(path.join(root, 'out', 'test', 'bench', 'streamServerWorker.js'));
    return new ClientBoundTarget(worker.info.url, () => worker.close());
  }

  fixture(spec: StreamSpec): StreamFixture {
    const key = `${spec.nodes}/${spec.partials}`;
    let f = this.fixtures.get(key);
    if (!f) this.fixtures.set(key, (f = makeStreamFixture(TEMPLATE_RUN_ID, spec)));
    return f;
  }

  /** `afterGet` (diagnostics): the server holds the run stream's events until the first GET is answered. */
  async read(reader: Reader, spec: StreamSpec, afterGet = false): Promise<Sample> {
    const fixture = this.fixture(spec);
    if (reader === 'limit') {
      const r = parseOnly(fixture.sse);
      const differ = diffRun(r.view, fixture.final);
      return {
        reader, spec, events: r.events, rate: r.events / (r.elapsedMs / 1000), cpuPerEventUs: r.cpuUs / r.events,
        exact: differ.length === 0, differ,
      };
    }
    const id = await this.control<{ id: string }>('runs', { ...spec, afterGet }).then((x) => x.id);
    const expected = withRunId(fixture.final, id);
    const cpu0 = process.cpuUsage();
    let result: ReadResult;
    // No counter bookkeeping here (the paced bench's loss count): the limit does none either.
    if (reader === 'follower') result = await readWithFollower(this.api, id, DEADLINE_MS, false);
    else if (reader === 'raw') result = await readWithRawStream(this.api, id, DEADLINE_MS, false);
    else result = await readWithSdk(this.url, KEY, id, DEADLINE_MS, false);
    const cpu = process.cpuUsage(cpu0);
    await this.control(`release?id=${encodeURIComponent(id)}`, {});
    const differ = diffRun(result.view, expected);
    if (result.events !== fixture.events) differ.push(`(${result.events} of ${fixture.events} events read)`);
    const span = result.terminalAt !== undefined ? (result.terminalAt - result.firstEventAt) / 1000 : NaN;
    return {
      reader,
      spec,
      events: result.events,
      rate: span > 0 ? (result.events - 1) / span : NaN,
      cpuPerEventUs: result.events > 0 ? (cpu.user + cpu.system) / result.events : NaN,
      exact: differ.length === 0,
      differ,
      streamExact: reader === 'follower' ? diffRun(result.streamView, expected).length === 0 : undefined,
      result,
    };
  }

  close(): Promise<void> {
    return this.stop();
  }

  private async control<T>(action: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.url}/__bench/${action}`, {
      method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`bench server ${action}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }
}

function describe(s: Sample): string {
  const bad = s.exact && s.streamExact !== false ? '' : ` (differs: ${s.differ.join(', ') || 'the view after the last stream update'})`;
  const held = s.result?.eventsBeforeGet !== undefined && s.reader === 'follower' ? `, ${s.result.eventsBeforeGet} events before its resync GET returned` : '';
  return `${fmt(s.rate, 0)} events/s, ${fmt(s.cpuPerEventUs)} µs CPU/event, ${s.events} events${held}, exact=${s.exact && s.streamExact !== false}${bad}`;
}

export async function clientBoundRows(root: string, log: (line: string) => void): Promise<Row[]> {
  let target: ClientBoundTarget | undefined;
  try {
    target = await ClientBoundTarget.start(root);
    const readers: Reader[] = ['follower', 'raw', 'sdk', 'limit'];
    // Warm-up (JIT, sockets), not counted: a small read, then a full one per reader (the JIT keeps improving
    // over the first full reads).
    for (const r of readers) await target.read(r, WARM_UP);
    for (const r of readers) await target.read(r, MAIN);
    const samples: Sample[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts with another reader: none always reads first.
      for (let k = 0; k < readers.length; k++) {
        const s = await target.read(readers[(round + k) % readers.length], MAIN);
        log(`  client-bound ${s.reader}: ${describe(s)}`);
        samples.push(s);
      }
    }
    const rows = mainRows(samples);
    const growth: Sample[] = [];
    for (let round = 0; round < GROWTH_ROUNDS; round++) {
      for (const nodes of GROWTH_NODES) {
        for (const r of ['follower', 'sdk', 'limit'] as Reader[]) {
          const s = await target.read(r, { nodes, partials: GROWTH_PARTIALS });
          log(`  growth ${nodes} nodes ${s.reader}: ${describe(s)}`);
          growth.push(s);
        }
      }
    }
    rows.push(...growthRows(growth));
    return rows;
  } catch (e) {
    return [missing('Stream', 'client-bound: RunFollower / SDK', `the client-bound bench failed: ${errorText(e)}`, '>= 1.2 x')];
  } finally {
    await target?.close();
  }
}

function mainRows(samples: Sample[]): Row[] {
  const S = 'Stream';
  const of = (r: Reader): Sample[] => samples.filter((s) => s.reader === r);
  const rate = (r: Reader): number => median(of(r).map((s) => s.rate));
  const cpu = (r: Reader): number => median(of(r).map((s) => s.cpuPerEventUs));
  const events = MAIN.partials + 1;
  const method = `a server in a child process writes one pre-generated run stream at once (${events.toLocaleString('en-US')} events: the full run, `
    + `then partials {data, fields} with id, updated_at, node_statuses of ${MAIN.nodes} nodes and output, the last one terminal, then event: done); `
    + `fresh run id per read; median of ${ROUNDS} interleaved rounds; events/s from the first event to the view showing the terminal status`;
  const rows: Row[] = [
    info(S, 'client-bound: RunFollower, events/s', `${fmt(rate('follower'), 0)}/s`, rate('follower'),
      `RunFollower with both streams open (the tasks stream sends the node tasks, then stays open and quiet), its resync GET and the store merge; ${method}`),
    info(S, 'client-bound: streamRun reader, events/s', `${fmt(rate('raw'), 0)}/s`, rate('raw'),
      'FlowRunsClient.streamRun alone: one GET first, no reconnect, partials merged by fields (the same merge as the SDK row)'),
    info(S, 'client-bound: official SDK (flowRuns.stream), events/s', `${fmt(rate('sdk'), 0)}/s`, rate('sdk'),
      '@inferencesh/sdk: flowRuns.get once, then flowRuns.stream (its EventSource), JSON.parse and the same merge'),
    info(S, 'client-bound: parse-only limit, events/s', `${fmt(rate('limit'), 0)}/s`, rate('limit'),
      'the same SSE text in memory: split into events and lines, JSON.parse, the same merge; no network, in this process'),
    info(S, 'client-bound: CPU per event, RunFollower / reader / SDK / limit',
      `${fmt(cpu('follower'))} / ${fmt(cpu('raw'))} / ${fmt(cpu('sdk'))} / ${fmt(cpu('limit'))} µs`, cpu('follower'),
      'process.cpuUsage() of the bench process over each whole read (GETs, set-up and teardown included) divided by its data events; the server is another process; medians'),
  ];
  const sdk = rate('sdk');
  const ours = rate('follower');
  if (Number.isFinite(ours) && Number.isFinite(sdk) && sdk > 0) {
    rows.push(judged(S, 'client-bound: RunFollower / SDK, events/s', ours / sdk, 'x', 1.2, 'higher',
      `ratio of the medians measured in this run; per-round ratios ${ratios(of('follower'), of('sdk'))}`, 2));
    rows.push(info(S, 'client-bound: streamRun reader / SDK, events/s', `${fmt(rate('raw') / sdk, 2)} x`, rate('raw') / sdk,
      `per-round ratios ${ratios(of('raw'), of('sdk'))}`));
  } else {
    rows.push(missing(S, 'client-bound: RunFollower / SDK', 'a rate could not be measured', '>= 1.2 x'));
  }
  const limit = rate('limit');
  if (Number.isFinite(ours) && limit > 0) {
    rows.push(judged(S, 'client-bound: RunFollower as a share of the parse-only limit', (ours / limit) * 100, '%', 60, 'higher',
      `events/s of the follower over events/s of the limit, medians; reader ${fmt((rate('raw') / limit) * 100, 0)} %, SDK ${fmt((sdk / limit) * 100, 0)} %`, 0));
  }
  rows.push(exactRow(S, 'client-bound: final run exact, every reader', samples));
  return rows;
}

function ratios(a: Sample[], b: Sample[]): string {
  return a.map((s, i) => (b[i] ? fmt(s.rate / b[i].rate, 2) : '?')).join(', ');
}

function exactRow(section: string, name: string, samples: Sample[]): Row {
  const counts = (['follower', 'raw', 'sdk', 'limit'] as Reader[]).map((r) => {
    const all = samples.filter((s) => s.reader === r);
    if (!all.length) return '';
    const ok = all.filter((s) => s.exact).length;
    const streamOk = r === 'follower' ? `, after its last stream update ${all.filter((s) => s.streamExact).length}/${all.length}` : '';
    return `${NAMES[r]} ${ok}/${all.length}${streamOk}`;
  }).filter(Boolean);
  const bad = samples.find((s) => !s.exact || s.streamExact === false);
  const note = `equal to the run the stream builds (every partial applied to the full run), field by field; ${counts.join('; ')}`
    + (bad ? `. ${NAMES[bad.reader]} differs in: ${bad.differ.join(', ') || 'its view after the last stream update'}` : '');
  return check(section, name, bad === undefined && samples.length > 0, note);
}

function growthRows(samples: Sample[]): Row[] {
  const S = 'Growth';
  const cpu = (r: Reader, nodes: number): number =>
    median(samples.filter((s) => s.reader === r && s.spec.nodes === nodes).map((s) => s.cpuPerEventUs));
  const rows: Row[] = [];
  for (const nodes of GROWTH_NODES) {
    const f = cpu('follower', nodes);
    rows.push(info(S, `stream CPU per event, ${nodes.toLocaleString('en-US')} nodes: RunFollower / SDK / limit`,
      `${fmt(f)} / ${fmt(cpu('sdk', nodes))} / ${fmt(cpu('limit', nodes))} µs`, f,
      `the client-bound stream with ${GROWTH_PARTIALS.toLocaleString('en-US')} partials whose node_statuses has ${nodes} entries (${Math.min(nodes, 12)} node tasks); median of ${GROWTH_ROUNDS}`));
  }
  const [small, , big] = GROWTH_NODES;
  const slope = (r: Reader): number => (cpu(r, big) - cpu(r, small)) / (big - small);
  rows.push(info(S, 'stream CPU per added node: RunFollower / SDK / limit',
    `${fmt(slope('follower') * 1000, 0)} / ${fmt(slope('sdk') * 1000, 0)} / ${fmt(slope('limit') * 1000, 0)} ns`, slope('follower') * 1000,
    `(CPU per event at ${big} nodes - at ${small}) / ${big - small}: a linear cost per node of node_statuses`));
  rows.push(exactRow(S, 'stream: final run exact at every size', samples));
  return rows;
}
