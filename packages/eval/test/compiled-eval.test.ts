/**
 * The compiled evaluator's fast paths (eval.ts: integer `+`/`-`/`*`/`<`, `a.b` selection, one- and
 * two-argument calls, lazy positions without thunks) and layered `//` (layered-map.ts) against
 * real `nix-instantiate --eval --strict` (Nix 2.8): each case is built so that the fast path and
 * its fallback both run.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { mEvaluation, nixEvaluation } from './nix-oracle';


/** A set of `n` attributes `<prefix>0 = 0; …`. */
const big = (prefix: string, n: number): string =>
  `(builtins.listToAttrs (builtins.genList (i: { name = "${prefix}\${toString i}"; value = i; }) ${n}))`;

const ok = [
  // integers: wrap-around like Nix's int64, and the fallbacks to floats and the builtins
  '[ (9223372036854775807 + 1) (-9223372036854775807 - 2) (4611686018427387904 * 4) (3 * 0.5) (1 - 0.5) (1 < 1.5) (1.5 < 1) (2 - 3) ]',
  '[ (builtins.add 1 2) (builtins.add 1.5 2) ((builtins.sub 10) 3) (builtins.lessThan 1 2) (builtins.mul 3) ]',
  'let f = n: if n < 1 then [ ] else [ n ] ++ f (n - 1); in f 5',
  'let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 15',
  // strings and paths through `+`
  '[ ("a" + "b") ("" + "") ("a" + toString 1) (/tmp + "/x") ("x" + toString /tmp/y/../z) ]',
  '[ ("${"a"}" + "b") ("a" + "${"b"}c") (builtins.stringLength ("é" + "ü")) ]',
  // selection: static, dynamic, default, nested, through functors
  'let s = { a = { b = 1; }; "c d" = 2; }; n = "a"; in [ s.a.b s.${n}.b s."c d" (s.x or 3) (s.a.x or 4) (s.a.b.c or 5) ]',
  'let f = { __functor = self: x: x + self.k; k = 1; }; in [ (f 1) (f 2) ]',
  // lazy positions: constants and variables are not thunks, unevaluated expressions are
  'let x = 1; y = throw "never"; in [ x (builtins.length [ y y ]) (builtins.isFunction (a: a)) ]',
  'let a = b; b = 1; in a',
  'let s = rec { a = 1; b = a + 1; __overrides = { a = 10; }; }; in [ s.a s.b ]',
  // formals: defaults see other formals, @-patterns, ellipsis
  'let f = { a, b ? a + 1, ... }@args: [ a b (builtins.attrNames args) ]; in [ (f { a = 1; }) (f { a = 1; b = 5; c = 0; }) ]',
  // with: nested, shadowed by let, forced once
  'let s = { a = 1; b = 2; }; in with s; with { b = 3; }; [ a b (let a = 4; in a) ]',
  // tryEval leaves a failing thunk usable (forced again, same error)
  'let x = throw "t"; in [ (builtins.tryEval x).success (builtins.tryEval x).success ]',
  // layered `//`: small // big, big // small, chains, names, positions
  `let b = ${big('a', 600)}; s = { a0 = -1; z = 0; } // b; in [ s.a0 s.z s.a599 (builtins.length (builtins.attrNames s)) (builtins.head (builtins.attrNames s)) ]`,
  `let b = ${big('a', 600)}; s = b // { a0 = -1; z = 0; }; in [ s.a0 s.z s.a599 (builtins.length (builtins.attrNames s)) (s ? a1) (s ? y) ]`,
  `let step = acc: i: { "p\${toString i}" = i; } // acc // { "q\${toString i}" = i; }; r = builtins.foldl' step ${big('a', 300)} (builtins.genList (x: x) 40); in [ (builtins.length (builtins.attrNames r)) r.p0 r.q39 r.a299 (builtins.attrValues r == builtins.map (n: r.\${n}) (builtins.attrNames r)) ]`,
  `let s = { x = 1; } // ${big('a', 200)}; in (builtins.unsafeGetAttrPos "x" s).line`,
];

const bad = [
  '1 + "a"',
  '"a" + 1',
  '1 - "a"',
  '"a" < 1',
  'let s = { a = 1; }; in s.b',
  'let s = { a = throw "in a"; }; in s.a',
  'let s = { a = { }; }; in s.a.b.c',
  'let f = { a }: a; in f { b = 1; }',
  'let f = { a }: a; in f { }',
  '(x: x) 1 2',
  'let x = 1; in x 2',
  'if 1 then 2 else 3',
  'let s = { inherit s; } // { x = 1; }; in s.s.y',
];

const execFileP = promisify(execFile);
const ours = mEvaluation('m-eval-compiled-');
const nix = nixEvaluation;

/** `throw`'s position is added by m (Nix 2.8 prints none), so only the message is compared there. */
const messageOnly = (src: string, out: string): string => (/\bthrow\b/.test(src) ? out.split('\n')[0] : out);

describe('compiled evaluator fast paths vs nix-instantiate --eval --strict', () => {
  it('values print identically', async () => {
    const { stdout } = await execFileP('nix-instantiate', ['--eval', '--strict', '-E', ...ok], { cwd: tmpdir() });
    const expected = stdout.split('\n').slice(0, -1).map((l) => l + '\n');
    const actual = ok.map(ours);
    expect(actual.map((a, i) => `${ok[i]}\n=> ${a}`)).toEqual(expected.map((x, i) => `${ok[i]}\n=> ${x}`));
  }, 60_000);

  it('errors have the same message and position', async () => {
    const expected = (await Promise.all(bad.map(nix))).map((x, i) => messageOnly(bad[i], x));
    const actual = bad.map((src) => messageOnly(src, ours(src)));
    expect(actual.map((a, i) => `${bad[i]}\n=> ${a}`)).toEqual(expected.map((x, i) => `${bad[i]}\n=> ${x}`));
  }, 60_000);
});
