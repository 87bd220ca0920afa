// The mocha entry for the chaos parts that must run inside VS Code: the same
// runner as test/vscode/index.ts, bundled here, so that it looks for suites in
// out/test/vscode/chaos/suite/ (its own folder) instead of the fast suites.
export { run } from '../index';
