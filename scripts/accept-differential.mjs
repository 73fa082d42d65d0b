#!/usr/bin/env node
// Regenerates the differential goldens (<case>.out, <case>.exit) from real
// nix-instantiate by running the differential test file in accept mode.
// Usage: node scripts/accept-differential.mjs [group]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const which = spawnSync('sh', ['-c', 'command -v nix-instantiate'], { encoding: 'utf8' });
if (which.status !== 0) {
  console.error('accept-differential: nix-instantiate is not installed; goldens come from real Nix only');
  process.exit(2);
}
const env = { ...process.env, M_ACCEPT: '1' };
if (process.argv[2]) env.M_DIFF_GROUP = process.argv[2];
const r = spawnSync('npx', ['vitest', 'run', 'tests/differential/differential.test.ts'], { cwd: repo, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
