/**
 * Issue 10's makes/ example in this repository (makes/catalogue/: makes.nix imported by the root
 * makes.nix, main.nix): `m .` lists the builtin outputs it enables, and /pipeline/example runs
 * lintBash, lintWithAjv, the data helpers' /catalogue and /helloWorld in order. Private store.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { M_BIN, mIsBuilt, REPO_ROOT, runCommand, type RunResult } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-issue10-example-'));
const storeRoot = path.join(work, 'store');

function m(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: REPO_ROOT, home: work, env: { M_STORE: storeRoot, ...env }, timeoutMs: 330_000 });
}

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt())('issue 10: the makes/catalogue example', () => {
  it('m . lists the builtin outputs makes/catalogue/makes.nix enables', async () => {
    const r = await m(['.']);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());
    expect(listed).toEqual(
      expect.arrayContaining(['/catalogue', '/envVars/example', '/formatBash', '/formatYaml', '/lintBash', '/lintNix', '/lintWithAjv/example', '/pipeline/example']),
    );
  }, 300_000);

  it('/pipeline/example runs its jobs in order; /catalogue holds the data helpers\' files', async () => {
    const r = await m(['.', '/pipeline/example']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Hello World!\n');
    const jobs = r.stderr.split('\n').filter((l) => l.includes('Running job:'));
    expect(jobs).toEqual(['[INFO] Running job: /lintBash', '[INFO] Running job: /lintWithAjv/example', '[INFO] Running job: /catalogue', '[INFO] Running job: /helloWorld']);
    expect(r.stderr).toMatch(/-config\.yaml valid\n/);
    const built = /\[INFO\] Built \/nix\/store\/([a-z0-9]{32}-catalogue)\n/.exec(r.stderr);
    expect(built, r.stderr).not.toBeNull();
    const out = path.join(storeRoot, built![1]!);
    expect(fs.readFileSync(path.join(out, 'config.yaml'), 'utf8')).toBe('name: example\nport: 8080\ntags:\n  - a\n  - b\n');
    expect(fs.readFileSync(path.join(out, 'config.toml'), 'utf8')).toBe('[server]\nname = "example"\nport = 8080\ntitle = "Example"\n');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'))).toEqual({ name: 'example', port: 8080 });
    expect(fs.readFileSync(path.join(out, 'scripts.json'), 'utf8')).toBe('["/makes/catalogue/scripts/greet.sh"]\n');
    expect(fs.readFileSync(path.join(out, 'cert.crt'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  }, 360_000);
});
