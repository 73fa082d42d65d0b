// Bundles the CLI: dist/m.js is the light main-thread entry (argument parsing, command table);
// dist/m-worker.js holds the parser and evaluator and runs in a worker thread with a big stack.
import { build } from 'esbuild';

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

await Promise.all([
  build({ ...common, entryPoints: [new URL('./src/main.ts', import.meta.url).pathname], outfile: new URL('./dist/m.js', import.meta.url).pathname }),
  build({ ...common, entryPoints: [new URL('./src/worker.ts', import.meta.url).pathname], outfile: new URL('./dist/m-worker.js', import.meta.url).pathname }),
]);
