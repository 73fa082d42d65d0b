#!/usr/bin/env node
// Entry point of the `m` command: loads the bundle built by `pnpm build`.
if (process.env.M_TIMING === '1') {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`[m timing] ${performance.now().toFixed(1).padStart(7)} ms wall ${((user + system) / 1000).toFixed(0).padStart(5)} ms cpu  main   node started\n`);
}
import('../dist/m.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/m.js')) {
    process.stderr.write('error: m is not built; run `pnpm build` in the repository first\n');
    process.exit(1);
  }
  throw err;
});
