/**
 * makes.nix as a module set, through the real CLI with a private store: makes' Quickstart shape
 * (`jobs`), `imports` of other makes.nix files, options declared by a project module with
 * mkIf / mkMerge / mkDefault / mkForce / mkBefore / mkAfter, the `{ fetchNixpkgs, ... }:` header
 * with `inputs.nixpkgs` replaced, main.nix outputs next to jobs; unknown options and type errors
 * positioned at their definition. lib.evalModules itself is compared with real Nix.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { M_BIN, REPO_ROOT, hasJsStackTrace, hasNix, mIsBuilt, runCommand, runM, runNix, type RunResult } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-makes-modules-'));
const storeRoot = path.join(work, 'store');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function writeProject(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return fs.realpathSync(dir);
}

function m(cwd: string, args: string[]): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd, env: { M_STORE: storeRoot }, timeoutMs: 180_000 });
}

const demo = writeProject('demo', {
  'makes.nix': `{ fetchNixpkgs, fetchUrl, fetchArchive, makeScript, makeDerivation, lib, inputs, config
, __nixpkgs__, __system__, projectPath, projectSrc, outputs, ... }: {
  imports = [ ./ci/makes.nix ./ci/words.nix ];
  inputs.nixpkgs = import ./fake-nixpkgs { };
  projectIdentifier = "demo";
  greeting = lib.mkForce "forced";
  words = lib.mkAfter [ "c" ];
  extra.enable = true;
  envVars.demo = { DEMO_VAR = "from envVars"; };
  dev.demo = { bin = [ inputs.nixpkgs.hello ]; };
  jobs = {
    "/helloWorld" = makeScript {
      name = "helloWorld";
      entrypoint = "echo 'Hello World!'";
    };
    "/fromInputs" = makeDerivation {
      name = "from-inputs";
      env.envHello = inputs.nixpkgs.hello;
      builder = ''cat "$envHello" > "$out"'';
    };
    "/conf" = makeScript {
      name = "conf";
      searchPaths.source = [ outputs."/envVars/demo" ];
      entrypoint = ''echo "\${config.projectStateDir} \${inputs.myUser} \${config.greeting} \${__system__} $DEMO_VAR"'';
    };
  };
}
`,
  'ci/makes.nix': `{ makeScript, inputs, ... }: {
  inputs.myUser = "John";
  jobs."/helloUser" = makeScript { name = "helloUser"; entrypoint = "echo 'Hello \${inputs.myUser}!'"; };
}
`,
  'ci/words.nix': `{ config, lib, makeScript, ... }: {
  options = {
    greeting = lib.mkOption { type = lib.types.str; default = "hi"; description = "A greeting."; };
    words = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; description = "Words to say."; };
    extra.enable = lib.mkEnableOption "the /extra job";
  };
  config = lib.mkMerge [
    { greeting = lib.mkDefault "default greeting"; words = [ "b" ]; }
    { greeting = "plain"; }
    (lib.mkIf config.extra.enable {
      words = lib.mkBefore [ "a" ];
      jobs."/extra" = makeScript { name = "extra"; entrypoint = "echo \${lib.concatStringsSep " " config.words}"; };
    })
    (lib.mkIf false { jobs."/never" = throw "a disabled definition is never evaluated"; })
  ];
}
`,
  'fake-nixpkgs/default.nix': `{ system ? null, ... }: { hello = builtins.toFile "greeting" "hello from a nixpkgs-like input\\n"; }`,
  'makes/from-main/main.nix': `{ makeDerivation, outputs, ... }: makeDerivation {
  name = "from-main";
  env.envJob = outputs."/fromInputs";
  builder = ''cat "$envJob" > "$out"; echo main >> "$out"'';
}`,
});

describe.skipIf(!mIsBuilt())('makes.nix as a module set', () => {
  it('lists main.nix outputs and the jobs of makes.nix and its imports, without disabled ones', async () => {
    const r = await m(demo, ['.', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const names: string[] = JSON.parse(r.stdout).map((o: { name: string }) => o.name);
    expect(names).toEqual(expect.arrayContaining(['/conf', '/dev/demo', '/envVars/demo', '/extra', '/from-main', '/fromInputs', '/helloUser', '/helloWorld']));
    expect(names).not.toContain('/never');
    // The same listing from the evaluation cache.
    const again = await m(demo, ['.', '--json']);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(r.stdout));
  });

  it("runs makes' Quickstart job and one from an imported makes.nix", async () => {
    const r = await m(demo, ['.', '/helloWorld']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Hello World!\n');
    const u = await m(demo, ['.', '/helloUser']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain('Hello John!\n');
  });

  it('merges definitions: mkForce over a plain one over mkDefault, mkBefore/mkAfter, mkIf on an option; envVars', async () => {
    const r = await m(demo, ['.', '/conf']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\/\.cache\/m\/state\/demo John forced x86_64-linux from envVars\n/);
    const w = await m(demo, ['.', '/extra']);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toContain('a b c\n');
  });

  it('the { fetchNixpkgs, ... }: header with inputs.nixpkgs replaced; a main.nix uses a job', async () => {
    const r = await m(demo, ['.', '/from-main']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n').pop()!;
    expect(fs.readFileSync(path.join(storeRoot, path.basename(out)), 'utf8')).toBe('hello from a nixpkgs-like input\nmain\n');
  });

  it('an unknown option: its name, where it is defined and the closest option', async () => {
    const p = writeProject('unknown', {
      'makes.nix': `{ makeScript, ... }: {\n  imports = [ ./sub.nix ];\n  jbos."/x" = makeScript { name = "x"; entrypoint = "true"; };\n}\n`,
      'sub.nix': '{ }\n',
    });
    const r = await m(p, ['.']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: The option `jbos' does not exist.");
    expect(r.stderr).toContain(`at ${p}/makes.nix:3:3:`);
    expect(r.stderr).toContain("Did you mean `jobs'?");
    expect(hasJsStackTrace(r.stderr)).toBe(false);
    // Nested, in an imported file, inside a submodule (checked when the cache settings are read).
    fs.writeFileSync(path.join(p, 'makes.nix'), '{ makeScript, ... }: {\n  imports = [ ./sub.nix ];\n  jobs."/x" = makeScript { name = "x"; entrypoint = "true"; };\n}\n');
    fs.writeFileSync(path.join(p, 'sub.nix'), '{\n  cache.extra.main = {\n    enable = true;\n    ulr = "file:///c";\n  };\n}\n');
    const n = await m(p, ['.', '/x']);
    expect(n.code).toBe(1);
    expect(n.stderr).toContain("error: The option `cache.extra.main.ulr' does not exist.");
    expect(n.stderr).toContain(`at ${p}/sub.nix:4:5:`);
    expect(n.stderr).toContain("Did you mean `cache.extra.main.url'?");
  });

  it('a definition of the wrong type: the option, its type and the defining file', async () => {
    const p = writeProject('type', { 'makes.nix': '{\n  extendingMakesDirs = "/ci";\n}\n' });
    const r = await m(p, ['.']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: A definition for option `extendingMakesDirs' is not of type `list of string'.");
    expect(r.stderr).toContain(`at ${p}/makes.nix:2:3:`);
    expect(hasJsStackTrace(r.stderr)).toBe(false);
    fs.writeFileSync(path.join(p, 'makes.nix'), '{ makeScript, ... }: {\n  jobs."/x" = { name = "not a derivation"; };\n}\n');
    const j = await m(p, ['.', '/x']);
    expect(j.code).toBe(1);
    expect(j.stderr).toContain("error: A definition for option `jobs.\"/x\"' is not of type `package'.");
    expect(j.stderr).toContain(`at ${p}/makes.nix:2:3:`);
  });
});

describe.skipIf(!hasNix || !mIsBuilt())('lib.evalModules on m and on real Nix', () => {
  it('gives the same config and the same errors', async () => {
    const lib = path.join(REPO_ROOT, 'packages/makes/nix/lib.nix');
    const dir = writeProject('oracle', {
      'a.nix': `{ config, lib, ... }: {
  imports = [ ./b.nix ];
  options = {
    s = lib.mkOption { type = lib.types.str; default = "x"; };
    n = lib.mkOption { type = lib.types.int; default = 1; };
    l = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
    a = lib.mkOption { type = lib.types.attrsOf lib.types.int; default = { }; };
    o = lib.mkOption { type = lib.types.nullOr (lib.types.enum [ "p" "q" ]); default = null; };
    f = lib.mkOption { type = lib.types.functionTo lib.types.int; default = x: x + 1; };
    any = lib.mkOption { type = lib.types.anything; default = { }; };
    sub = lib.mkOption {
      default = { };
      type = lib.types.attrsOf (lib.types.submodule ({ name, ... }: {
        options.url = lib.mkOption { type = lib.types.str; default = "u-" + name; };
        options.on = lib.mkOption { type = lib.types.bool; default = false; };
      }));
    };
    p = lib.mkOption { type = lib.types.package; default = builtins.toFile "p" "p"; };
  };
  config = lib.mkMerge [
    { l = [ "mid" ]; a.x = 1; any.k.j = 1; }
    (lib.mkIf (config.n > 1) { l = lib.mkAfter [ "last" ]; a.big = config.n; })
    (lib.mkIf false { a.never = throw "never"; })
  ];
}
`,
      'b.nix': `{ lib, ... }: {
  s = lib.mkForce "forced";
  n = 2;
  l = lib.mkBefore [ "first" ];
  a = { y = lib.mkIf false 2; z = lib.mkDefault 3; };
  o = "q";
  any.k.i = 2;
  sub.one.on = true;
  sub.two = { };
}
`,
      'ok.nix': `let lib = import ${lib}; c = (lib.evalModules { modules = [ ./a.nix { s = "plain"; a.z = 4; } ]; }).config;
in c // { f = c.f 41; p = builtins.unsafeDiscardStringContext c.p; }`,
      'unknown.nix': `let lib = import ${lib}; in (lib.evalModules { modules = [ ./a.nix { sub.one.ulr = "x"; } ]; }).config.s`,
      'type.nix': `let lib = import ${lib}; in (lib.evalModules { modules = [ ./a.nix { o = "r"; } ]; }).config.o`,
      'conflict.nix': `let lib = import ${lib}; in (lib.evalModules { modules = [ ./a.nix { n = 3; } ]; }).config.n`,
    });
    for (const file of ['ok.nix', 'unknown.nix', 'type.nix', 'conflict.nix']) {
      const args = ['--eval', '--strict', path.join(dir, file)];
      const [mine, nix] = await Promise.all([runM(args), runNix(args)]);
      expect(mine.code, `${file}: ${mine.stderr}`).toBe(nix.code);
      expect(mine.stdout, file).toBe(nix.stdout);
      if (nix.code !== 0) expect(mine.stderr.split('\n')[0], file).toBe(nix.stderr.split('\n')[0]);
    }
    const ok = await runNix(['--eval', '--strict', path.join(dir, 'ok.nix')]);
    expect(ok.stdout).toContain('l = [ "first" "mid" "last" ]');
    expect(ok.stdout).toContain('s = "forced"');
    expect(ok.stdout).toContain('a = { big = 2; x = 1; z = 4; }');
    expect(ok.stdout).toContain('sub = { one = { on = true; url = "u-one"; }; two = { on = false; url = "u-two"; }; }');
  });
});
