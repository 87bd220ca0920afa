#!/usr/bin/env node
// `npm start` runs `npm run build` first, then this: the logic lives in
// test/vscode/host/start.ts (built to out/), next to the VS Code provisioning it shares with
// the tests. Flags: --check, --port N, --desktop, --speed X, --seed-runs N.
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const built = path.join(repo, 'out', 'test', 'vscode', 'host', 'start.js');
if (!fs.existsSync(built)) {
  console.error(`${path.relative(repo, built)} is missing: run \`npm run build\` first (npm start does).`);
  process.exit(1);
}
require(built).main(repo, process.argv.slice(2));
