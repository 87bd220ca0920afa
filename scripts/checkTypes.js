// `npm run check-types`: tsc over the three programs, each with its own lib:
//   .                the extension, the sandbox and the tests (ES2022 + Node, no DOM)
//   src/webview      the panel's browser side (DOM only: no Node, no `vscode`)
//   test/bench       the benchmarks (their playwright callbacks run in a page: + DOM)
// Incremental: tsc keeps what it learned in out/tsc/, so an unchanged tree is re-checked fast
// (a changed file and everything that depends on it are checked again, exactly as cold).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc', { paths: [repo] });
const projects = [['.', 'root'], ['src/webview', 'webview'], ['test/bench', 'bench']];

let failed = false;
for (const [project, name] of projects) {
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project, '--incremental', '--tsBuildInfoFile', path.join('out', 'tsc', `${name}.tsbuildinfo`)], {
    cwd: repo,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
