/**
 * Where Nix 2.8.0's tests/lang files are: $M_NIX_TESTS_DIR/lang, else fetched at test time from
 * Debian's source package by scripts/fetch-nix-tests.sh into the git-ignored cache (the same
 * fetch the conformance runner uses). Undefined when they cannot be had (then tests skip).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const REPO_ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..');

function locate(): string | undefined {
  if (process.env.M_NIX_TESTS_DIR) return join(process.env.M_NIX_TESTS_DIR, 'lang');
  const r = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'fetch-nix-tests.sh')], { encoding: 'utf8', timeout: 600_000 });
  const last = (r.stdout ?? '').trim().split('\n').pop();
  if (r.status !== 0 || !last) return undefined;
  const dir = join(last, 'lang');
  return existsSync(dir) ? dir : undefined;
}

export const nixLangTestsDir: string | undefined = locate();
