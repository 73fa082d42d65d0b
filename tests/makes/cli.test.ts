/**
 * `m PROJECT [OUTPUT [ARGS…]]` as a user runs it: listing, nested outputs, scripts with arguments
 * and exit codes, unknown outputs, syntax errors, build failures, makes.nix, and the eval cache
 * (a second run builds nothing). Real sandbox, real bash and coreutils imported from the host.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, hasJsStackTrace, mIsBuilt, runCommand, type RunResult } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-makes-cli-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');

const files: Record<string, string> = {
  'makes/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "root"; builder = "echo root > $out"; }`,
  'makes/hello/main.nix': `{ makeScript, ... }: makeScript {
    name = "hello";
    entrypoint = ''
      echo "args: $#"
      for a in "$@"; do echo "<$a>"; done
      echo "cwd: $PWD"
      info "to stderr"
    '';
  }`,
  'makes/nested/deep/main.nix': `{ makeDerivation, outputs, ... }: makeDerivation {
    name = "deep";
    env.envRoot = outputs."/";
    builder = ''cat $envRoot > $out; echo deep >> $out'';
  }`,
  'makes/exit3/main.nix': `{ makeScript, ... }: makeScript { name = "exit3"; entrypoint = "echo bye; exit 3"; }`,
  'makes/syntax/main.nix': `{ makeDerivation, ... }:\nmakeDerivation {\n  name = "x"\n  builder = "";\n}\n`,
  'makes/broken/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "broken"; builder = "echo line one; echo line two; exit 7"; }`,
  'makes/ls/main.nix': `{ makeScript, inputs, ... }: makeScript {
    name = "ls";
    searchPaths.bin = [ inputs.nixpkgs.grep ];
    entrypoint = ''ls --version | head -n 1; echo "$1" | grep -c x'';
  }`,
};

function m(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: opts.cwd ?? project, env: { M_STORE: storeRoot, ...opts.env }, timeoutMs: 180_000 });
}

beforeAll(() => {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    fs.writeFileSync(path.join(project, rel), text);
  }
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

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

  it('runs a script with its arguments in the project directory, printing the store path first', async () => {
    const r = await m(['.', '/hello', 'a b', '', '--flag']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const [first, ...rest] = r.stdout.split('\n');
    expect(first).toMatch(/^\/nix\/store\/[a-z0-9]{32}-hello$/);
    expect(rest.join('\n')).toBe(`args: 3\n<a b>\n<>\n<--flag>\ncwd: ${fs.realpathSync(project)}\n`);
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
