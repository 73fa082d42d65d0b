/**
 * Hostile inputs to the evaluator (`m instantiate --eval --strict -E …`), run through the real
 * CLI: integer overflow, division, JSON/TOML garbage, recursion, huge lists, regex backtracking,
 * invalid derivation and output names, type confusion, syntax garbage, fetchTarball of hostile
 * tarballs. Each case is refused with `error:` (and a position where Nix gives one), exit 1,
 * no JS stack, no hang, nothing written outside the store; where Nix 2.8 has an answer, m's exit
 * status and first error line are the same.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { hasJsStackTrace, hasNix, mIsBuilt } from '../lib/run';
import { attempt } from './attempt';
import { type Expect, expectRefused, expectSameAsNix, nixStr, RUN_TIMEOUT_MS, runMIn, snapshot, workDir } from './inputs-helpers';

const w = workDir('m-hostile-eval-');
let before: string[] = [];
beforeAll(() => {
  buildTarballs();
  before = snapshot(w.dir, ['m-store']);
});
afterAll(() => w.cleanup());

const CASE_TIMEOUT = 2 * RUN_TIMEOUT_MS + 10_000;

/** How to compare with Nix: 'same' = exit status and first error line; 'code' = exit status only. */
type Oracle = 'same' | 'code' | 'none';
type Case = [name: string, expr: string, expect?: Expect & { nix?: Oracle }];

async function evalRefused(expr: string, e: Expect & { nix?: Oracle } = {}): Promise<void> {
  const args = ['--eval', '--strict', '-E', expr];
  const r = await runMIn(['instantiate', ...args], w);
  expectRefused(r, e);
  const oracle = e.nix ?? 'same';
  if (oracle !== 'none' && hasNix) await expectSameAsNix(r, args, w.dir, oracle === 'same');
  expect(snapshot(w.dir, ['m-store'])).toEqual(before);
}

async function evalAccepted(expr: string, want?: string): Promise<void> {
  const args = ['--eval', '--strict', '-E', expr];
  const r = await runMIn(['instantiate', ...args], w);
  expect(hasJsStackTrace(r.stderr), r.stderr).toBe(false);
  expect(r.code, r.stderr).toBe(0);
  if (want !== undefined) expect(r.stdout).toBe(`${want}\n`);
  if (hasNix) await expectSameAsNix(r, args, w.dir);
  expect(snapshot(w.dir, ['m-store'])).toEqual(before);
}

function refusals(group: string, cases: Case[]): void {
  for (const [name, expr, e] of cases) attempt('input', `${group}: ${name}`, () => evalRefused(expr, e), CASE_TIMEOUT);
}

const MIN = '(-9223372036854775807 - 1)';
const MAX = '9223372036854775807';
const fj = (s: string): string => `builtins.fromJSON ${nixStr(s)}`;
const ft = (s: string): string => `builtins.fromTOML ${nixStr(s)}`;
const drv = (attrs: string): string => `derivation ({ name = "x"; system = "x86_64-linux"; builder = "/bin/sh"; } // ${attrs})`;

describe.skipIf(!mIsBuilt()).concurrent('hostile inputs: evaluator', () => {
  // ---- 64-bit integers: Nix wraps on + - * (two's complement) and refuses what does not fit
  const wraps: [string, string, string][] = [
    ['max + 1 wraps to min', `${MAX} + 1`, '-9223372036854775808'],
    ['min - 1 wraps to max', `${MIN} - 1`, MAX],
    ['max * 2 wraps', `${MAX} * 2`, '-2'],
    ['builtins.add max max', `builtins.add ${MAX} ${MAX}`, '-2'],
    ['builtins.mul 2^62 2', 'builtins.mul 4611686018427387904 2', '-9223372036854775808'],
    ['builtins.sub min 1', `builtins.sub ${MIN} 1`, MAX],
    ['negating min stays min', `0 - ${MIN}`, '-9223372036854775808'],
    ['3^64 by repeated multiplication', `builtins.foldl' builtins.mul 1 (builtins.genList (x: 3) 64)`, ''],
    ['bitXor max -1', `builtins.bitXor ${MAX} (-1)`, '-9223372036854775808'],
    ['bitAnd -1 max', `builtins.bitAnd (-1) ${MAX}`, MAX],
    ['lessThan max min', `builtins.lessThan ${MAX} ${MIN}`, 'false'],
    ['fromJSON of max int', fj(MAX), MAX],
    ['fromJSON of max+1 becomes a float', fj('9223372036854775808'), ''],
    ['fromJSON of min-1 becomes a float', fj('-9223372036854775809'), ''],
    ['fromTOML of an integer beyond 64 bits saturates', ft('a = 99999999999999999999'), `{ a = ${MAX}; }`],
    ['toJSON of max int', `builtins.toJSON ${MAX}`, `"${MAX}"`],
    ['substring of max length', `builtins.substring 0 ${MAX} "abc"`, '"abc"'],
    ['substring with negative length', 'builtins.substring 1 (-1) "abc"', '"bc"'],
    ['float overflow to infinity', '1.0e308 * 10', ''],
    ['fromJSON underflow to zero', fj('1e-400'), ''],
    ['replaceStrings with an empty pattern', 'builtins.replaceStrings [""] ["x"] "abc"', '"xaxbxcx"'],
    ['ten million characters', 'builtins.stringLength (builtins.concatStringsSep "" (builtins.genList (x: "aaaaaaaaaa") 1000000))', '10000000'],
    ['elemAt 2^32 selects element 0 (32-bit index, as Nix)', 'builtins.elemAt [ 1 ] 4294967296', '1'],
    ['sum of a million integers', "builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 1000000)", '499999500000'],
  ];
  for (const [name, expr, want] of wraps) {
    attempt('input', `overflow/limits like Nix: ${name}`, () => evalAccepted(expr, want === '' ? undefined : want), CASE_TIMEOUT);
  }

  refusals('integers', [
    ['min / -1 overflows', `${MIN} / (-1)`, { msg: /overflow in integer division/ }],
    ['builtins.div min -1', `builtins.div ${MIN} (-1)`, { msg: /overflow in integer division/ }],
    ['division by zero', '1 / 0', { msg: /division by zero/ }],
    ['builtins.div by zero', 'builtins.div 5 0', { msg: /division by zero/ }],
    ['float division by zero', '1.0 / 0', { msg: /division by zero/ }],
    ['literal 2^63', '9223372036854775808', { msg: /invalid integer/ }],
    ['literal of 23 digits', '99999999999999999999999', { msg: /invalid integer/ }],
    ['elemAt -1', 'builtins.elemAt [ 1 2 ] (-1)', { msg: /out of bounds/ }],
    // Regression: Nix 2.8 truncates the index to a C int, so 2^63-1 is reported as -1.
    ['elemAt 2^63-1 (index truncated to 32 bits, as Nix)', `builtins.elemAt [ 1 ] ${MAX}`, { msg: /list index -1 is out of bounds/ }],
    ['substring from -1', 'builtins.substring (-1) 2 "abc"', { msg: /negative start position/ }],
    ['genList of -1', 'builtins.genList (x: x) (-1)', { msg: /cannot create list of size -1/ }],
    // Nix runs out of heap ("GC Warning: Out of Memory"); m refuses cleanly.
    ['genList of 2^63-1 elements', `builtins.genList (x: x) ${MAX}`, { msg: /list/, nix: 'none' }],
    ['genList of 10^11 elements', 'builtins.genList (x: x) 100000000000', { msg: /list/, nix: 'none' }],
  ]);

  // ---- fromJSON / fromTOML garbage (Nix prints no position for these)
  const json = ['{', '[1,2', 'nul', '', '1e400', '"\\ud800"', '{"a":1,}', '[1,]', '01', '.5', '"abc', '{"a" 1}', 'tru', '"\\x"', '"a\u0001b"', '1 2', '{"a":1}{}', 'NaN', 'Infinity', '-', '[' .repeat(1000), '{"a":' .repeat(500), '"\\u12"', '\u00ff'];
  refusals('fromJSON garbage', json.map((s, i): Case => [`#${i} ${JSON.stringify(s.slice(0, 20))}`, fj(s), { pos: false, msg: /json\.exception|parse error/ }]));
  const toml = ['a = ', '[a', 'a = 1\na = 2', 'a = 1979-05-27T07:32:00Z', '= 1', 'a = "unterminated', 'a = [1, 2', '[[a]]\n[a]', 'a = 1 2', 'a.b = 1\na = 2', 'a = 0x', 'a = inf_', '"a = 1', 'a = {', 'a = 1\n[a]'];
  refusals('fromTOML garbage', toml.map((s, i): Case => [`#${i} ${JSON.stringify(s.slice(0, 20))}`, ft(s), { pos: false, msg: /while parsing a TOML string/, nix: 'code' }]));

  // ---- recursion
  refusals('recursion', [
    ['a function calling itself forever', 'let f = x: f x; in f 1', { msg: /stack overflow/, nix: 'code' }],
    ['a million nested additions', 'let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 1000000', { msg: /stack overflow/, nix: 'code' }],
    ['mutual recursion', 'let f = x: g x; g = x: f x; in f 1', { msg: /stack overflow/, nix: 'code' }],
    ['a value defined as itself', 'let x = x; in x', { msg: /infinite recursion/ }],
    ['an attribute defined through itself', 'rec { a = b; b = a; }.a', { msg: /infinite recursion/ }],
    ['fixed point of a growing string', 'let f = s: f (s + "a"); in f ""', { msg: /stack overflow/, nix: 'code' }],
    ['Y combinator', '(f: (x: f (x x)) (x: f (x x))) (g: n: g n) 1', { msg: /stack overflow/, nix: 'code' }],
    ['recursive with', 'let x = with x; a; in x', { msg: /infinite recursion/ }],
    ['self-referencing import via scopedImport', 'let f = builtins.scopedImport { } (builtins.toFile "f.nix" "x"); in f', { msg: /undefined variable/, nix: 'code' }],
  ]);

  // ---- regular expressions (Nix 2.8 backtracks for hours on these; m stops with an error)
  const as = (n: number): string => nixStr('a'.repeat(n));
  refusals('regex backtracking', [
    ['match (a*)*b on 40 a', `builtins.match "(a*)*b" ${as(40)}`, { msg: /regular expression '\(a\*\)\*b' needs more than/, nix: 'none' }],
    ['split (a*)*b on 40 a', `builtins.split "(a*)*b" ${as(40)}`, { msg: /regular expression/, nix: 'none' }],
    ['match (a|aa)*c on 60 a', `builtins.match "(a|aa)*c" ${as(60)}`, { msg: /regular expression/, nix: 'none' }],
    ['match (a+)+$ style on 40 a and a b', `builtins.match "(a+)+c" ${nixStr('a'.repeat(40) + 'b')}`, { msg: /regular expression/, nix: 'none' }],
  ]);
  refusals('regex syntax', [
    ['unbalanced (', 'builtins.match "(" "a"', { msg: /invalid regular expression/ }],
    ['unbalanced [', 'builtins.match "[a" "a"', { msg: /invalid regular expression/ }],
    ['bad repetition', 'builtins.match "a{2,1}" "a"', { msg: /invalid regular expression/ }],
    ['bare repetition', 'builtins.match "*" "a"', { msg: /invalid regular expression/ }],
    ['huge repetition', 'builtins.match "a{99999}" "a"', { msg: /memory limit exceeded/ }],
    ['nested huge repetition', 'builtins.match "(a{1000}){1000}" "a"', { msg: /memory limit exceeded|invalid regular expression/ }],
    ['unknown class', 'builtins.match "[[:nosuch:]]" "a"', { msg: /invalid regular expression/ }],
    ['split with a bad pattern', 'builtins.split "(" "a"', { msg: /invalid regular expression/ }],
  ]);

  // ---- derivation names and output names
  refusals('derivation names', [
    ['a space', drv('{ name = "a b"; }'), { msg: /illegal character ' '/, pos: false }],
    ['a slash', drv('{ name = "a/b"; }'), { msg: /illegal character '\/'/, pos: false }],
    ['empty', drv('{ name = ""; }'), { msg: /empty name/, pos: false }],
    ['a newline', drv('{ name = "a\\nb"; }'), { msg: /illegal character/, pos: false }],
    ['longer than 211 characters', drv(`{ name = "${'a'.repeat(300)}"; }`), { msg: /too long|name/, pos: false, nix: 'code' }],
    ['not a string', drv('{ name = 1; }'), { msg: /cannot coerce|expected a string|is an integer/, nix: 'code' }],
    ['missing', 'derivation { system = "x"; builder = "/bin/sh"; }', { msg: /attribute 'name' missing/, pos: false, nix: 'code' }],
    ['missing builder', 'derivation { name = "x"; system = "x"; }', { msg: /required attribute 'builder' missing/ }],
    ['missing system', 'derivation { name = "x"; builder = "/bin/sh"; }', { msg: /required attribute 'system' missing/ }],
  ]);
  refusals('output names', [
    ['.. in an output', drv('{ outputs = [ "../x" ]; }'), { msg: /illegal character '\/'/, pos: false }],
    ['a space in an output', drv('{ outputs = [ "a b" ]; }'), { msg: /missing|illegal/, nix: 'code' }],
    ['no outputs', drv('{ outputs = [ ]; }'), { msg: /out of bounds|output/ }],
    ['duplicate outputs', drv('{ outputs = [ "a" "a" ]; }'), { msg: /duplicate derivation output 'a'/ }],
    ['output named drv', drv('{ outputs = [ "drv" ]; }'), { msg: /invalid derivation output name 'drv'/ }],
    ['output not a string', drv('{ outputs = [ 1 ]; }'), { msg: /cannot coerce|expected a string|integer/, nix: 'code' }],
    ['outputs not a list', drv('{ outputs = "out"; }'), { msg: /list|cannot coerce/, nix: 'code' }],
    ['a newline in an output', drv('{ outputs = [ "a\\nb" ]; }'), { msg: /missing|illegal/, nix: 'code' }],
    ['outputHash garbage', drv('{ outputHash = "zzz"; outputHashAlgo = "sha256"; }'), { msg: /hash/, pos: false, nix: 'code' }],
    ['outputHashMode garbage', drv('{ outputHash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; outputHashMode = "weird"; }'), { msg: /outputHashMode/, nix: 'code' }],
    ['outputHashAlgo garbage', drv('{ outputHash = "abc"; outputHashAlgo = "md6"; }'), { msg: /hash/, pos: false, nix: 'code' }],
    ['toFile with a slash', 'builtins.toFile "a/b" "x"', { msg: /illegal character/, pos: false, nix: 'code' }],
    ['toFile with an empty name', 'builtins.toFile "" "x"', { msg: /empty name/, pos: false, nix: 'code' }],
  ]);

  // ---- type confusion
  refusals('types', [
    ['int + string', '1 + "a"', { msg: /cannot add a string to an integer/ }],
    ['string + int', '"a" + 1', { msg: /cannot coerce an integer to a string/ }],
    ['list ++ int', '[] ++ 1', { msg: /value is an integer while a list was expected/ }],
    ['getAttr on an int', 'builtins.getAttr "x" 1', { msg: /value is an integer while a set was expected/ }],
    ['bitAnd with a string', 'builtins.bitAnd 1 "x"', { msg: /value is a string while an integer was expected/ }],
    ['lessThan int string', 'builtins.lessThan 1 "a"', { msg: /cannot compare/, pos: false }],
    ['sort with a non-boolean comparator', 'builtins.sort (a: b: 1) [ 1 2 ]', { msg: /while a Boolean was expected/ }],
    ['genericClosure without key', 'builtins.genericClosure { startSet = [ { } ]; operator = x: [ ]; }', { msg: /attribute 'key' required/, pos: false, nix: 'code' }],
    ['genericClosure with mixed keys', 'builtins.genericClosure { startSet = [ { key = 1; } { key = "a"; } ]; operator = x: [ ]; }', { msg: /cannot compare/, pos: false }],
    ['listToAttrs with an int name', 'builtins.listToAttrs [ { name = 1; value = 2; } ]', { msg: /while a string was expected/ }],
    ['listToAttrs without name', 'builtins.listToAttrs [ { nam = "a"; value = 2; } ]', { msg: /attribute 'name' missing/ }],
    ['calling an int', '(x: x) 1 2', { msg: /attempt to call something which is not a function/ }],
    ['missing argument', '({ a }: a) { b = 1; }', { msg: /called without required argument 'a'/, nix: 'code' }],
    ['set pattern given an int', '({ a }: a) 1', { msg: /value is an integer while a set was expected/ }],
    ['coercing a set', '"${{ }}"', { msg: /cannot coerce a set to a string/ }],
    ['coercing a function', '"${x: x}"', { msg: /cannot coerce a function to a string/ }],
    ['toJSON of a function', 'builtins.toJSON (x: x)', { msg: /cannot convert a function to JSON/ }],
    ['unknown hash algorithm', 'builtins.hashString "md6" "x"', { msg: /unknown hash algorithm 'md6'/, nix: 'code' }],
    ['head of []', 'builtins.head [ ]', { msg: /out of bounds/ }],
    ['tail of []', 'builtins.tail [ ]', { msg: /'tail' called on an empty list/ }],
    ['abort', 'builtins.abort "boom"', { msg: /evaluation aborted/, nix: 'code' }],
    ['throw', 'throw "boom"', { msg: /boom/, nix: 'code' }],
    ['assert false', 'assert false; 1', { msg: /assertion 'false' failed/ }],
    ['duplicate attribute', '{ a = 1; a = 2; }', { msg: /attribute 'a' already defined/ }],
    ['duplicate nested attribute', '{ a.b = 1; a = 2; }', { msg: /attribute 'a' already defined/ }],
    ['undefined variable', 'nosuchvariable', { msg: /undefined variable 'nosuchvariable'/ }],
    ['toPath of a relative path', 'builtins.toPath "relative"', { msg: /doesn't represent an absolute path/ }],
    ['storePath outside the store', 'builtins.storePath /tmp', { msg: /is not in the Nix store/ }],
    ['appendContext garbage', 'builtins.appendContext "a" { "/nix/store/x" = { }; }', { msg: /./, nix: 'code' }],
    ['functionArgs of an int', 'builtins.functionArgs 1', { msg: /requires a function/, nix: 'code' }],
    ['mapAttrs of an int', 'builtins.mapAttrs 1 { a = 1; }', { msg: /not a function|function was expected/, nix: 'code' }],
    ['catAttrs over ints', 'builtins.catAttrs "a" [ 1 ]', { msg: /while a set was expected/ }],
    ['filter with a non-boolean', 'builtins.filter (x: 1) [ 1 ]', { msg: /while a Boolean was expected/ }],
    ['compareVersions with an int', 'builtins.compareVersions "1" 2', { msg: /while a string was expected/ }],
    ['findFile with a bad entry', 'builtins.findFile [ { path = 1; prefix = ""; } ] "x"', { msg: /./, nix: 'code' }],
    ['an unknown <path>', '<nonexistent>', { msg: /was not found in the Nix search path/, nix: 'code' }],
  ]);

  // ---- syntax garbage
  refusals('syntax', [
    ['unterminated string', '"abc', { msg: /syntax error/ }],
    ['unterminated indented string', "''abc", { msg: /syntax error/ }],
    ['unterminated interpolation', '"${1"', { msg: /syntax error/ }],
    ['stray }', '}', { msg: /syntax error/ }],
    ['let without in', 'let a = 1;', { msg: /syntax error/ }],
    ['100k open parentheses', '('.repeat(100_000), { msg: /syntax error, expressions nested too deeply/, nix: 'code' }],
    ['9,000 nested parentheses parse, as in Nix', `${'('.repeat(9_000)}1${')'.repeat(9_000)} + {}`, { msg: /cannot add a set to an integer/, nix: 'code' }],
    ['20k nested sets', `${'{a='.repeat(20_000)}1${';}'.repeat(20_000)}.b`, { msg: /syntax error, expressions nested too deeply/, nix: 'code' }],
    ['9,000 nested sets (Nix: memory exhausted)', `${'{a='.repeat(9_000)}1${';}'.repeat(9_000)}.b`, { msg: /attribute 'b' missing/, nix: 'code' }],
    ['a 100k-character identifier', `${'x'.repeat(100_000)}`, { msg: /undefined variable/, nix: 'code' }],
    ['a control character', 'a\u0001b', { msg: /syntax error|unexpected/, nix: 'code' }],
    ['a lone backslash', '\\', { msg: /syntax error|unexpected/, nix: 'code' }],
    ['a path ending in a slash', './a/', { msg: /path has a trailing slash/, nix: 'code' }],
    ['a URI with garbage', 'http://[x', { msg: /syntax error|unexpected/, nix: 'code' }],
    ['a dangling dot', '{ }.', { msg: /syntax error/ }],
    ['unicode operator lookalike', '1 − 2', { msg: /syntax error|unexpected/, nix: 'code' }],
    ['inherit from nothing', '{ inherit (); }', { msg: /syntax error/ }],
    ['a float exponent without digits', '1e', { msg: /syntax error|undefined variable/, nix: 'code' }],
    ['dynamic attribute of an int', '{ ${"1"} = 1; }.${1}', { msg: /while a string was expected/, pos: false, nix: 'code' }],
  ]);

  // ---- files that are not what they should be
  refusals('files', [
    ['import of a missing file', 'import ./nonexistent.nix', { msg: /No such file or directory/, pos: false, nix: 'code' }],
    ['import of /dev/null', 'import /dev/null', { msg: /syntax error, unexpected end of file/ }],
    ['readFile of a directory', 'builtins.readFile /tmp', { msg: /Is a directory/, pos: false, nix: 'code' }],
    ['readFile of a missing file', 'builtins.readFile /nonexistent', { msg: /No such file or directory/, pos: false }],
    ['readDir of a file', 'builtins.readDir /etc/passwd', { msg: /Not a directory/, pos: false }],
    ['import of a directory without default.nix', 'import ./.', { msg: /default\.nix.*No such file|No such file/, pos: false, nix: 'code' }],
    ['path of a missing file', 'builtins.path { path = ./nonexistent; }', { msg: /No such file or directory|does not exist/, pos: false, nix: 'code' }],
    ['filterSource of a missing directory', 'builtins.filterSource (p: t: true) ./nonexistent', { msg: /No such file or directory|does not exist/, pos: false, nix: 'code' }],
    ['a path name with a space', 'builtins.path { path = ./tarballs; name = "a b"; }', { msg: /illegal character|invalid/, pos: false, nix: 'code' }],
    ['a path name with a slash', 'builtins.path { path = ./tarballs; name = "a/b"; }', { msg: /illegal character|invalid/, pos: false, nix: 'code' }],
  ]);

  // ---- hostile tarballs given to fetchTarball: refused, nothing lands outside the store
  const tarball = (f: string): string => `file://${path.join(w.dir, 'tarballs', f)}`;
  const tarballCases: [string, string, RegExp][] = [
    ['a member with ..', 'dotdot.tar.gz', /Path contains '\.\.'/],
    ['an absolute member', 'abs.tar.gz', /unexpected number of top-level files|absolute/],
    ['a member written through a symlink to a host folder', 'symdir.tar.gz', /Cannot extract through symlink/],
    ['a hard link to a host file', 'hard.tar.gz', /Hard-link target/],
    ['garbage', 'garbage.tar.gz', /./],
    ['a truncated gzip stream', 'trunc.tar.gz', /./],
    ['an empty file', 'empty.tar.gz', /./],
    ['two top-level entries', 'two.tar.gz', /unexpected number of top-level files/],
    ['a missing file', 'missing.tar.gz', /./],
  ];
  for (const [name, file, msg] of tarballCases) {
    for (const call of ['builtins.fetchTarball', 'fetchTarball', 'builtins.fetchTarball { url = ']) {
      const expr = call.endsWith('= ') ? `${call}${nixStr(tarball(file))}; }` : `${call} ${nixStr(tarball(file))}`;
      attempt('input', `fetchTarball: ${name} (${call.trim()})`, async () => {
        await evalRefused(expr, { msg, pos: false, nix: 'code' });
        expect(fs.readdirSync(path.join(w.dir, 'watched'))).toEqual([]);
      }, CASE_TIMEOUT);
    }
  }
  attempt('input', 'fetchTarball: a setuid member is stored without its setuid bit', async () => {
    const r = await runMIn(['instantiate', '--eval', '-E', `builtins.fetchTarball ${nixStr(tarball('setuid.tar.gz'))}`], w);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as string;
    const physical = path.join(w.store, path.basename(out), 's');
    expect(fs.statSync(physical).mode & 0o7777).toBe(0o555);
  }, CASE_TIMEOUT);
});

interface Member {
  name: string;
  type?: 'file' | 'symlink' | 'hardlink';
  link?: string;
  mode?: number;
  data?: string;
}

/** A gzip-compressed ustar archive of `members`, written byte by byte (no tool refuses to). */
function tarGz(members: Member[]): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const data = Buffer.from(m.type && m.type !== 'file' ? '' : (m.data ?? 'x'));
    const h = Buffer.alloc(512);
    const field = (off: number, len: number, v: string): void => void h.write(v.slice(0, len), off, 'latin1');
    const octal = (off: number, len: number, v: number): void => field(off, len, `${v.toString(8).padStart(len - 1, '0')}\0`);
    field(0, 100, m.name);
    octal(100, 8, m.mode ?? 0o644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, data.length);
    octal(136, 12, 0);
    field(156, 1, m.type === 'symlink' ? '2' : m.type === 'hardlink' ? '1' : '0');
    field(157, 100, m.link ?? '');
    field(257, 8, 'ustar\u000000');
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Hostile tarballs and a symlink loop in the work folder. */
function buildTarballs(): void {
  const dir = path.join(w.dir, 'tarballs');
  const watched = path.join(w.dir, 'watched');
  fs.mkdirSync(dir);
  fs.mkdirSync(watched);
  fs.symlinkSync('loop2', path.join(w.dir, 'loop1'));
  fs.symlinkSync('loop1', path.join(w.dir, 'loop2'));
  const put = (name: string, members: Member[]): void => fs.writeFileSync(path.join(dir, name), tarGz(members));
  put('dotdot.tar.gz', [{ name: 'top/ok' }, { name: `top/${'../'.repeat(16)}${watched.slice(1)}/pwned-dotdot` }]);
  put('abs.tar.gz', [{ name: 'top/ok' }, { name: `${watched}/pwned-abs` }]);
  put('symdir.tar.gz', [{ name: 'top/link', type: 'symlink', link: watched }, { name: 'top/link/pwned-sym' }]);
  put('hard.tar.gz', [{ name: 'top/ok' }, { name: 'top/h', type: 'hardlink', link: '/etc/hostname' }]);
  put('setuid.tar.gz', [{ name: 'top/s', mode: 0o4755 }]);
  put('two.tar.gz', [{ name: 'a/x' }, { name: 'b/x' }]);
  fs.writeFileSync(path.join(dir, 'garbage.tar.gz'), 'garbage');
  fs.writeFileSync(path.join(dir, 'trunc.tar.gz'), fs.readFileSync(path.join(dir, 'dotdot.tar.gz')).subarray(0, 100));
  fs.writeFileSync(path.join(dir, 'empty.tar.gz'), '');
}
