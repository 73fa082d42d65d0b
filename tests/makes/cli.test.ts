/**
 * `m PROJECT [OUTPUT [ARGS…]]` as a user runs it: listing, nested outputs, scripts with arguments
 * and exit codes, unknown outputs, syntax errors, build failures, makes.nix, and the eval cache
 * (a second run builds nothing). Real sandbox, real bash and coreutils imported from the host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasJsStackTrace, mIsBuilt } from '../lib/run';
import { useMakesProject } from './fixture';

const { project, m } = useMakesProject('m-makes-cli-');

describe.skipIf(!mIsBuilt())('m PROJECT', () => {
  it('lists the outputs, exiting non-zero when not interactive; --json for machines', async () => {
    const r = await m(['.']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Usage: m . OUTPUT [ARGS...]');
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());
    expect(listed).toEqual(['/', '/broken', '/exit3', '/hello', '/ls', '/nested/deep', '/syntax']);
    const j = await m(['.', '--json']);
    expect(j.code).toBe(0);
    const parsed = JSON.parse(j.stdout) as { name: string; file: string }[];
    expect(parsed.map((o) => o.name)).toEqual(listed);
    expect(parsed.find((o) => o.name === '/nested/deep')!.file).toBe(path.join(fs.realpathSync(project), 'makes/nested/deep/main.nix'));
  });

  it('runs a script with its arguments in the project directory, alone on stdout (its store path on stderr)', async () => {
    const r = await m(['.', '/hello', 'a b', '', '--flag']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\/nix\/store\/[a-z0-9]{32}-hello$/m);
    expect(r.stdout).toBe(`args: 3\n<a b>\n<>\n<--flag>\ncwd: ${fs.realpathSync(project)}\n`);
    expect(r.stderr).toContain('[INFO] to stderr');
    expect(r.stderr).toMatch(/\[\d+\/\d+ built\] building hello/);
  }, 120_000);

  it('a second run evaluates and builds nothing', async () => {
    const r = await m(['.', '/hello', 'again']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('building');
    expect(r.stderr).not.toContain('evaluating');
    expect(r.stdout).toContain('<again>');
  });

  it('exits with the script exit code', async () => {
    const r = await m(['.', '/exit3']);
    expect(r.stdout).toContain('bye');
    expect(r.code).toBe(3);
  });

  it('names the closest outputs for an unknown one', async () => {
    const r = await m(['.', '/helo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: '/helo' is not an output of this project");
    expect(r.stderr).toContain("'/hello'");
    expect(r.stdout).toBe('');
  });

  it('reports a syntax error in a main.nix with its position', async () => {
    const r = await m(['.', '/syntax']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: syntax error');
    expect(r.stderr).toContain(`at ${fs.realpathSync(project)}/makes/syntax/main.nix:4:11:`);
    expect(hasJsStackTrace(r.stderr)).toBe(false);
  });
});
