/**
 * derivation / derivationStrict against real nix-instantiate: drvPath and outPath of many
 * derivations (dependencies, multiple outputs, fixed outputs in every hash encoding,
 * structured attrs, ignoreNulls, env stringification, sources, placeholders).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nixBase32Encode } from '@m/nix-compat';
import { mkStoreEvaluator, nixJson, ourJson } from './store-oracle';


const fix = mkdtempSync(join(tmpdir(), 'm-drv-fix-'));
mkdirSync(join(fix, 'src/sub'), { recursive: true });
writeFileSync(join(fix, 'src/a.txt'), 'hello\n');
writeFileSync(join(fix, 'src/sub/b.sh'), '#!/bin/sh\necho b\n', { mode: 0o755 });
writeFileSync(join(fix, 'file.txt'), 'flat file\n');

const h = (t: string) => {
  const b = createHash(t).update('x').digest();
  return { hex: b.toString('hex'), b32: nixBase32Encode(new Uint8Array(b)), sri: `${t}-${b.toString('base64')}` };
};
const md5 = h('md5');
const sha1 = h('sha1');
const sha256 = h('sha256');
const sha512 = h('sha512');

const D = (extra: string) => `derivation ({ name = "t"; builder = "/bin/sh"; system = "x86_64-linux"; } // { ${extra} })`;
const P = (d: string) => `(let d = ${d}; in [ d.drvPath d.outPath ])`;
const fod = (mode: string, algo: string, hash: string, name = 'fod') =>
  P(
    `derivation { name = "${name}"; builder = "/bin/sh"; system = "x86_64-linux"; outputHashMode = "${mode}"; ${
      algo === '' ? '' : `outputHashAlgo = "${algo}";`
    } outputHash = "${hash}"; }`,
  );

const cases: [string, string][] = [
  ['basic', P(D(''))],
  ['name with version', P(`derivation { name = "hello-2.1.1"; builder = "/bin/sh"; system = "x86_64-linux"; }`)],
  ['name with special chars', P(`derivation { name = "a+b=c?d_e.f-g"; builder = "b"; system = "s"; }`)],
  ['args', P(D(`args = [ "-c" "echo hi; exit 0" 42 ];`))],
  ['multiple outputs', `(let d = ${D('outputs = [ "out" "dev" "lib" ];')}; in [ d.drvPath d.outPath d.dev.outPath d.lib.outPath d.dev.drvPath d.outputName d.dev.outputName (map (x: x.outPath) d.all) ])`],
  ['dev first', `(let d = ${D('outputs = [ "dev" "out" ];')}; in [ d.drvPath d.outPath d.outputName d.out.outPath ])`],
  ['outputs as string env', P(D('outputs = [ "bin" "out" ];'))],
  ['env types', P(D(`i = 42; neg = -7; f = 1.5; t = true; fa = false; n = null; l = [ 1 "two" 3.0 true false null [ ] [ "x" [ "y" ] ] ]; s = "str";`))],
  ['float formatting', P(D(`f1 = 0.1; f2 = 1.0e20; f3 = 123456789.0; f4 = -2.5e-7;`))],
  ['escapes', P(D(`s = "tab\\there\\nnewline \\"quote\\" back\\\\slash \\$dollar"; u = "héllo ☃";`))],
  ['weird env key', P(D(`"foo bar" = "1"; "A-B" = "2";`))],
  ['toString set', P(D(`ts = { __toString = self: "custom"; }; op = { outPath = "/some/where"; };`))],
  ['dependency', `(let a = ${D('name = "a";')}; b = ${D('name = "b"; dep = a;')}; in [ b.drvPath b.outPath ])`],
  ['dependency in args', `(let a = ${D('name = "a";')}; b = ${D('name = "b"; args = [ "${a}/bin/x" ];')}; in [ b.drvPath b.outPath ])`],
  ['dependency on dev output', `(let a = ${D('name = "a"; outputs = [ "out" "dev" ];')}; b = ${D('name = "b"; dep = a.dev;')}; in [ b.drvPath b.outPath ])`],
  ['dependency on two outputs', `(let a = ${D('name = "a"; outputs = [ "out" "dev" ];')}; b = ${D('name = "b"; x = "${a.dev} ${a.out}";')}; in [ b.drvPath b.outPath ])`],
  ['drvPath dependency (closure)', `(let a = ${D('name = "a";')}; b = ${D('name = "b"; dep = a;')}; c = ${D('name = "c"; d = b.drvPath;')}; in [ c.drvPath c.outPath ])`],
  ['chain of three', `(let a = ${D('name = "a";')}; b = ${D('name = "b"; dep = a;')}; c = ${D('name = "c"; dep = b;')}; in [ c.drvPath c.outPath ])`],
  ['discarded output dependency', `(let a = ${D('name = "a";')}; b = ${D('name = "b"; d = builtins.unsafeDiscardOutputDependency a.drvPath;')}; in [ b.drvPath b.outPath ])`],
  ['discarded string context', `(let a = ${D('name = "a";')}; b = ${D('name = "b"; d = builtins.unsafeDiscardStringContext a.outPath;')}; in [ b.drvPath b.outPath ])`],
  ['builder from dependency', `(let a = ${D('name = "a";')}; b = derivation { name = "b"; builder = "\${a}/bin/sh"; system = "x86_64-linux"; }; in [ b.drvPath b.outPath ])`],
  ['fod flat sha256 base16', fod('flat', 'sha256', sha256.hex)],
  ['fod flat sha256 nixbase32', fod('flat', 'sha256', sha256.b32)],
  ['fod flat sha256 SRI', fod('flat', '', sha256.sri)],
  ['fod flat sha256 SRI with algo', fod('flat', 'sha256', sha256.sri)],
  ['fod flat sha256 prefixed', fod('flat', '', `sha256:${sha256.b32}`)],
  ['fod recursive sha256 base16', fod('recursive', 'sha256', sha256.hex)],
  ['fod recursive sha256 nixbase32', fod('recursive', 'sha256', sha256.b32)],
  ['fod recursive sha256 SRI', fod('recursive', '', sha256.sri)],
  ['fod flat sha1 base16', fod('flat', 'sha1', sha1.hex)],
  ['fod recursive sha1 nixbase32', fod('recursive', 'sha1', sha1.b32)],
  ['fod recursive sha1 SRI', fod('recursive', '', sha1.sri)],
  ['fod flat sha512 base16', fod('flat', 'sha512', sha512.hex)],
  ['fod recursive sha512 nixbase32', fod('recursive', 'sha512', sha512.b32)],
  ['fod flat sha512 SRI', fod('flat', '', sha512.sri)],
  ['fod flat md5', fod('flat', 'md5', md5.hex)],
  ['fod default mode', P(`derivation { name = "fod"; builder = "b"; system = "s"; outputHashAlgo = "sha256"; outputHash = "${sha256.hex}"; }`)],
  ['fod empty hash', P(`derivation { name = "fod"; builder = "b"; system = "s"; outputHashAlgo = "sha256"; outputHash = ""; }`)],
  [
    'fod hides its inputs',
    `(let a = derivation { name = "fod"; builder = "b1"; system = "s"; outputHash = "${sha256.sri}"; };
          b = derivation { name = "fod"; builder = "b2"; system = "s"; outputHash = "${sha256.sri}"; };
          c1 = ${D('name = "c"; dep = a;')}; c2 = ${D('name = "c"; dep = b;')};
      in [ a.drvPath b.drvPath a.outPath b.outPath c1.drvPath c2.drvPath c1.outPath c2.outPath ])`,
  ],
  ['depends on fod with inputs', `(let s = ${D('name = "s";')}; a = derivation { name = "fod"; builder = "b1"; system = "s"; dep = s; outputHash = "${sha256.sri}"; }; c = ${D('name = "c"; dep = a;')}; in [ a.drvPath c.drvPath c.outPath ])`],
  ['ignoreNulls', P(D('__ignoreNulls = true; n = null; m = "kept";'))],
  ['null without ignoreNulls', P(D('n = null;'))],
  ['structuredAttrs', P(D('__structuredAttrs = true; n = 1; l = [ 1 "a" null ]; s = { x.y = true; }; f = 0.5; outputs = [ "out" "doc" ];'))],
  ['structuredAttrs with dependency', `(let a = ${D('name = "a";')}; b = ${D('__structuredAttrs = true; name = "b"; dep = a; deps = [ a a.drvPath ];')}; in [ b.drvPath b.outPath ])`],
  ['passAsFile', P(D('passAsFile = [ "big" ]; big = "lots of text";'))],
  ['placeholder in env', P(D('p = builtins.placeholder "out"; q = "${builtins.placeholder "dev"}/lib"; outputs = [ "out" "dev" ];'))],
  ['toFile builder', P(`derivation { name = "tf"; builder = builtins.toFile "builder.sh" "echo hi > $out"; system = "x86_64-linux"; }`)],
  ['toFile referencing toFile', P(D(`cfg = builtins.toFile "b.sh" "source \${builtins.toFile "a.conf" "x=1"}";`))],
  ['path value in env', P(D(`src = ${fix}/src;`))],
  ['path in args and builder', P(`derivation { name = "p"; builder = ${fix}/src/sub/b.sh; args = [ ${fix}/file.txt ]; system = "x86_64-linux"; }`)],
  ['builtins.path named', P(D(`src = builtins.path { path = ${fix}/src; name = "source"; };`))],
  ['builtins.path filtered', P(D(`src = builtins.path { path = ${fix}/src; filter = p: t: t != "directory"; };`))],
  ['builtins.path flat', P(D(`src = builtins.path { path = ${fix}/file.txt; recursive = false; };`))],
  ['filterSource', P(D(`src = builtins.filterSource (p: t: baseNameOf p != "a.txt") ${fix}/src;`))],
  ['path interpolated in string', P(D(`s = "\${${fix}/file.txt} and \${${fix}/src}";`))],
  ['derivationStrict directly', `(builtins.derivationStrict { name = "ds"; builder = "b"; system = "s"; outputs = [ "out" "x" ]; })`],
  ['drvAttrs and type', `(let d = ${D('name = "z"; k = 1;')}; in [ d.type d.drvAttrs.k d.name (builtins.attrNames d) (builtins.attrNames d.drvAttrs) ])`],
  ['list of derivations in env', `(let a = ${D('name = "a";')}; b = ${D('name = "b";')}; c = ${D('name = "c"; deps = [ a b [ a ] ];')}; in [ c.drvPath c.outPath ])`],
];

describe('derivation drvPath/outPath equal real nix-instantiate', () => {
  const { ev } = mkStoreEvaluator();
  const expected = nixJson(`[ ${cases.map(([, e]) => `(${e})`).join('\n')} ]`) as unknown[];
  it('oracle answered every case', () => {
    expect(expected).toHaveLength(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });
  it.each(cases.map(([name, e], i) => [name, e, i] as const))('%s', (_name, e, i) => {
    expect(ourJson(ev, e)).toEqual(expected[i]);
  });
});
