// Where a reader's time goes on the client-bound stream: `npm run build`, then
//   node out/test/bench/profileFollower.js [--reader follower|raw|sdk|limit]
//        [--nodes 12] [--partials 20000] [--reads 5] [--after-get]
// --after-get: the server holds the run stream's events until the reader's
// first GET is answered, so the follower has nothing to buffer while it
// resyncs (a diagnostic: the bench itself writes everything at once).
// --no-profile: the reads without the profiler only.
// --in-memory: the follower alone, on an in-memory API that hands it parsed
// events (no HTTP, no SSE parsing); prints its CPU per event next to the
// readers' merge on the same events, then profiles it.
// Reads the stream `reads` times (after a warm-up) under the V8 CPU profiler,
// prints the top self-time functions and files, and saves the profile as
// test-results/profile-<reader>-<nodes>.cpuprofile (open it in DevTools).
import * as fs from 'fs';
import * as path from 'path';
import { ClientBoundTarget, type Reader, type Sample } from './lib/clientBoundBench';
import { TEMPLATE_RUN_ID } from './lib/clientBoundServer';
import { followInMemory, inMemoryEvents } from './lib/inMemoryFollower';
import { profile, summarize, writeProfile, type CpuProfile } from './lib/cpuProfile';
import { fmt } from './lib/report';

const root = path.resolve(__dirname, '..', '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const reader = arg('reader', 'follower') as Reader;
  if (!['follower', 'raw', 'sdk', 'limit'].includes(reader)) throw new Error(`unknown reader ${reader}`);
  const spec = { nodes: Number(arg('nodes', '12')), partials: Number(arg('partials', '20000')) };
  const reads = Number(arg('reads', '5'));
  const afterGet = process.argv.includes('--after-get');
  const target = await ClientBoundTarget.start(root);
  try {
    // Warm-up: the JIT keeps improving over the first full reads.
    await target.read(reader, { nodes: spec.nodes, partials: 2_000 });
    if (!process.argv.includes('--in-memory')) await target.read(reader, spec);
    // Generated outside the profile.
    target.fixture(spec);
    const profiled = !process.argv.includes('--no-profile');
    if (process.argv.includes('--in-memory')) {
      const fixture = target.fixture(spec);
      const events = inMemoryEvents(fixture);
      await followInMemory(fixture, events, TEMPLATE_RUN_ID);
      for (let i = 0; i < reads; i++) {
        const r = await followInMemory(fixture, events, TEMPLATE_RUN_ID);
        console.log(`in memory: RunFollower ${fmt(r.followerUs, 2)} µs CPU/event, readers' merge ${fmt(r.mergeUs, 2)} µs, ${r.events} events, exact=${r.exact}`);
      }
      if (!profiled) return;
      const { profile: p } = await profile(async () => {
        for (let i = 0; i < reads; i++) await followInMemory(fixture, events, TEMPLATE_RUN_ID);
      });
      report(p, reads * fixture.events, `in-memory-${spec.nodes}`);
      return;
    }
    // First without the profiler (its sampling costs CPU), then with it.
    for (let i = 0; i < reads; i++) console.log(line(await target.read(reader, spec, afterGet), ''));
    if (!profiled) return;
    const { value: samples, profile: p } = await profile(async () => {
      const out = [];
      for (let i = 0; i < reads; i++) out.push(await target.read(reader, spec, afterGet));
      return out;
    });
    for (const s of samples) console.log(line(s, ' (profiler on)'));
    report(p, samples.reduce((a, s) => a + s.events, 0), `${reader}-${spec.nodes}${afterGet ? '-after-get' : ''}`);
  } finally {
    await target.close();
  }
}

function line(s: Sample, note: string): string {
  const held = s.reader === 'follower'
    ? `, ${s.result?.eventsBeforeGet ?? '?'} events before its resync GET returned, ${s.result?.gets ?? '?'} run GETs, ${s.result?.taskGets ?? 0} task GETs` : '';
  const exact = s.exact && s.streamExact !== false;
  const why = exact ? '' : ` (differs: ${s.differ.join(', ') || 'the view after the last stream update'})`;
  return `${s.reader}: ${fmt(s.rate, 0)} events/s, ${fmt(s.cpuPerEventUs)} µs CPU/event${note}${held}, exact=${exact}${why}`;
}

function report(p: CpuProfile, events: number, name: string): void {
  const sum = summarize(p);
  const idle = sum.functions.filter((f) => f.name === '(idle)').reduce((a, f) => a + f.ms, 0);
  const busy = sum.total - idle;
  console.log(`\nprofiled ${fmt(sum.total, 0)} ms, of which busy ${fmt(busy, 0)} ms, for ${events.toLocaleString('en-US')} events (${fmt((busy * 1000) / events, 2)} µs busy per event; shares below are of busy time)\n`);
  for (const list of [sum.functions, sum.files]) for (const f of list) f.share = f.name === '(idle)' ? NaN : f.ms / busy;
  console.log('self time by function:');
  for (const f of sum.functions.filter((x) => x.name !== '(idle)').slice(0, 30)) {
    console.log(`  ${fmt(f.ms, 1).padStart(8)} ms ${fmt(f.share * 100, 1).padStart(5)} %  ${f.name}  ${f.where}`);
  }
  console.log('\nself time by file:');
  for (const f of sum.files.filter((x) => x.name !== '(idle)').slice(0, 20)) {
    console.log(`  ${fmt(f.ms, 1).padStart(8)} ms ${fmt(f.share * 100, 1).padStart(5)} %  ${f.name}`);
  }
  const dir = path.join(root, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `profile-${name}.cpuprofile`);
  writeProfile(file, p);
  console.log(`\nprofile: ${path.relative(root, file)}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
