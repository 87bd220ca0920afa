// `npm test`: every check the project has, and how long each took.
//   types   tsc (the extension and tests; the webview against the DOM only; the benchmarks)
//   lint    type-aware eslint
//   build   esbuild, once (every later phase uses its output)
//   unit    plain-Node tests
//   vscode  the suites inside a real VS Code (each suite's time is printed by the runner)
// The machine has few cores and the VS Code suites spend most of their time waiting on a
// sandbox's runs, so the phases run side by side as far as they can: types, lint and build
// together, then unit and vscode together once the build is there. Each phase's output is
// printed whole when it ends (the VS Code suites' live, as they go); the exit code is nonzero
// if any phase failed. `--serial` runs the phases one after the other instead.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const serial = process.argv.includes('--serial');
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);

/** name, command, the phases it waits for, and whether its output streams live. */
const PHASES = [
  { name: 'types', cmd: [process.execPath, path.join(repo, 'scripts', 'checkTypes.js')], after: [] },
  { name: 'lint', cmd: [bin('eslint'), '.'], after: [] },
  { name: 'build', cmd: [process.execPath, path.join(repo, 'esbuild.js')], after: [] },
  { name: 'unit', cmd: [process.execPath, '--test', '--test-reporter=spec', '--test-concurrency=4', 'out/test/unit/'], after: ['build'] },
  { name: 'vscode', cmd: [process.execPath, path.join(repo, 'out', 'test', 'vscode', 'runTests.js')], after: ['build'], live: true },
];

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

function runPhase(phase) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    const child = spawn(phase.cmd[0], phase.cmd.slice(1), { cwd: repo, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (stream) => (chunk) => (phase.live || serial ? stream.write(chunk) : chunks.push(chunk));
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('error', (e) => chunks.push(Buffer.from(`${e.message}\n`)));
    child.on('close', (code) => {
      const ms = Date.now() - started;
      const ok = code === 0;
      if (chunks.length) process.stdout.write(`\n── ${phase.name} ─────────────────────────────\n${Buffer.concat(chunks).toString()}`);
      console.log(`── ${phase.name} ${ok ? 'passed' : `FAILED (exit ${code})`} in ${secs(ms)}`);
      resolve({ name: phase.name, ok, ms, startMs: started });
    });
  });
}

async function main() {
  const t0 = Date.now();
  console.log(`npm test: ${serial ? 'one phase at a time' : 'phases side by side where they can'}; load average at the start ${load()} (${os.cpus().length} cores)`);
  const results = new Map();
  const running = new Map();
  const start = (phase) => {
    if (!running.has(phase.name)) {
      running.set(phase.name, (async () => {
        for (const dep of phase.after) await start(PHASES.find((p) => p.name === dep));
        const failedDep = phase.after.find((dep) => !results.get(dep)?.ok);
        if (failedDep) {
          console.log(`── ${phase.name} skipped: ${failedDep} failed`);
          results.set(phase.name, { name: phase.name, ok: false, ms: 0, skipped: true });
          return;
        }
        results.set(phase.name, await runPhase(phase));
      })());
    }
    return running.get(phase.name);
  };
  if (serial) {
    for (const phase of PHASES) await start(phase);
  } else {
    await Promise.all(PHASES.map(start));
  }
  const total = Date.now() - t0;
  console.log('\nTime per phase:');
  for (const phase of PHASES) {
    const r = results.get(phase.name);
    const from = r.startMs ? ` (from ${secs(r.startMs - t0)})` : '';
    console.log(`  ${phase.name.padEnd(7)} ${r.skipped ? 'skipped' : `${secs(r.ms).padStart(8)}${from}`}${r.ok ? '' : r.skipped ? '' : '  FAILED'}`);
  }
  console.log(`  ${'total'.padEnd(7)} ${secs(total).padStart(8)}; load average at the end ${load()}`);
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
