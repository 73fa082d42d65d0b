import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  type Derivation,
  type InputDrvHashLookup,
  cloneDerivation,
  computeDerivationOutputPaths,
  derivationStorePath,
  hashDerivationModuloHex,
  instantiateDerivation,
  parseDerivation,
  printDerivation,
  storePathName,
} from '../src/index';
import { nixEvalJson } from './nix-oracle';

const prelude = `
  sys = "x86_64-linux";
  mk = attrs: derivation ({ system = sys; builder = "/bin/sh"; args = [ "-c" "true" ]; } // attrs);
  plain = mk { name = "plain"; };
  multi = mk { name = "multi"; outputs = [ "out" "dev" "lib" ]; };
  escapes = mk { name = "escapes"; v = "q\\" b\\\\ n\\n t\\t r\\r é ✓ \${"$"}{x}"; args = [ "a\\nb" "" ]; };
  dep = mk { name = "dep"; builder = "\${plain}/bin/sh"; };
  depDev = mk { name = "dep-dev"; x = multi.dev; y = multi.lib; z = "\${multi}"; };
  foFlat256 = mk { name = "fo-flat-256"; outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = builtins.hashString "sha256" "x"; };
  foRec256 = mk { name = "fo-rec-256"; outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"; };
  foFlat1 = mk { name = "fo-flat-1"; outputHashAlgo = "sha1"; outputHash = builtins.hashString "sha1" "y"; };
  foRec1 = mk { name = "fo-rec-1"; outputHashMode = "recursive"; outputHashAlgo = "sha1"; outputHash = "sha1-" + "C+7Hteo/D9vJXQ3UfzxbwnXaijM="; };
  foSri512 = mk { name = "fo-sri-512"; outputHashMode = "recursive"; outputHash = "sha512-" + "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="; };
  foMd5 = mk { name = "fo-md5"; outputHashAlgo = "md5"; outputHash = builtins.hashString "md5" "z"; };
  depFo = mk { name = "dep-fo"; a = foFlat256; b = foRec1; };
  chain = mk { name = "chain"; a = depFo; b = dep; outputs = [ "bin" "out" ]; };
  withSrc = mk { name = "with-src"; s = builtins.toFile "script" "echo hi"; d = depDev.out; };
`;
const names = [
  'plain', 'multi', 'escapes', 'dep', 'depDev', 'foFlat256', 'foRec256', 'foFlat1', 'foRec1',
  'foSri512', 'foMd5', 'depFo', 'chain', 'withSrc',
];

interface Info {
  drvPath: string;
  outs: Record<string, string>;
}

let infos: Record<string, Info>;

const readDrv = (p: string): string => readFileSync(p, 'utf8');

const lookup: InputDrvHashLookup = (drvPath) =>
  hashDerivationModuloHex(parseDerivation(readDrv(drvPath)), lookup);

beforeAll(() => {
  const expr = `let ${prelude} in builtins.listToAttrs (map (n: let d = builtins.getAttr n {
    inherit ${names.join(' ')};
  }; in { name = n; value = { drvPath = d.drvPath; outs = builtins.listToAttrs (map (o: { name = o; value = d.\${o}.outPath; }) (d.outputs or [ "out" ])); }; }) [ ${names.map((n) => `"${n}"`).join(' ')} ])`;
  infos = nixEvalJson<Record<string, Info>>(expr);
});

describe('derivations against nix-instantiate', () => {
  test.each(names)('%s: parse/print round-trips byte-exactly', (n) => {
    const text = readDrv(infos[n]!.drvPath);
    expect(printDerivation(parseDerivation(text))).toBe(text);
  });

  test.each(names)('%s: drv path = makeTextPath of the ATerm', (n) => {
    const { drvPath } = infos[n]!;
    const drv = parseDerivation(readDrv(drvPath));
    const name = storePathName(drvPath).slice(0, -'.drv'.length);
    expect(derivationStorePath(drv, name)).toBe(drvPath);
  });

  test.each(names)('%s: computeDerivationOutputPaths reproduces outputs and drv path', (n) => {
    const { drvPath, outs } = infos[n]!;
    const real = parseDerivation(readDrv(drvPath));
    const blank: Derivation = cloneDerivation(real);
    for (const [o, out] of blank.outputs) {
      blank.outputs.set(o, { ...out, path: '' });
      blank.env.delete(o);
    }
    const done = computeDerivationOutputPaths(blank, lookup);
    expect(Object.fromEntries([...done.outputs].map(([k, v]) => [k, v.path]))).toEqual(outs);
    expect(printDerivation(done)).toBe(readDrv(drvPath));
    const inst = instantiateDerivation(blank, lookup);
    expect(inst.drvPath).toBe(drvPath);
    expect(inst.hashModulo).toBe(lookup(drvPath));
  });
});

describe('derivation edge cases', () => {
  test('fixed-output hash in base32 is normalised to base16', () => {
    const real = parseDerivation(readDrv(infos['foRec256']!.drvPath));
    const blank = cloneDerivation(real);
    blank.outputs.set('out', { path: '', hashAlgo: 'r:sha256', hash: '1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s' });
    blank.env.delete('out');
    expect(printDerivation(computeDerivationOutputPaths(blank, lookup))).toBe(printDerivation(real));
  });

  test('maskOutputs blanks output paths and output env vars only', () => {
    const real = parseDerivation(readDrv(infos['multi']!.drvPath));
    const masked = printDerivation(real, { maskOutputs: true });
    expect(masked).toContain('("dev","","","")');
    expect(masked).toContain('("dev","")');
    expect(masked).toContain('("name","multi")');
  });

  test('parse errors use Nix messages', () => {
    expect(() => parseDerivation('Derive([],x')).toThrow("expected string ',['");
    expect(() => parseDerivation('Derive([],[],["rel"],"","",[],[])')).toThrow("bad path 'rel' in derivation");
    expect(() => parseDerivation('Foo')).toThrow("expected string 'Derive(['");
  });

  test('mixing fixed and input-addressed outputs is rejected', () => {
    const d = parseDerivation(readDrv(infos['foMd5']!.drvPath));
    d.outputs.set('dev', { path: '', hashAlgo: '', hash: '' });
    expect(() => computeDerivationOutputPaths(d, lookup)).toThrow("can't mix derivation output types");
  });
});
