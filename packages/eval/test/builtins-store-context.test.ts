/**
 * String context, file and store builtins against real nix-instantiate: getContext,
 * appendContext, hasContext, unsafeDiscard*, toFile, path, readFile, readDir, pathExists,
 * hashFile, storePath, placeholder, fetchurl of file:// URLs.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkStoreEvaluator, nixJson, ourJson } from './store-oracle';


const fix = mkdtempSync(join(tmpdir(), 'm-ctx-fix-'));
mkdirSync(join(fix, 'dir/sub'), { recursive: true });
writeFileSync(join(fix, 'dir/a.txt'), 'hello\n');
writeFileSync(join(fix, 'dir/run.sh'), '#!/bin/sh\n', { mode: 0o755 });
symlinkSync('a.txt', join(fix, 'dir/link'));
writeFileSync(join(fix, 'bin.dat'), Buffer.from([0xff, 0xfe, 0x80, 0x01, 0x02]));
writeFileSync(join(fix, 'utf8.txt'), 'héllo wörld ☃\n');

const D = `(derivation { name = "a"; builder = "b"; system = "s"; outputs = [ "out" "dev" ]; })`;

const cases: [string, string][] = [
  ['getContext of output', `builtins.getContext ${D}.outPath`],
  ['getContext of dev output', `builtins.getContext ${D}.dev.outPath`],
  ['getContext of drvPath', `builtins.getContext ${D}.drvPath`],
  ['getContext combined', `builtins.getContext "\${${D}} \${${D}.dev} \${${D}.drvPath} \${builtins.toFile "f" "x"}"`],
  ['getContext of plain string', `builtins.getContext "plain"`],
  ['getContext of path', `builtins.getContext "\${${fix}/dir/a.txt}"`],
  ['hasContext', `[ (builtins.hasContext "x") (builtins.hasContext ${D}.outPath) (builtins.hasContext (builtins.toFile "f" "x")) ]`],
  ['unsafeDiscardStringContext', `let s = builtins.unsafeDiscardStringContext ${D}.outPath; in [ s (builtins.hasContext s) ]`],
  ['unsafeDiscardStringContext of path', `let s = builtins.unsafeDiscardStringContext ${fix}/dir/a.txt; in [ s (builtins.hasContext s) ]`],
  ['unsafeDiscardOutputDependency', `builtins.getContext (builtins.unsafeDiscardOutputDependency ${D}.drvPath)`],
  ['unsafeDiscardOutputDependency keeps outputs', `builtins.getContext (builtins.unsafeDiscardOutputDependency "\${${D}.dev}\${${D}.drvPath}")`],
  [
    'appendContext',
    `let d = ${D}; s = builtins.appendContext "x" { \${builtins.unsafeDiscardStringContext d.drvPath} = { outputs = [ "dev" "out" ]; allOutputs = true; path = true; }; }; in [ s (builtins.getContext s) ]`,
  ],
  ['appendContext round trip', `let d = ${D}; s = "\${d}\${d.drvPath}"; in builtins.getContext (builtins.appendContext "" (builtins.getContext s)) == builtins.getContext s`],
  ['appendContext false flags', `let d = ${D}; in builtins.getContext (builtins.appendContext "x" { \${builtins.unsafeDiscardStringContext d.drvPath} = { path = false; allOutputs = false; outputs = [ ]; }; })`],
  ['placeholder', `[ (builtins.placeholder "out") (builtins.placeholder "dev") (builtins.placeholder "") ]`],
  ['toFile', `let f = builtins.toFile "hello.txt" "hello world"; in [ f (builtins.getContext f) ]`],
  ['toFile with references', `let a = builtins.toFile "a" "A"; b = builtins.toFile "b" "uses \${a}"; in [ b (builtins.getContext b) ]`],
  ['toFile unicode', `builtins.toFile "u" "héllo ☃"`],
  ['readFile of toFile', `let a = builtins.toFile "a" "A"; b = builtins.toFile "b" "uses \${a}"; s = builtins.readFile b; in [ s (builtins.getContext s) ]`],
  ['readFile', `builtins.readFile ${fix}/utf8.txt`],
  ['readFile of string path', `builtins.readFile "${fix}/dir/a.txt"`],
  ['readDir', `builtins.readDir ${fix}/dir`],
  ['readDir of store path', `builtins.readDir "\${${fix}/dir}"`],
  ['pathExists', `[ (builtins.pathExists ${fix}/dir) (builtins.pathExists ${fix}/nope) (builtins.pathExists "${fix}/dir/a.txt") (builtins.pathExists ${fix}/dir/link) ]`],
  ['hashFile', `map (t: builtins.hashFile t ${fix}/dir/a.txt) [ "md5" "sha1" "sha256" "sha512" ]`],
  ['hashFile binary', `builtins.hashFile "sha256" ${fix}/bin.dat`],
  ['path', `let p = builtins.path { path = ${fix}/dir; }; in [ p (builtins.getContext p) ]`],
  ['path named, filtered, flat', `[ (builtins.path { path = ${fix}/dir; name = "x"; filter = p: t: t == "regular"; }) (builtins.path { path = ${fix}/dir/a.txt; recursive = false; }) ]`],
  ['path with sha256', `let h = builtins.hashString "sha256" "hello\\n"; in builtins.path { path = ${fix}/dir/a.txt; recursive = false; sha256 = h; }`],
  ['filterSource', `builtins.filterSource (p: t: t != "symlink") ${fix}/dir`],
  ['coerced path', `"\${${fix}/dir}/a.txt"`],
  ['storePath', `let f = builtins.toFile "sp" "x"; s = builtins.storePath (builtins.unsafeDiscardStringContext f); in [ s (builtins.getContext s) ]`],
  ['storePath subpath', `let f = "\${${fix}/dir}"; s = builtins.storePath (builtins.unsafeDiscardStringContext f + "/a.txt"); in [ s (builtins.getContext s) ]`],
  ['fetchurl file', `builtins.fetchurl "file://${fix}/dir/a.txt"`],
  ['fetchurl file with hash and name', `builtins.fetchurl { url = "file://${fix}/dir/a.txt"; sha256 = builtins.hashString "sha256" "hello\\n"; name = "renamed"; }`],
];

describe('context and file builtins equal real nix-instantiate', () => {
  const { ev } = mkStoreEvaluator();
  const expected = nixJson(`[ ${cases.map(([, e]) => `(${e})`).join('\n')} ]`) as unknown[];
  it('oracle answered every case', () => {
    expect(expected).toHaveLength(cases.length);
  });
  it.each(cases.map(([name, e], i) => [name, e, i] as const))('%s', (_name, e, i) => {
    expect(ourJson(ev, e)).toEqual(expected[i]);
  });
});
