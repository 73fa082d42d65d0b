/**
 * nixpkgs' lib as `lib`, `__nixpkgs__.lib` and `inputs.nixpkgs.lib` (known values from nixpkgs,
 * and real Nix evaluating the same file as oracle), and the formatNix module, end to end with the
 * real CLI on a temp git repository with a private store.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, REPO_ROOT, hasNix, mIsBuilt, runCommand, runNix, type RunResult } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-envs-lib-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');

function m(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: project, env: { M_STORE: storeRoot, ...env }, timeoutMs: 240_000 });
}

function write(rel: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
  fs.writeFileSync(path.join(project, rel), text);
}

const LIB_CASES = `lib: with lib; {
  s1 = concatMapStringsSep "," toUpper [ "a" "b" ];
  s2 = splitString "." "a.b..c";
  s3 = [ (hasInfix "b.c" "ab.cd") (removeSuffix ".nix" "x.nix") (trim "  hi there \\n") (toInt " 42 ") ];
  s4 = [ (fixedWidthNumber 5 42) (makeBinPath [ "/a" "/b" ]) (escapeShellArgs [ "a b" "it's" ]) (intersperse "/" [ "x" "y" "z" ]) ];
  s5 = [ (versionOlder "1.2" "1.10") (versionAtLeast "2.0" "2.0") (getName "hello-2.10") (getVersion "hello-2.10") (escapeNixString "a\\\${b}") ];
  l1 = [ (foldr (a: b: a + b) 0 [ 1 2 3 ]) (foldl (a: b: a - b) 10 [ 1 2 ]) (range 2 5) (take 2 [ 1 2 3 ]) (drop 2 [ 1 2 3 ]) (last [ 1 2 ]) (init [ 1 2 3 ]) ];
  l2 = [ (unique [ 1 2 1 3 2 ]) (flatten [ 1 [ 2 [ 3 ] ] ]) (zipLists [ 1 2 ] [ "a" "b" "c" ]) (reverseList [ 1 2 3 ]) (imap1 (i: v: i * v) [ 5 6 ]) (count (x: x > 1) [ 1 2 3 ]) ];
  l3 = [ (findFirst (x: x > 1) null [ 1 2 3 ]) (subtractLists [ 2 ] [ 1 2 3 ]) (naturalSort [ "a10" "a2" "a1" ]) (sublist 1 2 [ 0 1 2 3 ]) (partition (x: x > 1) [ 1 2 3 ]) (groupBy (x: if x > 1 then "big" else "small") [ 1 2 3 ]) ];
  a1 = [ (attrByPath [ "a" "b" ] 0 { a.b = 7; }) (hasAttrByPath [ "a" "c" ] { a.b = 1; }) (setAttrByPath [ "x" "y" ] 1) (mapAttrs' (n: v: nameValuePair "\${n}_" (v + 1)) { a = 1; }) ];
  a2 = [ (recursiveUpdate { a.b = 1; a.c = 2; } { a.b = 3; d = 4; }) (filterAttrs (n: v: v > 1) { a = 1; b = 2; }) (genAttrs [ "x" "y" ] (n: n + n)) (collect isInt { a = 1; b.c = 2; d = "x"; }) (foldAttrs (n: a: [ n ] ++ a) [ ] [ { a = 2; } { a = 3; b = 1; } ]) ];
  a3 = [ (cartesianProductOfSets { a = [ 1 2 ]; b = [ "x" ]; }) (mapAttrsRecursive (p: v: builtins.concatStringsSep "." p) { a.b = 1; c = 2; }) (zipAttrs [ { a = 1; } { a = 2; b = 3; } ]) (concatMapAttrs (n: v: { "\${n}1" = v; }) { a = 1; }) ];
  t1 = [ (pipe 2 [ (x: x + 1) (x: x * 3) ]) (boolToString true) (mod 7 3) (fix (self: { a = 1; b = self.a + 1; })).b ((makeExtensible (self: { a = 1; b = self.a + 1; })).extend (final: prev: { a = 10; })).b ];
  m1 = (evalModules { modules = [
    { options.x = mkOption { type = types.int; default = 1; }; options.l = mkOption { type = types.listOf types.str; default = [ ]; }; }
    { config.x = mkForce 5; config.l = [ "a" ]; }
    { l = mkBefore [ "z" ]; }
  ]; }).config;
  ns = [ (lib.strings.toLower "AB") (lib.lists.optional true 1) (lib.attrsets.attrVals [ "a" ] { a = 1; }) (lib.trivial.id 3) (lib.types.str.check "x") ];
}
`;

/** What nixpkgs' lib gives for LIB_CASES (from its documentation and source). */
const LIB_EXPECTED = {
  s1: 'A,B',
  s2: ['a', 'b', '', 'c'],
  s3: [true, 'x', 'hi there', 42],
  s4: ['00042', '/a/bin:/b/bin', "'a b' 'it'\\''s'", ['x', '/', 'y', '/', 'z']],
  s5: [true, true, 'hello', '2.10', '"a\\${b}"'],
  l1: [6, 7, [2, 3, 4, 5], [1, 2], [3], 2, [1, 2]],
  l2: [[1, 2, 3], [1, 2, 3], [{ fst: 1, snd: 'a' }, { fst: 2, snd: 'b' }], [3, 2, 1], [5, 12], 2],
  l3: [2, [1, 3], ['a1', 'a2', 'a10'], [1, 2], { right: [2, 3], wrong: [1] }, { big: [2, 3], small: [1] }],
  a1: [7, false, { x: { y: 1 } }, { a_: 2 }],
  a2: [{ a: { b: 3, c: 2 }, d: 4 }, { b: 2 }, { x: 'xx', y: 'yy' }, [1, 2], { a: [2, 3], b: [1] }],
  a3: [[{ a: 1, b: 'x' }, { a: 2, b: 'x' }], { a: { b: 'a.b' }, c: 'c' }, { a: [1, 2], b: [3] }, { a1: 1 }],
  t1: [9, 'true', 1, 2, 11],
  m1: { l: ['z', 'a'], x: 5 },
  ns: ['ab', [1], [1], 3, true],
};

beforeAll(() => {
  write('makes.nix', '{ ... }: { formatNix = { enable = true; targets = [ "/nix" ]; }; }\n');
  write('lib-cases.nix', LIB_CASES);
  write('makes/lib/main.nix', `{ makeDerivation, lib, __nixpkgs__, inputs, ... }:
  let cases = import ../../lib-cases.nix __nixpkgs__.lib; in
  assert cases == import ../../lib-cases.nix lib;
  assert inputs.nixpkgs.lib.splitString "," "a,b" == [ "a" "b" ];
  makeDerivation {
    name = "lib";
    env.envCases = builtins.toJSON cases;
    builder = ''printf '%s' "$envCases" > $out'';
  }\n`);
  write('nix/messy.nix', 'let\n\tx = 1;   \r\n\n\n\n  y = 2;\nin x + y\n\n\n');
  write('nix/strings.nix', "{\n  s = ''\n    keep   \n  '';\n}\n");
  write('nix/clean.nix', '{ a = 1; }\n');

  execFileSync('git', ['init', '-q', '.'], { cwd: project });
  execFileSync('git', ['add', '-A'], { cwd: project });
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt())('makes: nixpkgs lib and formatNix', () => {
  it('m . lists /formatNix', async () => {
    const r = await m(['.']);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());
    expect(listed).toContain('/formatNix');
    expect(listed).toContain('/lib');
  }, 120_000);

  it("lib and __nixpkgs__.lib give nixpkgs lib's results (and real Nix agrees on the same file)", async () => {
    const r = await m(['.', '/lib']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.split('\n').find((l) => l.startsWith('/nix/store/'))!;
    const got = JSON.parse(fs.readFileSync(path.join(storeRoot, out.slice('/nix/store/'.length)), 'utf8'));
    expect(got).toEqual(LIB_EXPECTED);
    if (!hasNix) return;
    const expr = `import ${path.join(project, 'lib-cases.nix')} (import ${path.join(REPO_ROOT, 'packages/makes/nix/lib.nix')})`;
    const n = await runNix(['--eval', '--strict', '--json', '-E', expr]);
    expect(n.code, n.stderr).toBe(0);
    expect(JSON.parse(n.stdout)).toEqual(LIB_EXPECTED);
  }, 120_000);

  it('formatNix: CI mode fails with a diff; otherwise whitespace is normalised, strings kept', async () => {
    const ci = await m(['.', '/formatNix'], { CI: 'true' });
    expect(ci.code).not.toBe(0);
    expect(ci.stdout + ci.stderr).toContain('+  x = 1;');
    expect(fs.readFileSync(path.join(project, 'nix/messy.nix'), 'utf8')).toContain('\t');

    const r = await m(['.', '/formatNix']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(project, 'nix/messy.nix'), 'utf8')).toBe('let\n  x = 1;\n\n  y = 2;\nin x + y\n');
    expect(fs.readFileSync(path.join(project, 'nix/strings.nix'), 'utf8')).toBe("{\n  s = ''\n    keep   \n  '';\n}\n");
    expect(r.stdout + r.stderr).toContain('Left ./nix/strings.nix as it is');
  }, 180_000);
});
