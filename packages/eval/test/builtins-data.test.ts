import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareWithNix, mkTestEvaluator } from './builtins-harness';
import { valueToXML } from '../src/to-xml';
import { parse } from '@m/lang';
import { evalExpr } from '../src/eval';

mkdirSync('/tmp/m-builtins-fixture', { recursive: true });
writeFileSync('/tmp/m-builtins-fixture/file.txt', 'hello\n');
const F = '/tmp/m-builtins-fixture/file.txt';

compareWithNix('data', 'fromJSON', {
  ok: [
    'builtins.fromJSON "{\\"a\\": [1, 2.5, null, true, false, \\"s\\"]}"',
    'builtins.fromJSON "{\\"a\\":1,\\"a\\":2}"',
    'builtins.fromJSON "\\"\\\\u00e9\\\\ud83d\\\\ude00\\\\n\\""',
    'builtins.fromJSON "18446744073709551615"',
    'builtins.fromJSON "184467440737095516150"',
    'builtins.fromJSON "-9223372036854775808"',
    'builtins.fromJSON "1.0"',
    'builtins.fromJSON "-0"',
    'builtins.fromJSON "1e3"',
    'builtins.fromJSON " [ ] "',
    'builtins.fromJSON "{}"',
    'builtins.fromJSON "{\\"b\\":{\\"c\\":[[],{}]},\\"a b\\":1}"',
    // keys reused across objects (same first character and length, other text), integers by digits
    'builtins.fromJSON "[{\\"ab\\":1,\\"ac\\":-12,\\"b\\":2},{\\"ac\\":3,\\"ab\\":4,\\"b\\":-0},{\\"a\\\\\\"c\\":1,\\"\\":2},{\\"\\":3,\\"ab\\":[999999999999999,-999999999999999,1000000000000000,0,-7]}]"',
  ],
  err: [
    'builtins.fromJSON "[1,"',
    'builtins.fromJSON ""',
    'builtins.fromJSON "{\\"a\\" 1}"',
    'builtins.fromJSON "tru"',
    'builtins.fromJSON "1e400"',
    'builtins.fromJSON "[1] x"',
    'builtins.fromJSON 1',
  ],
});

compareWithNix('data', 'toJSON', {
  ok: [
    'builtins.toJSON {a = [1 2.5 null true "s\\n"]; b = {outPath = "x";}; c = {__toString = s: "y";};}',
    'builtins.toJSON [1.5 1.0e20 0.1 1.0e-7 123456789.0 (1 / 3.0) (-0.0)]',
    'builtins.toJSON "\\u0001\\t\\r\\"\\\\é"',
    'builtins.toJSON {}',
    'builtins.toJSON []',
    'builtins.toJSON { "a b" = 1; "" = 2; }',
    'builtins.toJSON { outPath = { outPath = 1; }; }',
    `builtins.toJSON ${F}`,
    `builtins.toJSON { p = ${F}; }`,
    `builtins.getContext (builtins.toJSON [ "\${${F}}" { a = ${F}; } ])`,
    'builtins.toJSON (builtins.fromJSON "{\\"x\\":[1,{\\"y\\":null}]}")',
    'let d = derivation {name="x"; builder="/bin/sh"; system="x86_64-linux";}; in [(builtins.toJSON d) (builtins.getContext (builtins.toJSON { inherit d; }))]',
    // sets of one size with the same names in another order, and other names (the names cache)
    'builtins.toJSON [ { b = 1; a = 2; } { a = 1; b = 2; } { c = 1; d = 2; } (builtins.fromJSON "{\\"b\\":1,\\"a\\":2}") (builtins.listToAttrs [ { name = "z"; value = 1; } { name = "a"; value = 2; } ]) { c = { y = 1; x = 2; }; d = 3; } ]',
    // output built in a growing byte buffer: long and short pieces, ASCII and not, escaped bytes
    'builtins.toJSON (builtins.genList (i: { "k\u00e9${toString i}" = "v${toString i} \u00e9\u00e9 \u20ac ${builtins.concatStringsSep "" (builtins.genList (j: "abcdefgh") i)}"; n = i * 1000003; }) 40)',
    'builtins.toJSON [ "${builtins.concatStringsSep "" (builtins.genList (j: "0123456789") 100)}" "\u00e9" "😀 ${builtins.concatStringsSep "-" (builtins.genList toString 30)}" ]',
    'let j = builtins.toJSON [ (builtins.substring 0 1 "\u00e9") (builtins.substring 1 1 "\u00e9") "x${builtins.substring 0 1 "\u00e9"}${builtins.substring 1 1 "\u00e9"}y" ]; in [ (builtins.stringLength j) (builtins.hashString "sha256" j) ]',
  ],
  err: [
    'builtins.toJSON (x: x)',
    'builtins.toJSON { a = builtins.map; }',
    'builtins.toJSON [ (throw "boom") ]',
    'builtins.toJSON { __toString = s: {}; }',
    'builtins.toJSON { __toString = s: 1; }',
  ],
});

compareWithNix('data', 'fromTOML', {
  ok: [
    'fromTOML "a = 1\\n[b]\\nc = \\"x\\""',
    'fromTOML "x = [1, \\"a\\"]\\n[[t]]\\ny=1\\n[[t]]\\ny=2"',
    'fromTOML "a.b.c = true\\nf = 1.5\\ng = -0.0\\nh = 1e3"',
    'fromTOML "s = \'\'\'\\nraw\\\\n\'\'\'\\nt = \\"\\"\\"\\nml\\\\\\n  x\\"\\"\\""',
    'fromTOML "i = { a = 1, b = [ ] }"',
    'fromTOML ""',
    'builtins.fromTOML "hex = 0xff\\noct = 0o17\\nbin = 0b101\\nu = 1_000"',
  ],
  err: [
    'fromTOML "a = "',
    'fromTOML "a = 1979-05-27"',
    'fromTOML "a = 1\\na = 2"',
    'fromTOML 1',
  ],
});

compareWithNix('data', 'toXML', {
  ok: [
    'builtins.toXML [1 "a" 1.5 null true ./foo]',
    'builtins.toXML {a = x: x; b = {y, z ? 1, ...}@q: y; c = builtins.map; d = { y }: y;}',
    'builtins.toXML {d = {type = "derivation"; drvPath = "/x.drv"; outPath = "/o"; name = "n";}; e = [{type = "derivation"; name = "q";}];}',
    'builtins.toXML (let d = {type = "derivation"; drvPath = "/x.drv"; outPath = "/o";}; in [d d { inherit d; }])',
    'builtins.toXML "x\\"<&>\\n\'y"',
    'builtins.toXML { __toString = s: "x"; }',
    'builtins.toXML [ (1.0 / 3) 1.0e20 (-0.0) ]',
    `builtins.getContext (builtins.toXML ["\${${F}}"])`,
    `builtins.toXML ${F}`,
    'let d = derivation {name="x"; builder="/bin/sh"; system="x86_64-linux";}; in builtins.toXML [d d]',
    'let d = derivation {name="x"; builder="/bin/sh"; system="x86_64-linux";}; in builtins.getContext (builtins.toXML d)',
  ],
  err: ['builtins.toXML [ (throw "boom") ]', 'builtins.toXML { a = abort "x"; }'],
});

describe('valueToXML with locations (for --xml)', () => {
  it('writes attribute and lambda positions for a file', () => {
    const dir = '/tmp/m-builtins-fixture';
    const file = `${dir}/xml.nix`;
    writeFileSync(file, '{\n  a = 1;\n  f = { x, ... }: x;\n  l = [ (y: y) ];\n}\n');
    const ev = mkTestEvaluator();
    const out = ev.run(() => {
      const r = parse(readFileSync(file, 'utf8'), { file, basePath: dir, scope: ev.baseScope });
      const v = evalExpr(r.ast!, ev.state.baseEnv);
      return valueToXML(v, { strict: true, location: true }, new Set());
    });
    expect(out).toBe(
      [
        "<?xml version='1.0' encoding='utf-8'?>",
        '<expr>',
        '  <attrs>',
        `    <attr column="3" line="2" name="a" path="${file}">`,
        '      <int value="1" />',
        '    </attr>',
        `    <attr column="3" line="3" name="f" path="${file}">`,
        `      <function column="7" line="3" path="${file}">`,
        '        <attrspat ellipsis="1">',
        '          <attr name="x" />',
        '        </attrspat>',
        '      </function>',
        '    </attr>',
        `    <attr column="3" line="4" name="l" path="${file}">`,
        '      <list>',
        `        <function column="10" line="4" path="${file}">`,
        '          <varpat name="y" />',
        '        </function>',
        '      </list>',
        '    </attr>',
        '  </attrs>',
        '</expr>',
        '',
      ].join('\n'),
    );
  });
});
