/** instantiate() (nix-instantiate without --eval) vs. real nix-instantiate's stdout lines. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDerivation } from '@m/nix-compat';
import { getDerivations, instantiate } from '../src/instantiate';
import { mkStoreEvaluator, nixInstantiateLines, ourError } from './store-oracle';


const D = (name: string, extra = '') => `(derivation { name = "${name}"; builder = "/bin/sh"; system = "x86_64-linux"; ${extra} })`;

const cases: [string, string][] = [
  ['single derivation', D('one')],
  ['dev output first', D('two', 'outputs = [ "dev" "out" ];')],
  ['selected output', `${D('three', 'outputs = [ "out" "lib" ];')}.lib`],
  ['attribute set', `{ b = ${D('b')}; a = ${D('a')}; notDrv = 1; }`],
  ['names filtered by regex', `{ "a b" = ${D('x')}; "1a" = ${D('y')}; ok_1-x = ${D('z')}; }`],
  ['nested without recurse', `{ a = ${D('a')}; sub = { b = ${D('b')}; }; }`],
  ['nested with recurse', `{ a = ${D('a')}; sub = { recurseForDerivations = true; b = ${D('b')}; deeper = { c = ${D('c')}; }; }; }`],
  ['list', `[ ${D('l1')} [ ${D('l2')} ] { x = ${D('l3')}; } ]`],
  ['duplicates', `let d = ${D('dup')}; in { a = d; b = d; c = [ d ]; }`],
  ['dependencies', `let a = ${D('a')}; in { b = ${D('b', 'dep = a;')}; }`],
  ['function with defaults', `{ x ? "q" }: ${D('fn', 'v = x;')}`],
  ['empty set', '{ }'],
];

describe('instantiate equals nix-instantiate', () => {
  let expected: string[][] = [];
  beforeAll(async () => {
    expected = await nixInstantiateLines(cases.map(([, e]) => e));
  }, 60_000);
  it.each(cases.map(([name, e], i) => [name, e, i] as const))('%s', (_name, e, i) => {
    const { ev, physicalStore } = mkStoreEvaluator();
    const v = ev.autoCallFunction(ev.evalString(e, '/', '«string»'), new Map());
    const lines = instantiate(ev, v);
    expect(lines).toEqual(expected[i]);
    for (const l of lines) {
      const drvPath = l.split('!')[0];
      const file = join(physicalStore, drvPath.slice('/nix/store/'.length));
      expect(existsSync(file)).toBe(true);
      // The .drv we wrote is byte-identical to the one Nix wrote.
      expect(readFileSync(file, 'utf8')).toBe(readFileSync(drvPath, 'utf8'));
      parseDerivation(readFileSync(file, 'utf8'));
    }
  });

  it('reports attribute paths', () => {
    const { ev } = mkStoreEvaluator();
    const v = ev.evalString(`{ a = ${D('a')}; s = { recurseForDerivations = true; b = ${D('b')}; }; l = 1; }`, '/', '«string»');
    expect(getDerivations(ev, v).map((d) => d.attrPath)).toEqual(['a', 's.b']);
  });

  it('rejects values that are no derivations', () => {
    const { ev } = mkStoreEvaluator();
    for (const e of ['1', '"s"', 'x: x']) {
      expect(() => instantiate(ev, ev.evalString(e, '/', '«string»'))).toThrow(
        'expression does not evaluate to a derivation (or a set or list of those)',
      );
    }
  });

  it('derivation is a lambda; the wrapper reports positions in //builtin/derivation.nix', () => {
    const { ev } = mkStoreEvaluator();
    expect(ev.printValue(ev.evalString('[ derivation builtins.derivation builtins.derivationStrict ]', '/', '«string»'), { strict: true })).toBe(
      '[ <LAMBDA> <LAMBDA> <PRIMOP> ]',
    );
    try {
      ev.forceDeep(ev.evalString(`${D('e', 'outputs = [ ];')}.drvPath`, '/', '«string»'));
      throw new Error('no error');
    } catch (err) {
      expect((err as { pos?: unknown }).pos).toMatchObject({ file: '//builtin/derivation.nix', line: 28, column: 5 });
    }
    expect(ourError(ev, `${D('e', 'outputs = [ ];')}.drvPath`).message).toBe('list index 0 is out of bounds');
    try {
      ev.forceDeep(ev.evalString(`${D('e', 'outputs = [ "out" 1 ];')}.drvPath`, '/', '«string»'));
      throw new Error('no error');
    } catch (err) {
      expect((err as { message: string }).message).toBe('value is an integer while a string was expected');
      expect((err as { pos?: unknown }).pos).toMatchObject({ file: '//builtin/derivation.nix', line: 17, column: 7 });
    }
  });
});
