#!/usr/bin/env node
// Entry point of the `m` command: loads the single-file bundle built by `pnpm build`.
import('../dist/m.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/m.js')) {
    process.stderr.write('error: m is not built; run `pnpm build` in the repository first\n');
    process.exit(1);
  }
  throw err;
});
