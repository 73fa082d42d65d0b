/** The scope contract of ast.ts as filled in by bindVars. */
import { describe, expect, test } from 'vitest';
import { parse, type Expr, type ExprVar } from '../src/index';

const scope = { names: ['builtins', 'true', 'false', 'null', '__sub', 'map'] };

function parseOk(src: string): Expr {
  const r = parse(src, { file: '«string»', basePath: '/tmp', scope });
  expect(r.errors).toEqual([]);
  return r.ast!;
}

function vars(e: Expr): ExprVar[] {
  const out: ExprVar[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      if ((x as Expr).kind === 'var') out.push(x as ExprVar);
      for (const [k, v] of Object.entries(x)) if (k !== 'pos') walk(v);
    }
  };
  walk(e);
  return out;
}

describe('bindVars', () => {
  test('base environment variables are level 0 of the outermost env', () => {
    const [v] = vars(parseOk('map'));
    expect(v).toMatchObject({ name: 'map', level: 0, displ: 5, fromWith: false });
  });

  test('lambda slots: the @ name first, then formals in formals order', () => {
    const e = parseOk('args@{ b, a }: [ args a b true ]');
    expect(e.kind === 'lambda' && e.formals!.formals.map((f) => f.name)).toEqual(['b', 'a']);
    const vs = vars(e).map((v) => [v.name, v.level, v.displ]);
    expect(vs).toEqual([['args', 0, 0], ['a', 0, 2], ['b', 0, 1], ['true', 1, 1]]);
  });

  test('let and rec attrs: one slot per attribute in array order; inherit evaluates outside', () => {
    const e = parseOk('x: let a = b; b = x; inherit x; in rec { c = a; d = c; inherit a; }');
    // lambda env: x=0; let env: a=0 b=1 x=2; rec env: c=0 d=1 a=2
    expect(vars(e).map((v) => [v.name, v.level, v.displ])).toEqual([
      ['b', 0, 1], // a = b
      ['x', 0, 2], // b = x: the let's own (inherited) x
      ['x', 0, 0], // inherit x: evaluated in the lambda env
      ['a', 0, 2], // c = a: the rec set's inherited a
      ['c', 0, 0], // d = c
      ['a', 0, 0], // inherit a: evaluated in the let env
    ]);
  });

  test('static scope wins over with; with chains record prevWith', () => {
    const e = parseOk('x: with x; with x; [ x y ]');
    const withs: Expr[] = [];
    const walk = (n: Expr) => {
      if (n.kind === 'lambda') walk(n.body);
      if (n.kind === 'with') {
        withs.push(n);
        walk(n.body);
      }
    };
    walk(e);
    expect(withs.map((w) => (w.kind === 'with' ? w.prevWith : -1))).toEqual([0, 1]);
    expect(vars(e).map((v) => [v.name, v.fromWith, v.level, v.displ])).toEqual([
      ['x', false, 0, 0], // with x (outer)
      ['x', false, 1, 0], // with x (inner), inside the outer with env
      ['x', false, 2, 0], // the lambda's x, although two withs enclose it
      ['y', true, 0, 0], // innermost with
    ]);
  });

  test('undefined variables are reported like Nix, with their position', () => {
    const r = parse('let a = 1;\nin b', { file: '/x/default.nix', basePath: '/x', scope });
    expect(r.errors.map((e) => [e.code, e.message, e.pos])).toEqual([
      ['UNDEFINED_VARIABLE', "undefined variable 'b'", { file: '/x/default.nix', line: 2, column: 4 }],
    ]);
  });

  test('without a scope, no resolution happens and no error is reported', () => {
    expect(parse('a b', { file: '«string»', basePath: '/' }).errors).toEqual([]);
  });
});

describe('parse-time details', () => {
  test('lambdas take the name of the attribute they are bound to', () => {
    const e = parseOk('{ f = x: y: x; g.h = z: z; }');
    expect(e.kind === 'attrs' && e.attrs.map((a) => [a.name, a.e.kind === 'lambda' ? a.e.name : undefined])).toEqual([
      ['f', 'f'],
      ['g', undefined],
    ]);
  });

  test('positions are 1-based, CR/LF counts as one line break, columns count UTF-8 bytes', () => {
    const r = parse('"é" +\r\n\r\n  x', { file: '«string»', basePath: '/', scope });
    expect(r.errors[0]!.pos).toEqual({ file: '«string»', line: 3, column: 3 });
    const r2 = parse('"é" + x', { file: '«string»', basePath: '/', scope });
    expect(r2.errors[0]!.pos).toEqual({ file: '«string»', line: 1, column: 8 });
  });

  test('~ paths use the given home', () => {
    const r = parse('~/a/b', { file: '«string»', basePath: '/', home: '/home/u' });
    expect(r.ast).toEqual({ kind: 'path', value: '/home/u/a/b' });
  });

  test('parse never throws for bad input', () => {
    for (const src of ['', '(', '"${', "''${", '{ a = ', './a/${', '\u0000', 'let', '}}}']) {
      const r = parse(src, { file: '«string»', basePath: '/' });
      expect(r.errors.length).toBe(1);
      expect(r.errors[0]!.pos).toBeDefined();
    }
  });
});
