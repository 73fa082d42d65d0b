/**
 * The framework's builtins, evaluated with @m/makes and built by @m/realise in the real sandbox
 * with bash and coreutils imported from the host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMError } from '@m/core';
import { type RealiseEvent, realise } from '@m/realise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MakesProject, openMakesProject } from '../src/index';
import { freshStore, makeProject, rmrf } from './helpers';

const { root, store } = freshStore('builtins');
let dir: string;
let project: MakesProject;

const files: Record<string, string> = {
  'data/a.txt': 'A\n',
  'data/sub/b.txt': 'B\n',
  'data/.git/HEAD': 'ref\n',
  'makes/drv/main.nix': `{ makeDerivation, inputs, ... }: makeDerivation {
    name = "drv";
    env = { envGreeting = "hi"; envTool = inputs.nixpkgs.grep; envFile = ../../data/a.txt; };
    builder = ''
      mkdir $out
      echo "$envGreeting" > $out/greeting
      echo "$PATH" > $out/path
      cat "$envFile" > $out/file
      test -x "$envTool/bin/grep"
      set +e; ( false ); echo "subshell=$?" > $out/errexit; set -e
      info an info line; warn a warning
      ( require_env_var envGreeting ) && echo ok > $out/require
      if ( require_env_var envMissing ) 2> $out/require-missing; then exit 1; fi
      mkdir src; echo s > src/f; copy src $out/copied; test -w $out/copied/f
      for o in nounset pipefail errexit; do shopt -qo $o && echo $o; done > $out/options
    '';
  }`,
  'makes/searchpaths/main.nix': `{ makeDerivation, inputs, ... }: makeDerivation {
    name = "search-paths";
    searchPaths = { bin = [ inputs.nixpkgs.grep ]; export = [ [ "envExported" "/some/dir" "/sub" ] ]; };
    builder = ''
      mkdir $out
      echo hello | grep -c hello > $out/count
      echo "$envExported" > $out/exported
      command -v grep > $out/which
    '';
  }`,
  'makes/badenv/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "bad"; env.notEnv = "x"; builder = "touch $out"; }`,
  'makes/failing/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "failing"; builder = ''echo first line; echo about to fail; error something went wrong''; }`,
  'makes/fixed/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "fixed"; sha256 = "SHA"; builder = "mkdir $out; echo fixed > $out/f"; }`,
  'makes/template/main.nix': `{ makeTemplate, ... }: makeTemplate {
    name = "greeting";
    replace = { __argName__ = "world"; __argCount__ = 3; };
    template = "Hello __argName__, __argCount__ times, & __argName__ again";
  }`,
  'makes/template-unused/main.nix': `{ makeTemplate, ... }: makeTemplate { name = "t"; replace.__argMissing__ = "x"; template = "nothing here"; }`,
  'makes/template-left/main.nix': `{ makeTemplate, ... }: makeTemplate { name = "t"; replace.__argName__ = "x"; template = "__argName__ and __argOther__"; }`,
  'makes/template-badname/main.nix': `{ makeTemplate, ... }: makeTemplate { name = "t"; replace.name = "x"; template = "name"; }`,
  'makes/bash/main.nix': `{ makeDerivation, toBashArray, toBashMap, toFileJson, ... }: makeDerivation {
    name = "bash-values";
    env = {
      envArray = toBashArray [ "a b" "it's" "c" ];
      envMap = toBashMap { x = "1 2"; "y z" = "q'uote"; };
      envJson = toFileJson "data.json" { list = [ 1 "two" ]; flag = true; };
    };
    builder = ''
      mkdir $out
      function load { source "$envArray/template" local arr; printf '<%s>\\n' "''\${arr[@]}" > $out/array; }
      load
      source "$envMap/template" map
      for k in "''\${!map[@]}"; do echo "$k=''\${map[$k]}"; done | sort > $out/map
      cp "$envJson" $out/json
    '';
  }`,
  'makes/project-path/main.nix': `{ makeDerivation, projectPath, inputs, ... }: makeDerivation {
    name = "project-path";
    searchPaths.bin = [ inputs.nixpkgs.findutils ];
    env.envData = projectPath "/data";
    builder = ''mkdir $out; cd "$envData"; find . -type f | sort > $out/files; basename "$envData" > $out/name'';
  }`,
  'makes/project-path-bad/main.nix': `{ projectPath, ... }: projectPath "data"`,
  'makes/uses-output/main.nix': `{ makeDerivation, outputs, ... }: makeDerivation {
    name = "uses-output";
    env.envOther = outputs."/template";
    builder = ''cp "$envOther/template" $out'';
  }`,
  'makes/host/main.nix': `{ inputs, ... }: inputs.nixpkgs.coreutils`,
};

beforeAll(() => {
  dir = makeProject('builtins', files);
  project = openMakesProject({ projectDir: dir, store });
});
afterAll(() => {
  store.close();
  rmrf(path.dirname(root));
  rmrf(dir);
});

async function build(name: string): Promise<{ out: string; events: RealiseEvent[] }> {
  const r = project.evalOutput(name);
  const events: RealiseEvent[] = [];
  if (r.drvPath) await realise([r.drvPath], { store, onEvent: (e) => events.push(e) });
  return { out: store.realPath(r.outPath), events };
}

function evalError(name: string): string {
  try {
    project.evalOutput(name);
  } catch (e) {
    if (isMError(e)) return e.message;
    throw e;
  }
  throw new Error(`${name} evaluated`);
}

async function buildError(name: string): Promise<string> {
  try {
    await build(name);
  } catch (e) {
    if (isMError(e)) return e.message;
    throw e;
  }
  throw new Error(`${name} built`);
}

const read = (p: string): string => fs.readFileSync(p, 'utf8');

describe('makeDerivation', () => {
  it('runs the builder under bash with set -euo pipefail, the helpers and PATH = coreutils', async () => {
    const { out, events } = await build('/drv');
    expect(read(`${out}/greeting`)).toBe('hi\n');
    expect(read(`${out}/path`)).toMatch(/^\/nix\/store\/[a-z0-9]{32}-coreutils-[^/:]+\/bin\n$/);
    expect(read(`${out}/file`)).toBe('A\n');
    expect(read(`${out}/errexit`)).toBe('subshell=1\n');
    expect(read(`${out}/require`)).toBe('ok\n');
    expect(read(`${out}/require-missing`)).toContain('[CRITICAL] Env var is required but is empty or not present: envMissing');
    expect(read(`${out}/copied/f`)).toBe('s\n');
    expect(read(`${out}/options`)).toBe('nounset\npipefail\nerrexit\n');
    const logs = events.filter((e) => e.type === 'log').map((e) => (e as { line: string }).line);
    expect(logs).toContain('[INFO] an info line');
    expect(logs).toContain('[WARNING] a warning');
  });

  it('adds searchPaths.bin to PATH and exports searchPaths.export', async () => {
    const { out } = await build('/searchpaths');
    expect(read(`${out}/count`)).toBe('1\n');
    expect(read(`${out}/exported`)).toBe('/some/dir/sub\n');
    expect(read(`${out}/which`)).toMatch(/-grep-[^/]+\/bin\/grep\n$/);
  });

  it('rejects env keys that do not start with env, naming the key', () => {
    expect(evalError('/badenv')).toContain("invalid env key 'notEnv'");
  });

  it('fails the build with the last log lines when the builder fails (error helper)', async () => {
    const msg = await buildError('/failing');
    expect(msg).toContain('failed with exit code 1');
    expect(msg).toContain('> about to fail');
    expect(msg).toContain('> [ERROR] something went wrong');
  });

  it('with sha256 is a fixed-output derivation', async () => {
    // First learn the hash from the mismatch, then build with it.
    const wrong = 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    fs.writeFileSync(path.join(dir, 'makes/fixed/main.nix'), files['makes/fixed/main.nix']!.replace('SHA', wrong));
    const p1 = openMakesProject({ projectDir: dir, store });
    const r1 = p1.evalOutput('/fixed');
    const d1 = (await import('@m/realise')).readStoreDerivation(store, r1.drvPath!);
    expect(d1.outputs.get('out')!.hashAlgo).toBe('r:sha256');
    const err = await realise([r1.drvPath!], { store }).then(() => '', (e: Error) => e.message);
    const got = /got:\s+(sha256[-:]\S+)/.exec(err)?.[1];
    expect(got, err).toBeDefined();
    fs.writeFileSync(path.join(dir, 'makes/fixed/main.nix'), files['makes/fixed/main.nix']!.replace('SHA', got!));
    const p2 = openMakesProject({ projectDir: dir, store });
    const r2 = p2.evalOutput('/fixed');
    await realise([r2.drvPath!], { store });
    expect(read(`${store.realPath(r2.outPath)}/f`)).toBe('fixed\n');
  });
});

describe('makeTemplate', () => {
  it('replaces every placeholder', async () => {
    const { out } = await build('/template');
    expect(read(`${out}/template`)).toBe('Hello world, 3 times, & world again\n');
  });
  it('fails when a placeholder of replace is not in the template', async () => {
    expect(await buildError('/template-unused')).toContain('[ERROR] Argument is not being used: __argMissing__');
  });
  it('fails when a placeholder is left unreplaced', async () => {
    expect(await buildError('/template-left')).toContain('[ERROR] Some arguments are not being used: __argOther__');
  });
  it('rejects placeholder names not of the form __argName__', () => {
    expect(evalError('/template-badname')).toContain('invalid placeholder: name');
  });
});

describe('toBashArray, toBashMap, toFileJson', () => {
  it('define bash values and JSON files', async () => {
    const { out } = await build('/bash');
    expect(read(`${out}/array`)).toBe("<a b>\n<it's>\n<c>\n");
    expect(read(`${out}/map`)).toBe("x=1 2\ny z=q'uote\n");
    expect(JSON.parse(read(`${out}/json`))).toEqual({ flag: true, list: [1, 'two'] });
  });
});

describe('projectPath, outputs, inputs', () => {
  it('copies a project path into the store by content (without .git)', async () => {
    const { out } = await build('/project-path');
    expect(read(`${out}/files`)).toBe('./a.txt\n./sub/b.txt\n');
    expect(read(`${out}/name`)).toMatch(/^[a-z0-9]{32}-data\n$/);
  });
  it('requires a leading /', () => {
    expect(evalError('/project-path-bad')).toContain('projectPath arguments must start with: /, currently it is: data');
  });
  it('gives other outputs of the project', async () => {
    const { out } = await build('/uses-output');
    expect(read(out)).toBe('Hello world, 3 times, & world again\n');
  });
  it('gives host packages as store paths needing no build', () => {
    const r = project.evalOutput('/host');
    expect(r.drvPath).toBeUndefined();
    expect(r.outPath).toMatch(/-coreutils-/);
    expect(fs.existsSync(`${store.realPath(r.outPath)}/bin/ls`)).toBe(true);
  });
});
