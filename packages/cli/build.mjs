// Bundles the CLI: dist/m.js is the light main-thread entry (argument parsing, command table);
// dist/m-worker.js holds the parser and evaluator and runs in a worker thread with a big stack.
// Outputs are written to a private directory and renamed into dist/, so a process starting `m`
// during a rebuild (or two concurrent builds) never sees a half-written bundle.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('./dist', import.meta.url).pathname;
const tmp = join(dist, `.build-${process.pid}`);
mkdirSync(tmp, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  external: ['better-sqlite3'],
  banner: { js: "import { createRequire as __mCreateRequire } from 'node:module'; const require = __mCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

try {
  await Promise.all([
    build({ ...common, entryPoints: [new URL('./src/main.ts', import.meta.url).pathname], outfile: join(tmp, 'm.js') }),
    build({ ...common, entryPoints: [new URL('./src/worker.ts', import.meta.url).pathname], outfile: join(tmp, 'm-worker.js') }),
  ]);
  // Maps first, the worker before the entry that loads it.
  const order = (f) => (f.endsWith('.map') ? 0 : f === 'm-worker.js' ? 1 : 2);
  for (const f of readdirSync(tmp).sort((a, b) => order(a) - order(b))) renameSync(join(tmp, f), join(dist, f));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
