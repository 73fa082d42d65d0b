import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/run';
import { findHostPathReads } from './host-paths';

const SCANNED = ['packages/*/test/**', 'packages/*/perf/**', 'packages/*/bench/**', 'tests/**', 'bench/**', 'scripts/**', '.ci/**'];

function committedSources(): string[] {
  const out = execFileSync('git', ['ls-files', '--', ...SCANNED], { cwd: REPO_ROOT, encoding: 'utf8' });
  return out.split('\n').filter((f) => /\.(ts|mts|js|mjs|cjs|sh)$/.test(f) || f.startsWith('.ci/'));
}

describe('a fresh clone needs no file that only one machine has', () => {
  it('flags the kind of read that broke a fresh clone', () => {
    const smoke = "for (const e of readFileSync('/srv/exprs.txt','utf8').split('\\n')) {}";
    expect(findHostPathReads(smoke, 'js')).toEqual([{ line: 1, path: '/srv/exprs.txt' }]);
    expect(findHostPathReads("const F = '/work/x.nix';\nstatSync(F);", 'js')).toEqual([{ line: 2, path: '/work/x.nix' }]);
    expect(findHostPathReads('cat /root/notes.txt', 'sh')).toEqual([{ line: 1, path: '/root/notes.txt' }]);
    expect(findHostPathReads("mkdirSync('/srv/fx');\nreadFileSync('/srv/fx/a');", 'js')).toEqual([]);
    expect(findHostPathReads("readFileSync('/etc/os-release')", 'js')).toEqual([]);
    expect(findHostPathReads("readdirSync('/tmp'); // host-path-ok: nothing escaped", 'js')).toEqual([]);
  });

  it('no committed test, benchmark or script reads such a path', () => {
    // The checker and its own examples are the one place such paths are spelled out on purpose.
    const files = committedSources().filter((f) => !f.startsWith('tests/hygiene/'));
    expect(files.length).toBeGreaterThan(20);
    const bad = files.flatMap((f) => {
      const kind = /\.(sh)$/.test(f) || f.startsWith('.ci/') ? 'sh' : 'js';
      return findHostPathReads(readFileSync(join(REPO_ROOT, f), 'utf8'), kind).map((r) => `${f}:${r.line}: ${r.path}`);
    });
    expect(bad).toEqual([]);
  });
});
