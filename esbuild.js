// Builds every bundle with esbuild's context API:
//   dist/extension.js  the extension (Node, CommonJS, `vscode` external)
//   dist/extension-web.js  the same extension for the web worker extension host
//                      (vscode.dev, github.dev): `x.web.ts` twins replace the Node-only modules
//   dist/webview.js    the run panel's browser side
//   dist/sandbox.js    the local sandbox CLI (Node)
//   dist/links.js      links into VS Code and Compare With…, loaded on first use
//   out/test/**        unit, chaos and in-VS-Code test bundles (not in --production); the web
//                      suites (test/vscode/web) for the browser's web worker
// Flags: --production (minify, no sourcemaps, no tests), --watch.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the form VS Code's $esbuild-watch problem matcher reads. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

function listTests(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTests(p, suffix));
    else if (entry.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

/**
 * For the extension bundle only: the sandbox, ajv and the links become the separate files
 * dist/sandbox.js, dist/ajv.js and dist/links.js, required on first use (src/lazyModules.ts,
 * src/commands/lazyLinks.ts);
 * fetch-blob's web-streams polyfill, dead code on Node 18+, becomes Node's own.
 */
const lazyModulesPlugin = {
  name: 'lazy-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\/sandbox$/ }, (args) =>
      args.importer.endsWith(path.join('src', 'lazyModules.ts')) ? { path: './sandbox.js', external: true } : undefined);
    build.onResolve({ filter: /^\.\/links$/ }, (args) =>
      args.importer.endsWith(path.join('src', 'commands', 'lazyLinks.ts')) ? { path: './links.js', external: true } : undefined);
    build.onResolve({ filter: /^ajv$/ }, (args) =>
      args.importer.endsWith(path.join('src', 'lazyModules.ts')) ? { path: './ajv.js', external: true } : undefined);
    build.onResolve({ filter: /^web-streams-polyfill\// }, () => ({ path: 'node:stream/web', external: true }));
  },
};

/**
 * For the web bundle only: an import of `./x` becomes `./x.web.ts` when that
 * file sits next to `x.ts`. The twins are the whole difference between the
 * two builds (the transport, the lazy modules, the few Node-only spots), so no
 * code asks at run time which host it is in.
 */
const webTwinsPlugin = {
  name: 'web-twins',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const twin = `${path.resolve(args.resolveDir, args.path)}.web.ts`;
      // A twin importing its Node original (for a type) must reach the original.
      if (args.importer === twin || !fs.existsSync(twin)) return undefined;
      return { path: twin };
    });
  },
};

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'silent',
  plugins: [problemMatcherPlugin],
};

const configs = [
  {
    ...node,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [problemMatcherPlugin, lazyModulesPlugin],
  },
  {
    // The web worker extension host: a browser's globals only, `require('vscode')` given by VS Code.
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'cjs',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'silent',
    plugins: [problemMatcherPlugin, webTwinsPlugin],
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension-web.js',
    external: ['vscode'],
  },
  { ...node, entryPoints: ['node_modules/ajv/dist/ajv.js'], outfile: 'dist/ajv.js' },
  { ...node, entryPoints: ['src/sandbox/cli.ts'], outfile: 'dist/sandbox.js' },
  { ...node, entryPoints: ['src/commands/links.ts'], outfile: 'dist/links.js', external: ['vscode'] },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'silent',
    plugins: [problemMatcherPlugin],
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
  },
];

if (!production) {
  const unit = listTests('test/unit', '.test.ts');
  if (unit.length) configs.push({ ...node, entryPoints: unit, outdir: 'out/test/unit', outbase: 'test/unit' });
  const chaos = listTests('test/chaos', '.test.ts');
  if (chaos.length) configs.push({ ...node, entryPoints: chaos, outdir: 'out/test/chaos', outbase: 'test/chaos' });
  // Benchmarks: entry points are the top-level files of test/bench.
  const bench = listTests('test/bench', '.ts').filter((f) => path.dirname(f) === path.join('test', 'bench'));
  if (bench.length) {
    configs.push({ ...node, entryPoints: bench, outdir: 'out/test/bench', outbase: 'test/bench', external: ['playwright-core'] });
  }
  // Tests that run inside VS Code: the mocha entry, the suites, and the launcher. Not the web
  // suites (test/vscode/web): they run in the browser's web worker extension host, built below.
  const webTests = path.join('test', 'vscode', 'web') + path.sep;
  const vscodeEntries = [
    ...listTests('test/vscode', '.ts').filter((f) => !f.endsWith('.d.ts') && !f.startsWith(webTests)),
  ];
  if (vscodeEntries.length) {
    configs.push({
      ...node,
      entryPoints: vscodeEntries,
      outdir: 'out/test/vscode',
      outbase: 'test/vscode',
      external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'],
    });
  }
  // The web suites, their runner and the web activation bench, for the web worker extension host: CommonJS whose only
  // require is 'vscode' (the launcher joins them into one tests module per run: host/webTests.ts).
  const webEntries = listTests('test/vscode/web', '.ts').filter((f) => f.endsWith('.test.ts') || ['index.ts', 'bench.ts'].includes(path.basename(f)));
  if (webEntries.length) {
    configs.push({
      ...node,
      platform: 'browser',
      target: 'es2022',
      entryPoints: webEntries,
      outdir: 'out/test/vscode/web',
      outbase: 'test/vscode/web',
      external: ['vscode'],
    });
  }
}

async function main() {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  let failed = false;
  for (const ctx of contexts) {
    try {
      await ctx.rebuild();
    } catch {
      failed = true;
    }
    await ctx.dispose();
  }
  if (failed) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
