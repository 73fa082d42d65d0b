/**
 * `m PROJECT OUTPUT` building: programs from the store in the script namespace, nested outputs,
 * build failures and -q/-v, re-evaluation after a change, makes.nix. Real sandbox and bash.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasJsStackTrace, mIsBuilt } from '../lib/run';
import { files, useMakesProject } from './fixture';

const { work, project, storeRoot, m } = useMakesProject('m-makes-cli-build-');

describe.skipIf(!mIsBuilt())('m PROJECT OUTPUT (builds)', () => {
  it('runs programs from the store (coreutils, searchPaths) in a namespace with /nix/store', async () => {
    const r = await m(['.', '/ls', 'xx']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ls \(GNU coreutils\)/);
    expect(r.stdout.trim().split('\n').pop()).toBe('1');
  });

  it('builds nested outputs and the root output', async () => {
    const r = await m(['.', '/nested/deep']);
    expect(r.code).toBe(0);
    const out = r.stdout.trim();
    expect(out).toMatch(/-deep$/);
    expect(fs.readFileSync(path.join(storeRoot, path.basename(out)), 'utf8')).toBe('root\ndeep\n');
  });

  it('shows the last log lines of a failed build; -q shows only the error', async () => {
    const r = await m(['.', '/broken']);
    expect(r.code).toBe(100); // as Nix: a failed build
    expect(r.stderr).toContain('failed with exit code 7');
    expect(r.stderr).toContain('> line two');
    const q = await m(['.', '-q', '/broken']);
    expect(q.code).toBe(100);
    expect(q.stderr).not.toContain('building');
    expect(q.stderr).toContain('> line one');
  });

  it('-v streams build logs; no colours when piped', async () => {
    fs.mkdirSync(path.join(project, 'makes/verbose'));
    fs.writeFileSync(path.join(project, 'makes/verbose/main.nix'), `{ makeDerivation, ... }: makeDerivation { name = "verbose"; builder = "echo a log line; touch $out"; }`);
    const r = await m(['.', '-v', '/verbose']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('verbose> a log line');
    expect(r.stderr).not.toContain('\x1b[');
  });

  it('re-evaluates when a file read by the evaluation changes', async () => {
    const f = path.join(project, 'makes/exit3/main.nix');
    fs.writeFileSync(f, files['makes/exit3/main.nix']!.replace('exit 3', 'exit 4'));
    const r = await m(['.', '/exit3']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('building exit3');
  });

  it('makes.nix: extendingMakesDirs and inputs', async () => {
    const p2 = path.join(work, 'p2');
    fs.mkdirSync(path.join(p2, 'ci/tools/check'), { recursive: true });
    fs.writeFileSync(path.join(p2, 'makes.nix'), `{ ... }: { extendingMakesDirs = [ "/ci" ]; inputs.greeting = "from makes.nix"; }`);
    fs.writeFileSync(path.join(p2, 'ci/tools/check/main.nix'), `{ makeDerivation, inputs, ... }: makeDerivation { name = "check"; env.envG = inputs.greeting; builder = "echo $envG > $out"; }`);
    const l = await m(['.', '--json'], { cwd: p2 });
    expect(l.code).toBe(0);
    // Builtin modules may add outputs of their own (makes' secretsForAwsFromEnv.__default__).
    expect(JSON.parse(l.stdout).map((o: { name: string }) => o.name)).toContain('/tools/check');
    const r = await m(['.', '/tools/check'], { cwd: p2 });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(storeRoot, path.basename(r.stdout.trim())), 'utf8')).toBe('from makes.nix\n');
  });
});
