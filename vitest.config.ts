import { defineConfig } from 'vitest/config';

// Most test time is spent waiting on real subprocesses (nix-instantiate, m, bwrap, podman), so
// two files run at once even on a 2-core machine.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/adversarial/summary.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
  },
});
