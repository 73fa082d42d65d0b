/**
 * The evaluator's fast paths (layered `//` maps, toJSON scalar and float shortcuts) give the
 * same answers as real Nix. One nix-instantiate run per expression.
 */
import { describe, expect, it } from 'vitest';
import { mEval, nixEval } from './builtins-harness';

const mkSet = (prefix: string, n: number, v: string) =>
  `(builtins.listToAttrs (builtins.genList (i: { name = "${prefix}\${toString i}"; value = ${v}; }) ${n}))`;

const cases: string[] = [
  // a long run of small updates of a big set: layering, geometric layer merging, flattening
  `let r = builtins.foldl' (acc: i: acc // { "k\${toString (builtins.bitAnd i 15)}" = i; "a\${toString (i * 7)}" = -i; }) ${mkSet('a', 300, 'i')} (builtins.genList (x: x) 200);
   in [ (builtins.length (builtins.attrNames r)) r.a0 r.a7 r.a299 r.k3 (r ? a1400) (r ? zz) (builtins.attrNames (builtins.removeAttrs r (builtins.genList (i: "a\${toString i}") 300))) (builtins.foldl' (a: b: a + b) 0 (builtins.attrValues r)) ]`,
  // small set under a big one and big under small; both directions of overlap
  `let big = ${mkSet('b', 200, 'i')}; small = { b5 = "s"; x = 1; };
   in [ (builtins.attrNames (small // big) == builtins.attrNames (big // small)) (small // big).b5 (big // small).b5 (builtins.length (builtins.attrNames (small // big // small // big // { y = 2; }))) ]`,
  // layered sets through builtins that iterate or copy them
  `let s = ${mkSet('c', 100, 'i * i')} // { c3 = 0; d = 1; } // { e = 2; } // { c4 = -1; };
   in [ (builtins.mapAttrs (n: v: v + 1) s).c3 (builtins.intersectAttrs { c4 = null; e = null; q = null; } s) (builtins.toJSON (builtins.removeAttrs s (builtins.genList (i: "c\${toString (i + 5)}") 95))) (builtins.length (builtins.attrValues s)) (s == (builtins.removeAttrs s [ ]) ) ({ inherit (s) c99 e; }) ]`,
  // toJSON: scalars, escapes, floats on both sides of the %g fast path
  `builtins.toJSON { a = "plain"; b = "q\\"uote\\\\ \\n tab\\t ü €"; c = [ 0.5 0.1 1.0e-4 9.99999e-5 123456.0 999999.5 1234567.0 (-2.5) 3.14159265 1.0e20 ]; d = null; e = true; f = 42; g = { h = 1.5; }; }`,
  `builtins.fromJSON (builtins.toJSON (builtins.genList (i: { id = i; x = i * 2; f = 0.25; s = "r-\${toString i}"; }) 50))`,
  // fromJSON's fast path (json-fast.ts) and the cases it leaves to the full parser
  `let v = builtins.fromJSON ''{"a":"x\\/y\\b\\f\\n\\"q\\\\","n":[0,-0,123456789012345,1234567890123456,123456789012345678,1234567890123456789,-123456789012345678,18446744073709551615,1E+2,0.0,-1.5e-3,2e-400],"__proto__":1,"10":2,"2":3,"é€":"ü😀","t":[true,false,null,{}],"a":"dup"}''; in [ v (builtins.attrNames v) ]`,
  `builtins.fromJSON " \t\n\r[ 1 , { \"k\" : [ ] } ] \n"`,
  `builtins.fromJSON ''"\\u0041\\u0000b"''`,
  `builtins.fromJSON "\u{feff}[1]"`,
  `builtins.tryEval (builtins.fromJSON "01")`,
  `builtins.fromJSON "[1,]"`,
  `builtins.fromJSON "[truex]"`,
  `builtins.fromJSON ''{"a":"tab	here"}''`,
  // toJSON sorts names in UTF-8 byte order (astral characters after U+FFxx)
  `builtins.toJSON { "｡" = 1; "😀" = 2; "a" = 3; "Z" = 4; "é" = 5; }`,
];

describe('fast paths agree with nix-instantiate', () => {
  for (const src of cases) {
    it(src.slice(0, 70).replace(/\s+/g, ' '), () => {
      expect(mEval(src)).toBe(nixEval(src));
    });
  }
});
