import { describe, expect, it } from 'vitest';
import { isMError } from '@m/core';
import type { Expr } from '@m/lang';
import { createEvaluator, createPlainFsIO, type EvalIO } from '../src/index';
import { evalExpr } from '../src/eval';
import * as B from './ast-builders';

function mkEval() {
  const plain = createPlainFsIO({});
  const io: EvalIO = {
    ...plain,
    addPathToStore: () => { throw new Error('no store'); },
    addTextToStore: () => { throw new Error('no store'); },
    writeDerivation: () => { throw new Error('no store'); },
    readDerivation: () => { throw new Error('no store'); },
  };
  return createEvaluator({ io, nixPath: [], storeDir: '/nix/store' });
}

const ev = mkEval();
const S = ev.baseScope;
const run = (e: Expr, strict = true) => ev.run(() => ev.printValue(evalExpr(e, ev.state.baseEnv), { strict }));
const err = (e: Expr) => {
  try {
    ev.run(() => ev.forceDeep(evalExpr(e, ev.state.baseEnv)));
  } catch (x) {
    if (isMError(x)) return { code: x.code, message: x.message, pos: x.pos, hint: x.hint };
    throw x;
  }
  throw new Error('no error');
};

describe('core evaluation (hand-built ASTs)', () => {
  it('literals, lists, sets, printing', () => {
    expect(run(B.list(B.int(1), B.str('a"${x}\n'), B.flt(1.5), B.flt(123456789), B.g(S, 'null', 0), B.g(S, 'true', 0)))).toBe(
      '[ 1 "a\\"\\${x}\\n" 1.5 1.23457e+08 null true ]',
    );
    expect(run(B.attrs([['b', B.int(1)], ['a b', B.list()], ['if', B.attrs([])]]))).toBe('{ "a b" = [ ]; b = 1; "if" = { }; }');
    expect(run(B.attrs([['a', B.plus(B.int(1), B.int(1))], ['b', B.int(2)]]), false)).toBe('{ a = <CODE>; b = 2; }');
  });

  it('fib via let/lambda/if/__sub/__lessThan', () => {
    // let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 20
    const n = B.v('n', 0, 0);
    const fibRef = B.v('fib', 1, 0);
    const body = B.if_(
      B.call(B.g(S, '__lessThan', 2), n, B.int(2)),
      n,
      B.plus(B.call(fibRef, B.call(B.g(S, '__sub', 2), n, B.int(1))), B.call(fibRef, B.call(B.g(S, '__sub', 2), n, B.int(2)))),
    );
    expect(run(B.let_([['fib', B.lam('n', body, 'fib')]], B.call(B.v('fib', 0, 0), B.int(20))))).toBe('6765');
  });

  it('formals, defaults, @-pattern, missing/unexpected arguments', () => {
    const f = B.lamF([{ name: 'a' }, { name: 'b', def: B.int(5) }], false, B.plus(B.v('a', 0, 1), B.v('b', 0, 2)), 'args');
    expect(run(B.call(f, B.attrs([['a', B.int(1)]])))).toBe('6');
    expect(err(B.call(B.lamF([{ name: 'a' }], false, B.v('a', 0, 0), undefined, undefined, B.P(1, 2)), B.attrs([])))).toMatchObject({
      code: 'TYPE_ERROR',
      message: "anonymous function at (string):1:2 called without required argument 'a'",
    });
    expect(err(B.call(B.lamF([{ name: 'a' }], false, B.v('a', 0, 0), undefined, 'f'), B.attrs([['a', B.int(1)], ['b', B.int(2)]])))).toMatchObject({
      message: "'f' at (string):1:1 called with unexpected argument 'b'",
      hint: 'Did you mean a?',
    });
  });

  it('select, or, hasAttr, missing attribute with suggestion', () => {
    const a = B.attrs([['abc', B.attrs([['x', B.int(1)]])]]);
    expect(run(B.sel(a, ['abc', 'x']))).toBe('1');
    expect(run(B.sel(a, ['abc', 'y'], B.int(7)))).toBe('7');
    expect(run(B.list(B.has(a, ['abc', 'x']), B.has(a, ['abd'])))).toBe('[ true false ]');
    expect(err(B.sel(a, ['abd']))).toMatchObject({ code: 'MISSING_ATTR', message: "attribute 'abd' missing", hint: 'Did you mean abc?' });
    expect(err(B.sel(B.int(1), ['a']))).toMatchObject({ message: 'value is an integer while a set was expected' });
  });

  it('infinite recursion and assertion', () => {
    expect(err(B.let_([['x', B.v('x', 0, 0, B.P(1, 9))]], B.v('x', 0, 0)))).toMatchObject({
      code: 'INFINITE_RECURSION',
      message: 'infinite recursion encountered',
      pos: B.P(1, 9),
    });
    expect(err(B.assert_(B.bin('==', B.int(1), B.int(2)), B.int(3)))).toMatchObject({
      code: 'ASSERTION_FAILED',
      message: "assertion '(1 == 2)' failed",
    });
  });

  it('arithmetic and string concatenation errors', () => {
    expect(run(B.plus(B.int(1), B.flt(0.5)))).toBe('1.5');
    expect(err(B.plus(B.int(1), B.str('a')))).toMatchObject({ message: 'cannot add a string to an integer' });
    expect(err(B.plus(B.str('a'), B.int(1)))).toMatchObject({ message: 'cannot coerce an integer to a string' });
    expect(err(B.interp(B.attrs([])))).toMatchObject({ message: 'cannot coerce a set to a string' });
    expect(err(B.call(B.g(S, '__div', 0), B.int(1), B.int(0)))).toMatchObject({ message: 'division by zero' });
    expect(run(B.call(B.g(S, '__div', 0), B.int(7), B.int(2)))).toBe('3');
    expect(run(B.plus(B.path('/a/b'), B.str('/../c')))).toBe('/a/c');
  });

  it('with lookup, // and ++, equality', () => {
    expect(run(B.with_(B.attrs([['a', B.int(1)]]), B.with_(B.attrs([['b', B.int(2)]]), B.plus(B.wv('a', 0), B.wv('b', 0)), 1)))).toBe('3');
    expect(run(B.bin('//', B.attrs([['a', B.int(1)], ['b', B.int(1)]]), B.attrs([['b', B.int(2)]])))).toBe('{ a = 1; b = 2; }');
    expect(run(B.bin('++', B.list(B.int(1)), B.list(B.int(2))))).toBe('[ 1 2 ]');
    expect(run(B.list(B.bin('==', B.int(1), B.flt(1)), B.bin('==', B.lam('x', B.v('x', 0, 0)), B.lam('x', B.v('x', 0, 0)))))).toBe('[ true false ]');
  });

  it('builtins: map, foldl\', genList, tryEval, attrNames, listToAttrs', () => {
    expect(run(B.call(B.g(S, 'map', 0), B.lam('x', B.plus(B.v('x', 0, 0), B.int(1))), B.list(B.int(1), B.int(2))))).toBe('[ 2 3 ]');
    expect(
      run(B.call(B.g(S, "__foldl'", 0), B.lam('a', B.lam('b', B.plus(B.v('a', 1, 0), B.v('b', 0, 0)))), B.int(0), B.call(B.g(S, '__genList', 0), B.lam('i', B.v('i', 0, 0)), B.int(100000)))),
    ).toBe('4999950000');
    expect(run(B.call(B.g(S, '__tryEval', 0), B.call(B.g(S, 'throw', 0), B.str('x'))))).toBe('{ success = false; value = false; }');
    expect(run(B.call(B.g(S, '__attrNames', 0), B.attrs([['b', B.int(1)], ['a', B.int(1)]])))).toBe('[ "a" "b" ]');
    expect(
      run(B.call(B.g(S, '__listToAttrs', 0), B.list(B.attrs([['name', B.str('a')], ['value', B.int(1)]]), B.attrs([['name', B.str('a')], ['value', B.int(2)]])))),
    ).toBe('{ a = 1; }');
    expect(run(B.sel(B.g(S, 'builtins', 0), ['nixVersion']))).toBe('"2.8.0"');
  });
});
