#!/usr/bin/env node
// Entry point of the `m` command: loads the bundle built by `pnpm build`. CommonJS (bin/package.json),
// as dist/m.js: Node's ES module loader is never started.
'use strict';
if (process.env.M_TIMING === '1') {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`[m timing] ${performance.now().toFixed(1).padStart(7)} ms wall ${((user + system) / 1000).toFixed(0).padStart(5)} ms cpu  main   node started\n`);
}
try {
  require.resolve('../dist/m.js');
} catch {
  process.stderr.write('error: m is not built; run `pnpm build` in the repository first\n');
  process.exit(1);
}
require('../dist/m.js');
