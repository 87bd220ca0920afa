// Type-aware lint for the extension, the webview, the sandbox and the tests,
// plus the layering rules of the README's Design section, so they hold by lint
// rather than by memory.
import js from '@eslint/js';
import fs from 'node:fs';
import path from 'node:path';
import tseslint from 'typescript-eslint';

// --- layers ---------------------------------------------------------------------------------
const NETWORK = 'Only src/api and src/sandbox touch the network (README, Design): go through the API client.';

/**
 * The rules of one layer. `vscode`: may it import VS Code; `network`: may it
 * make requests itself; `below`: the sibling folders (or files) it may import
 * from, as the start of the path after `../`. One block per folder set: a
 * later block's no-restricted-imports would replace an earlier one's.
 */
function layer(files, { vscode, network, below, why, ignores }) {
  const paths = [];
  if (!vscode) paths.push({ name: 'vscode', message: 'This layer is plain TypeScript: no `vscode` import (README, Design).' });
  if (!network) {
    for (const name of ['node-fetch', 'undici', 'http', 'https', 'node:http', 'node:https', 'net', 'node:net']) paths.push({ name, message: NETWORK });
  }
  const patterns = below ? [{ regex: `^\\.\\./(?!(${below.join('|')}))`, message: why }] : [];
  const rules = { 'no-restricted-imports': ['error', { paths, patterns }] };
  if (!network) {
    rules['no-restricted-globals'] = ['error', ...['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource'].map((name) => ({ name, message: NETWORK }))];
    rules['no-restricted-properties'] = ['error', ...['globalThis', 'window', 'self'].map((object) => ({ object, property: 'fetch', message: NETWORK }))];
  }
  return { files, ...(ignores ? { ignores } : {}), rules };
}

const PLAIN = ['src/shared/**', 'src/webview/**', 'src/api/**', 'src/sandbox/**', 'src/runs/**'];

// --- the web build ----------------------------------------------------------------------------
// dist/extension-web.js (and dist/links.js, which it loads) bundle everything in src but the
// sandbox and the webview, with each `x.web.ts` twin in place of its Node original `x.ts`
// (esbuild.js). Those files run in a browser's web worker: no Node modules, no Buffer/process.
const WEB = 'The web build runs in a browser\'s web worker (README, In the browser): no Node modules or globals. Put a Node-only need behind a `.web.ts` twin (esbuild.js).';

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name).split(path.sep).join('/')]);
}
const NODE_ORIGINALS = filesUnder(path.join(import.meta.dirname, 'src'))
  .filter((f) => f.endsWith('.web.ts'))
  .map((f) => path.relative(import.meta.dirname, f).split(path.sep).join('/').replace(/\.web\.ts$/, '.ts'));
const NODE_MODULES = [
  'fs', 'fs/promises', 'http', 'https', 'http2', 'child_process', 'os', 'net', 'tls', 'dgram', 'dns', 'path', 'crypto', 'zlib',
  'stream', 'events', 'buffer', 'util', 'worker_threads', 'process', 'url', 'node-fetch', 'undici',
];
const webBuild = {
  files: ['src/**/*.ts'],
  ignores: ['src/sandbox/**', 'src/webview/**', ...NODE_ORIGINALS],
  rules: {
    // Its own rule name, so it adds to the layers' no-restricted-imports instead of replacing it.
    '@typescript-eslint/no-restricted-imports': ['error', {
      paths: NODE_MODULES.map((name) => ({ name, message: WEB, allowTypeImports: true })),
      patterns: [{ regex: '^node:', message: WEB, allowTypeImports: true }],
    }],
    'no-restricted-syntax': ['error',
      ...['Buffer', 'process', 'require', '__dirname', '__filename', 'setImmediate', 'global'].map((name) => ({
        // A global's name as a value or a type, not a property or key that happens to share it.
        selector: `Identifier[name='${name}']:not(MemberExpression[computed=false] > Identifier.property):not(Property > Identifier.key):not(TSPropertySignature > Identifier.key)`,
        message: `${name}: ${WEB}`,
      })),
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', '*.vsix', 'esbuild.js', 'scripts/**/*.js', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  layer(['src/shared/**/*.ts'], {
    below: ['shared/', 'api/models$'], why: 'src/shared is the bottom layer: besides itself it may use only the API data model.',
  }),
  layer(['src/webview/**/*.ts'], {
    below: ['shared/'], why: 'The webview bundle may use src/shared only: it runs in the browser, with no network (CSP connect-src none).',
  }),
  layer(['src/api/**/*.ts'], { network: true, below: ['shared/'], why: 'src/api sits under everything but src/shared.' }),
  layer(['src/sandbox/**/*.ts'], {
    network: true, below: ['shared/', 'api/'], why: 'The sandbox is a server: it may share the API model and src/shared, nothing of the extension.',
  }),
  layer(['src/runs/**/*.ts'], { below: ['shared/', 'api/'], why: 'src/runs is plain Node over the API client: no views or commands.' }),
  // The VS Code layers (commands, views, input, auth, activation): `vscode` yes, requests of their own no.
  layer(['src/**/*.ts'], { vscode: true, ignores: PLAIN }),
  webBuild,
  {
    // The webview is compiled for the browser: Node's modules are not there.
    files: ['src/webview/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', { selector: 'ImportDeclaration[source.value=/^node:/]', message: 'The webview runs in a browser: no Node modules.' }] },
  },
  {
    // The web suites and the helpers they bundle run in the browser's web worker extension host.
    files: [
      'test/vscode/web/**/*.ts',
      'test/vscode/util/{testEnv,testVerdict,extensionApi,remoteSandbox,sandboxCalls,workbench}.ts',
    ],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: 'ImportDeclaration[source.value=/^(node:|(fs|path|os|http|https|net|child_process|assert)$)/]',
        message: 'This runs in the web worker extension host: no Node modules (test/vscode/web/assert.ts has the assertions).',
      }],
      'no-restricted-imports': ['error', { patterns: [{
        regex: '(/util/sandbox|/host/[^/]+|^mocha)$',
        message: 'Node-only in the web worker: use util/remoteSandbox (sandboxes), util/testVerdict (results), mocha/mocha.js (its browser build).',
        allowTypeImports: true,
      }] }],
    },
  },
  {
    files: ['src/sandbox/cli.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // node:test's describe/test return promises the runner itself awaits.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
    },
  },
);
