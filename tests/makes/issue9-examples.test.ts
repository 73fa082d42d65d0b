/**
 * Issue 9 item 7 and item 1: makes' own documented examples (fluidattacks/makes 24.12,
 * docs/src/getting-started.md, configuration/essentials.md, configuration/core-functions.md) run
 * end to end with the real `m`, in their shapes with text of our own: the Quickstart (a makes.nix
 * with `jobs`), `imports`, `inputs`, `outputs`, makeSearchPaths, makeDerivation, makeTemplate,
 * extendingMakesDirs, and makes' error for a job without a leading slash (which makes' docs
 * themselves trip over). Then the repository's own makes/ examples of the same, and item 1's
 * inventory: every option the issue names is declared with a type, a default and a description,
 * and every argument makes passes to main.nix and makes.nix files is there. (makeScript and
 * projectPath's documented examples: cli-run.test.ts; unknown options: modules.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, REPO_ROOT, hasJsStackTrace, mIsBuilt, runCommand, type RunResult } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-issue9-examples-'));
const storeRoot = path.join(work, 'store');
const home = path.join(work, 'home');

/** makes 24.12's src/args/agnostic.nix and src/args/default.nix, and attrPaths (its evaluator's). */
const MAKES_ARGS = `__nixpkgs__ __nixpkgsSrc__ __shellCommands__ __shellOptions__ __stateDirs__ __system__
  __toModuleOutputs__ asContent attrsGet attrsMapToList attrsMerge attrsOptional computeOnAwsBatch
  deployContainer deployContainerManifest deployTerraform fakeSha256 fetchArchive fetchNixpkgs
  fetchRubyGem fetchUrl formatBash formatNix formatTerraform formatYaml fromJson fromJsonFile fromYaml
  fromYamlFile gitlabCi hasPrefix hasSuffix isDarwin isLinux libGit lintGitMailMap lintNix
  lintTerraform lintWithAjv listFilesRecursive makeContainerImage makeDerivation makeDynamoDb
  makeEnvVars makeEnvVarsForTerraform makePythonEnvironment makePythonPoetryEnvironment
  makePythonPyprojectPackage makePythonVscodeSettings makeRubyGemsEnvironment makeRubyGemsInstall
  makeScript makeSearchPaths makeSecretForAwsFromEnv makeSecretForAwsFromGitlab
  makeSecretForEnvFromSops makeSecretForTerraformFromEnv makeSslCertificate makeTemplate
  makeTerraformEnvironment managePorts patchShebangs pythonOverrideUtils removePrefix
  stringCapitalize sublist testLicense testTerraform toBashArray toBashMap toDerivationName
  toFileJson toFileJsonFromFileYaml toFileLst toFileToml toFileYaml
  inputs outputs projectIdentifier projectSrc projectPath projectPathLsDirs projectPathsMatching
  projectSrcInStore attrPaths lib config`.split(/\s+/);

/** The options issue 9 item 1 names. */
const ISSUE_OPTIONS = `inputs outputs jobs extendingMakesDirs projectIdentifier globalStateDir projectStateDir
  cache dev envVars envVarsForTerraform`.split(/\s+/);

function writeProject(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  // A git repository, as makes projects are: m sees what git tracks (here, staged).
  execFileSync('git', ['init', '-q', '.'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  return fs.realpathSync(dir);
}

function m(cwd: string, args: string[]): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd, home, env: { M_STORE: storeRoot }, timeoutMs: 240_000 });
}

const physical = (out: string): string => path.join(storeRoot, path.basename(out.trim()));
const listed = (r: RunResult): string[] => r.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());

let quickstart = '';
let essentials = '';
let functions = '';
let inventory = '';
let slashless = '';

beforeAll(() => {
  fs.mkdirSync(home, { recursive: true });
  // getting-started.md's Quickstart: nothing but a makes.nix with one job.
  quickstart = writeProject('quickstart', {
    'makes.nix': `{ makeScript, ... }: {
  jobs = {
    "/helloWorld" = makeScript {
      name = "helloWorld";
      entrypoint = "echo 'Hello World!'";
    };
  };
}
`,
  });
  // essentials.md: imports, inputs, outputs; plus extendingMakesDirs and a job named without a slash.
  essentials = writeProject('essentials', {
    'makes.nix': `{ imports = [ ./another/subdirectory/makes.nix ]; extendingMakesDirs = [ "/makes" "/ci" ]; }\n`,
    'another/subdirectory/makes.nix': `{ inputs, makeScript, outputs, ... }: {
  inputs = { myUser = "Jo"; };
  jobs = {
    "/helloUser" = makeScript {
      name = "helloUser";
      entrypoint = "echo 'Hello \${inputs.myUser}!'";
    };
    "/helloJohn" = makeScript { name = "helloJohn"; entrypoint = "echo 'Hello John!'"; };
    "/helloJane" = makeScript { name = "helloJane"; entrypoint = "echo 'Hello Jane!'"; };
    "/helloAll" = makeScript {
      name = "helloAll";
      searchPaths.bin = [ outputs."/helloJohn" outputs."/helloJane" ];
      entrypoint = "helloJohn; helloJane";
    };
    # The docs' own shape: a script output in searchPaths.source (a directory, not a file).
    "/helloSourced" = makeScript {
      name = "helloSourced";
      searchPaths.source = [ outputs."/helloJohn" ];
      entrypoint = "echo unreachable";
    };
  };
}
`,
    'ci/lint/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "lint"; builder = "echo linted > $out"; }\n`,
    'makes/build/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "build"; builder = "echo built > $out"; }\n`,
  });
  // core-functions.md: makeSearchPaths, makeDerivation, makeTemplate as makes.nix jobs.
  functions = writeProject('functions', {
    'makes.nix': `{ inputs, makeDerivation, makeSearchPaths, makeTemplate, ... }: {
  jobs."/mySearchPaths" = makeSearchPaths {
    bin = [ inputs.nixpkgs.git ];
    source = [ [ ./template.sh "a" "b" "c" ] ];
    export = [ [ "PATH" inputs.nixpkgs.bash "/bin" ] [ "MY_LIBS" inputs.nixpkgs.coreutils "/libexec" ] ];
  };
  jobs."/myDerivation" = makeDerivation {
    env.envVersion = "1.0";
    builder = ''
      debug Version is $envVersion
      info Listing the tree made in $PWD
      mkdir dir
      touch dir/file
      find dir | sort > $out
    '';
    name = "myDerivation";
    searchPaths.bin = [ inputs.nixpkgs.findutils ];
  };
  jobs."/myTemplate" = makeTemplate {
    name = "example";
    replace = {
      __argBash__ = inputs.nixpkgs.bash;
      __argVersion__ = "1.0";
    };
    template = ''
      Bash is: __argBash__
      Version is: __argVersion__
    '';
  };
}
`,
    'template.sh': '# shellcheck shell=bash\necho "sourced with: $*"\n',
  });
  // core-functions.md names its jobs without the slash makes requires.
  slashless = writeProject('slashless', {
    'makes.nix': `{ makeTemplate, ... }: {
  jobs."myTemplate" = makeTemplate { name = "x"; template = "x"; };
}
`,
  });
  // Item 1: what a main.nix and a makes.nix module receive, and the options' declarations.
  inventory = writeProject('inventory', {
    'makes.nix': `{ options, lib, toFileJson, ... }@args:
let
  describe = o:
    if (o._type or null) == "option"
    then { type = o.type.description or o.type.name or null; hasDefault = o ? default; description = o.description or null; }
    else builtins.mapAttrs (_: describe) o;
in {
  jobs."/moduleArgs" = toFileJson "module-args" (builtins.attrNames args);
  jobs."/options" = toFileJson "options" (lib.genAttrs [ ${ISSUE_OPTIONS.map((o) => `"${o}"`).join(' ')} ] (n: describe options.\${n}));
}
`,
    'makes/mainArgs/main.nix': `{ toFileJson, attrPaths, ... }@args: toFileJson "main-args" { names = builtins.attrNames args; attrPaths = builtins.fromJSON attrPaths; }\n`,
  });
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe.skipIf(!mIsBuilt())("makes' documented examples (issue 9 item 7)", () => {
  it('Quickstart: a makes.nix with jobs lists /helloWorld and runs it, alone on stdout', async () => {
    const list = await m(quickstart, ['.']);
    // makes' secretsForAwsFromEnv module always adds /secretsForAwsFromEnv/__default__, and so does m's.
    expect(listed(list)).toEqual(['/helloWorld', '/secretsForAwsFromEnv/__default__']);
    const r = await m(quickstart, ['.', '/helloWorld']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Hello World!\n');
  }, 240_000);

  it('essentials: imports, inputs, outputs reused by a job, extendingMakesDirs; the docs\' source shape fails as in makes', async () => {
    const list = await m(essentials, ['.']);
    expect(listed(list)).toEqual(['/build', '/helloAll', '/helloJane', '/helloJohn', '/helloSourced', '/helloUser', '/lint', '/secretsForAwsFromEnv/__default__']);
    const [user, all, lint] = await Promise.all([m(essentials, ['.', '/helloUser']), m(essentials, ['.', '/helloAll']), m(essentials, ['.', '/lint'])]);
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toBe('Hello Jo!\n');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toBe('Hello John!\nHello Jane!\n');
    expect(lint.code, lint.stderr).toBe(0);
    expect(fs.readFileSync(physical(lint.stdout), 'utf8')).toBe('linted\n');
    const sourced = await m(essentials, ['.', '/helloSourced']);
    expect(sourced.code).not.toBe(0);
    expect(sourced.stderr).toMatch(/-helloJohn: [Ii]s a directory/);
    expect(sourced.stdout).toBe('');
  }, 240_000);

  it('makeSearchPaths, makeDerivation and makeTemplate jobs give what core-functions.md says', async () => {
    const [sp, drv, tpl] = await Promise.all([
      m(functions, ['.', '/mySearchPaths']),
      m(functions, ['.', '-v', '/myDerivation']),
      m(functions, ['.', '/myTemplate']),
    ]);
    for (const r of [sp, drv, tpl]) expect(r.code, r.stderr).toBe(0);
    // makeDerivation is not runnable: its store path alone on stdout. makeSearchPaths and
    // makeTemplate outputs are, as in makes: their action prints the template on stderr only.
    expect(drv.stdout).toMatch(/^\/nix\/store\/[a-z0-9]{32}-myDerivation\n$/);
    expect(sp.stdout).toBe('');
    expect(tpl.stdout).toBe('');
    // Reached through their out-links (.m/out-<name>), as a user would.
    const template = fs.readFileSync(path.join(functions, '.m/out-mySearchPaths/template'), 'utf8');
    expect(sp.stderr).toContain(template.trim().split('\n')[0]!);
    expect(template).toMatch(/export PATH="\/nix\/store\/[a-z0-9]{32}-git-[^/"]+\/bin\$\{PATH:\+:\}\$\{PATH:-\}"/);
    expect(template).toMatch(/export PATH="\/nix\/store\/[a-z0-9]{32}-bash-[^/"]+\/bin\$\{PATH:\+:\}\$\{PATH:-\}"/);
    expect(template).toMatch(/export MY_LIBS="\/nix\/store\/[a-z0-9]{32}-coreutils-[^/"]+\/libexec\$\{MY_LIBS:\+:\}\$\{MY_LIBS:-\}"/);
    expect(template).toMatch(/source "?\/nix\/store\/[a-z0-9]{32}-template\.sh"? '?a'? '?b'? '?c'?/);
    expect(fs.readFileSync(physical(drv.stdout), 'utf8')).toBe('dir\ndir/file\n');
    expect(drv.stderr).toContain('[DEBUG] Version is 1.0');
    expect(drv.stderr).toMatch(/\[INFO\] Listing the tree made in \/build/);
    expect(tpl.stderr).toMatch(/^Bash is: \/nix\/store\/[a-z0-9]{32}-bash-/m);
    expect(fs.readFileSync(path.join(functions, '.m/out-myTemplate/template'), 'utf8')).toMatch(
      /^Bash is: \/nix\/store\/[a-z0-9]{32}-bash-[^\n]+\nVersion is: 1\.0\n\n$/, // echo adds a newline to the template's own, as in makes
    );
    // As the docs write it, a job without a leading slash: makes' message, at the job's definition.
    const bad = await m(slashless, ['.', '/myTemplate']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The job "myTemplate" must begin with a slash');
    expect(bad.stderr).toContain(`${slashless}/makes.nix:2:`);
    expect(hasJsStackTrace(bad.stderr)).toBe(false);
  }, 240_000);
});

describe.skipIf(!mIsBuilt())("the repository's makes/ examples of makes' essentials", () => {
  it('m . lists them; /helloWorld, /helloUser, /helloAll, /greet, /search-paths, /derivation run', async () => {
    const list = await m(REPO_ROOT, ['.']);
    expect(listed(list)).toEqual(expect.arrayContaining(['/helloWorld', '/helloUser', '/helloAll', '/greet', '/search-paths', '/derivation', '/prompt']));
    const runs = await Promise.all(
      [['/helloWorld'], ['/helloUser'], ['/helloAll'], ['/greet', 'Bo'], ['/search-paths'], ['/derivation']].map((a) => m(REPO_ROOT, ['.', ...a])),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const [world, user, all, greet, sp, drv] = runs as [RunResult, RunResult, RunResult, RunResult, RunResult, RunResult];
    expect(world.stdout).toBe('Hello World!\n');
    expect(user.stdout).toBe('Hello Ann!\n');
    expect(all.stdout).toBe('Hello Ann!\nHello Bob!\n');
    expect(greet.stdout).toBe('Good morning, Bo!\n');
    expect(sp.stdout).toMatch(/^template saw: one two three\ngit from: \/nix\/store\/[a-z0-9]{32}-git-[^/]+\/bin\/git\nexported: \/nix\/store\/[a-z0-9]{32}-coreutils-[^/]+\/bin\n$/);
    expect(fs.readFileSync(physical(drv.stdout), 'utf8')).toBe('dir\ndir/file\nversion 1.0, HOME=/homeless-shelter\n');
  }, 240_000);
});

describe.skipIf(!mIsBuilt())('item 1: the options and the arguments of makes.nix and main.nix', () => {
  it('every option the issue names is declared with a type, a default and a description', async () => {
    const r = await m(inventory, ['.', '/options']);
    expect(r.code, r.stderr).toBe(0);
    type Decl = { type: string | null; hasDefault: boolean; description: string | null };
    const opts = JSON.parse(fs.readFileSync(physical(r.stdout), 'utf8')) as Record<string, Decl | Record<string, Decl>>;
    const decls = (v: Decl | Record<string, Decl>): Decl[] => ('hasDefault' in v ? [v as Decl] : Object.values(v).flatMap((x) => decls(x)));
    for (const name of ISSUE_OPTIONS) {
      expect(decls(opts[name]!).length, name).toBeGreaterThan(0);
      for (const d of decls(opts[name]!)) {
        expect(d.type, name).toBeTruthy();
        expect(d.hasDefault, name).toBe(true);
        expect(d.description?.length ?? 0, name).toBeGreaterThan(10);
      }
    }
    expect((opts.extendingMakesDirs as Decl).type).toBe('list of string');
    expect((opts.jobs as Decl).type).toBe('attribute set of package');
  }, 240_000);

  it("every argument of makes' src/args reaches main.nix and makes.nix (attrPaths as makes' CLI gives it)", async () => {
    const [mod, main] = await Promise.all([m(inventory, ['.', '/moduleArgs']), m(inventory, ['.', '/mainArgs'])]);
    expect(mod.code, mod.stderr).toBe(0);
    expect(main.code, main.stderr).toBe(0);
    const moduleArgs = JSON.parse(fs.readFileSync(physical(mod.stdout), 'utf8')) as string[];
    const mainArgs = JSON.parse(fs.readFileSync(physical(main.stdout), 'utf8')) as { names: string[]; attrPaths: { attrs: string[] } };
    expect(MAKES_ARGS.filter((n) => !moduleArgs.includes(n))).toEqual([]);
    expect(MAKES_ARGS.filter((n) => !mainArgs.names.includes(n))).toEqual([]);
    expect(moduleArgs).toContain('options');
    expect(mainArgs.attrPaths).toEqual({ attrs: ['/makes/mainArgs/main.nix'] });
  }, 240_000);
});
