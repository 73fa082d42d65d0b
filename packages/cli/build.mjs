// Bundles the CLI:
// - dist/m.js: the main-thread entry (argument parsing, command table, eval cache check), CommonJS, light:
//   it loads the bundle below only to evaluate (`m instantiate`, main-thread-eval.ts);
// - dist/m-worker-bundle.cjs: the parser, evaluator, store and builder (src/worker.ts), as one
//   CommonJS function so the worker can compile it through V8's code cache;
// - dist/m-eval-bundle.cjs: the same for `m instantiate` only (src/eval-bundle.ts: parser and
//   evaluator, about half the size), loaded on the main thread (and in the worker for a rerun);
// - dist/m-worker.cjs: the worker's entry (src/worker-loader.ts), which loads one of them; the
//   bundles' content hashes are compiled into it and into m.js to key the code caches. CommonJS, so that a worker
//   does not load Node's ES module loader.
// Outputs are written to a private directory and renamed into dist/, so a process starting `m`
// during a rebuild (or two concurrent builds) never sees a half-written bundle.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = new URL('./dist', import.meta.url).pathname;
const src = (f) => new URL(`./src/${f}`, import.meta.url).pathname;
const tmp = join(dist, `.build-${process.pid}`);
mkdirSync(tmp, { recursive: true });

/**
 * Built-in modules that cost milliseconds to load (tens of milliseconds in a worker, where Node
 * has no start-up snapshot) and that most runs never call: imports of them are bundled as shims
 * whose functions load the real module on their first call. Only functions can be imported from
 * them; importing anything else fails the build.
 */
const LAZY_BUILTINS = ['node:crypto', 'node:zlib', 'node:child_process'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_BUILTINS.map((m) => m.replace(':', '\\:')).join('|')})$`);
    // The shim's own require of the module is the real one.
    // Dependencies (execa imports the ChildProcess class) get the real module too.
    b.onResolve({ filter }, (args) =>
      args.namespace === 'lazy-builtin' || args.importer.includes('/node_modules/') ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const real = createRequire(import.meta.url)(args.path);
      const fns = Object.keys(real).filter((k) => typeof real[k] === 'function' && /^[a-z]/.test(k));
      const lines = [`let m; const load = () => (m ??= require(${JSON.stringify(args.path)}));`];
      for (const k of fns) lines.push(`export function ${k}(...a) { return load().${k}(...a); }`);
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/**
 * Packages that cost milliseconds to initialise and that most runs never call (node-tar, ≈ 10 ms:
 * it loads Node's streams; only fetchTarball and fetchGit use it): bundled as usual, but initialised
 * on the first call of one of their exported functions or classes (called or constructed).
 */
const LAZY_PACKAGES = ['tar'];
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_PACKAGES.join('|')})$`);
    b.onResolve({ filter }, async (args) => {
      if (args.pluginData?.real || args.importer.includes('/node_modules/')) return undefined;
      const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-package' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-package' }, async (args) => {
      const mod = await import(pathToFileURL(args.path).href);
      const fns = Object.keys(mod).filter((k) => typeof mod[k] === 'function' && /^[A-Za-z_$][\w$]*$/.test(k));
      const lines = [`let m; const load = () => (m ??= require(${JSON.stringify(args.path)}));`];
      for (const k of fns) lines.push(`export function ${k}(...a) { return new.target ? new (load().${k})(...a) : load().${k}(...a); }`);
      return { contents: lines.join('\n'), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Built-in modules imported by many source files: in a CommonJS bundle every
 * `import … from 'node:fs'` becomes its own copy of the module's properties (esbuild's __toESM),
 * about a hundred property definitions each, over a hundred times (≈ 30 ms of CPU at every
 * worker start). Instead they all import one module that re-exports the built-in once.
 */
const SHARED_BUILTINS = ['fs', 'path', 'os', 'process'];
const sharedBuiltins = {
  name: 'shared-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${SHARED_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.namespace === 'shared-builtin'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^(node:)?/, 'node:'), namespace: 'shared-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'shared-builtin' }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)}; export default require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  external: ['better-sqlite3', '@napi-rs/lzma'],
  plugins: [lazyBuiltins, lazyPackages, sharedBuiltins],
  // Less to read and hash; identifiers keep their names (stack traces, function names).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
const cjs = {
  ...common,
  format: 'cjs',
  // ASCII only (non-ASCII escaped): the loader reads the bundle as latin1.
  charset: 'ascii',
  define: { 'import.meta.url': '__mImportMetaUrl' },
  banner: { js: "'use strict';var __mImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

try {
  // The loaders (the worker's and the main thread's, bundle-loader.ts) key the code caches by the
  // bundles' hashes, so the bundles are built first.
  const bundles = { 'm-worker-bundle': 'worker.ts', 'm-eval-bundle': 'eval-bundle.ts' };
  await Promise.all(Object.entries(bundles).map(([name, entry]) => build({ ...cjs, entryPoints: [src(entry)], outfile: join(tmp, `${name}.cjs`) })));
  const hashes = Object.fromEntries(
    Object.keys(bundles).map((name) => [name, createHash('sha256').update(readFileSync(join(tmp, `${name}.cjs`))).digest('hex').slice(0, 20)]),
  );
  const define = { ...cjs.define, M_BUNDLE_HASHES: JSON.stringify(hashes) };
  await Promise.all([
    build({ ...cjs, entryPoints: [src('worker-loader.ts')], outfile: join(tmp, 'm-worker.cjs'), define }),
    build({ ...cjs, entryPoints: [src('main.ts')], outfile: join(tmp, 'm.js'), define }),
  ]);
  // dist/m.js is CommonJS (as is bin/m.js, see bin/package.json): a process whose modules are all
  // CommonJS never starts Node's ES module loader (≈ 10 ms of CPU), and built-in modules are
  // plain requires instead of ES module facades (which run every lazy getter of node:fs).
  writeFileSync(join(tmp, 'package.json'), '{ "type": "commonjs" }\n');
  // Maps first, then the worker bundle, its loader, and last the entry that starts the loader.
  const order = (f) => (f.endsWith('.map') || f === 'package.json' ? 0 : f.endsWith('-bundle.cjs') ? 1 : f === 'm-worker.cjs' ? 2 : 3);
  for (const f of readdirSync(tmp).sort((a, b) => order(a) - order(b))) renameSync(join(tmp, f), join(dist, f));
  // Outputs of earlier layouts.
  for (const f of ['m-worker.js', 'm-worker.js.map']) rmSync(join(dist, f), { force: true });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
