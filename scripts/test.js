// `npm test`: every check the project has, and how long each took.
//   types   tsc (the extension and tests; the webview against the DOM only; the benchmarks)
//   lint    type-aware eslint
//   build   esbuild, once (every later phase uses its output)
//   unit    plain-Node tests
//   vscode  the suites inside a real VS Code (each suite's time is printed by the runner)
// The VS Code suites are the long pole (two VS Code windows side by side, see
// test/vscode/runTests.ts) and spend most of their time waiting on sandbox runs, so the rest
// runs beside them in a second lane, one phase at a time:
//   lane 1: build, then vscode
//   lane 2: types, then lint, then unit (which also needs the build)
// Lane 2 starts once the VS Code windows have started their tests: starting a browser and
// VS Code is the busiest minute of the run, and lane 2 has time to spare.
// Each phase's output is printed whole when it ends (the VS Code suites' live, as they go);
// the exit code is nonzero if any phase failed. `--serial` runs the phases one after the other.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const serial = process.argv.includes('--serial');
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);

/**
 * name, command, `needs` (phases that must have passed: their output is used), `after`
 * (phases that must have ended, passed or not: the lane's order), and whether its output
 * streams live.
 */
const PHASES = [
  { name: 'types', cmd: [process.execPath, path.join(repo, 'scripts', 'checkTypes.js')], needs: [], after: [], afterSignal: 'vscode started' },
  { name: 'build', cmd: [process.execPath, path.join(repo, 'esbuild.js')], needs: [], after: [] },
  // Cached by content in out/: a warm run lints only changed files. Type-aware rules read other
  // files' types, which the cache does not track; a clean clone (CI) has no cache and lints all.
  { name: 'lint', cmd: [bin('eslint'), '--cache', '--cache-strategy', 'content', '--cache-location', path.join(repo, 'out', 'eslint', '.eslintcache'), '.'], needs: [], after: ['types'] },
  { name: 'unit', cmd: [process.execPath, '--test', '--test-reporter=spec', '--test-concurrency=2', 'out/test/unit/'], needs: ['build'], after: ['lint'] },
  { name: 'vscode', cmd: [process.execPath, path.join(repo, 'out', 'test', 'vscode', 'runTests.js')], needs: ['build'], after: [], live: true },
];

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** The machine's busy and total CPU time so far (Linux /proc/stat), to say how busy the run kept it. */
function cpuTicks() {
  try {
    const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const n = fields.map(Number);
    const idle = n[3] + (n[4] ?? 0);
    const total = n.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** 'vscode started': every VS Code window has started its tests (or the phase ended). */
const signals = new Map();
function signal(name) {
  if (!signals.has(name)) {
    let fire;
    const fired = new Promise((resolve) => (fire = resolve));
    signals.set(name, { fired, fire });
  }
  return signals.get(name);
}

/** Watches the VS Code runner's lines: how many windows it opens, and when each has started its tests. */
function vscodeWatcher() {
  let windows = 1;
  let startedCount = 0;
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const w = /\[tests\] window (\d+):/.exec(line);
      if (w) windows = Math.max(windows, Number(w[1]));
      if (/the tests started in the extension host/.test(line) && ++startedCount >= windows) signal('vscode started').fire();
    }
  };
}

function runPhase(phase) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    const child = spawn(phase.cmd[0], phase.cmd.slice(1), { cwd: repo, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (phase.name === 'vscode') child.stdout.on('data', vscodeWatcher());
    const onData = (stream) => (chunk) => (phase.live || serial ? stream.write(chunk) : chunks.push(chunk));
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('error', (e) => chunks.push(Buffer.from(`${e.message}\n`)));
    child.on('close', (code) => {
      const ms = Date.now() - started;
      const ok = code === 0;
      if (phase.name === 'vscode') signal('vscode started').fire();
      if (chunks.length) process.stdout.write(`\n── ${phase.name} ─────────────────────────────\n${Buffer.concat(chunks).toString()}`);
      console.log(`── ${phase.name} ${ok ? 'passed' : `FAILED (exit ${code})`} in ${secs(ms)}`);
      resolve({ name: phase.name, ok, ms, startMs: started });
    });
  });
}

async function main() {
  const t0 = Date.now();
  const cpu0 = cpuTicks();
  console.log(`npm test: ${serial ? 'one phase at a time' : 'phases side by side where they can'}; load average at the start ${load()} (${os.cpus().length} cores)`);
  const results = new Map();
  const running = new Map();
  const start = (phase) => {
    if (!running.has(phase.name)) {
      running.set(phase.name, (async () => {
        for (const dep of [...phase.needs, ...phase.after]) await start(PHASES.find((p) => p.name === dep));
        if (phase.afterSignal && !serial) await signal(phase.afterSignal).fired;
        const failedDep = phase.needs.find((dep) => !results.get(dep)?.ok);
        if (failedDep) {
          console.log(`── ${phase.name} skipped: ${failedDep} failed`);
          results.set(phase.name, { name: phase.name, ok: false, ms: 0, skipped: true });
          if (phase.name === 'vscode') signal('vscode started').fire();
          return;
        }
        results.set(phase.name, await runPhase(phase));
      })());
    }
    return running.get(phase.name);
  };
  if (serial) {
    for (const name of ['types', 'lint', 'build', 'unit', 'vscode']) await start(PHASES.find((p) => p.name === name));
  } else {
    await Promise.all(PHASES.map(start));
  }
  const total = Date.now() - t0;
  console.log('\nTime per phase:');
  for (const phase of PHASES) {
    const r = results.get(phase.name);
    if (!r) continue;
    const from = r.startMs ? ` (from ${secs(r.startMs - t0)})` : '';
    console.log(`  ${phase.name.padEnd(7)} ${r.skipped ? 'skipped' : `${secs(r.ms).padStart(8)}${from}`}${r.ok ? '' : r.skipped ? '' : '  FAILED'}`);
  }
  const cpu1 = cpuTicks();
  const busy = cpu0 && cpu1 ? ` the machine's CPUs were ${Math.round((100 * (cpu1.busy - cpu0.busy)) / (cpu1.total - cpu0.total))}% busy;` : '';
  console.log(`  ${'total'.padEnd(7)} ${secs(total).padStart(8)};${busy} load average at the end ${load()}`);
  const failed = PHASES.filter((p) => !results.get(p.name).ok).map((p) => p.name);
  const summary = path.join(repo, 'test-results', 'npm-test-times.json');
  fs.mkdirSync(path.dirname(summary), { recursive: true });
  fs.writeFileSync(summary, `${JSON.stringify({ serial, totalMs: total, load: os.loadavg(), phases: [...results.values()] }, null, 2)}\n`);
  if (failed.length) console.log(`\nFAILED: ${failed.join(', ')}`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
