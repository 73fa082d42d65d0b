// Bundles the CLI into one ESM file so start-up loads a single module (chevrotain included).
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('./src/main.ts', import.meta.url).pathname],
  outfile: new URL('./dist/m.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  external: ['better-sqlite3'],
  banner: { js: "import { createRequire as __mCreateRequire } from 'node:module'; const require = __mCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
