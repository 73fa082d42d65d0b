/**
 * The fast path (fast-parser.ts) against the chevrotain parser it stands in for: on the
 * differential corpus, Nix's language test files, a generated package set and random (valid and
 * mutated) expressions, `parse()` gives exactly what the chevrotain parser alone gives: the same
 * AST, printed output, errors with positions, and symbol table state afterwards; and wherever
 * chevrotain parses an input, the fast path parses it too (it gives up only on errors).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: the bench's workload generator is untyped JavaScript
import { generateLargeNixFile } from '../../../bench/workloads.mjs';
import { createSymbolTable, parse, showExpr, type ParseOptions, type ParseResult } from '../src/index';
import { parseWithOnly } from '../src/parse';
import { nixBaseScope } from './nix-oracle';
import { nixLangTestsDir } from './nix-tests-dir';

const scope = nixBaseScope();

function outcome(r: ParseResult): unknown {
  return {
    errors: r.errors.map((e) => [e.code, e.message, e.pos]),
    ast: r.ast,
    shown: r.ast && r.errors.length === 0 ? showExpr(r.ast) : undefined,
  };
}

/** Checks one source; returns whether it parses. */
function check(source: string, file = '/d/f.nix'): boolean {
  const opts = (): ParseOptions => ({ file, basePath: '/d', home: '/h', symbols: createSymbolTable(), scope });
  const a = opts();
  const b = opts();
  const ours = parse(source, a);
  const ref = parseWithOnly(source, b, 'chevrotain')!;
  expect(outcome(ours), source).toEqual(outcome(ref));
  expect(a.symbols!.mark(), source).toBe(b.symbols!.mark());
  expect(a.symbols!.intern('a-fresh-name')).toBe(b.symbols!.intern('a-fresh-name'));
  const parsed = ref.errors.length === 0 || ref.errors.every((e) => e.code === 'UNDEFINED_VARIABLE');
  if (parsed) expect(parseWithOnly(source, opts(), 'fast'), source).toBeDefined();
  return parsed;
}

const exprs = JSON.parse(readFileSync(fileURLToPath(new URL('./differential-exprs.json', import.meta.url)), 'utf8')) as {
  parses: string[];
  errors: string[];
};

/** Random expressions from the grammar's productions (pieces joined by spaces). */
function generator(seed: number): (depth: number) => string[] {
  const rnd = (k: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const pick = <X>(xs: X[]): X => xs[rnd(xs.length)]!;
  const ids = ['a', 'b', 'x', 'body', '__curPos', "foo-bar'", 'true', 'null', 'builtins', 'or'];
  const ops = ['+', '-', '*', '/', '++', '//', '==', '!=', '<', '>', '<=', '>=', '&&', '||', '->'];
  const gen = (depth: number): string[] => {
    const e = (): string[] => gen(depth - 1);
    const attrName = (): string[] =>
      pick([() => [pick(['a', 'b', 'or', 'c'])], () => ['"s', '${', ...e(), '}"'], () => ['"a"'], () => ['${', ...e(), '}']])();
    const attrPath = (): string[] => (rnd(3) === 0 ? [...attrName(), '.', ...attrName()] : attrName());
    const binds = (): string[] => {
      const out: string[] = [];
      for (let n = rnd(4); n > 0; n--)
        out.push(
          ...pick([
            () => [...attrPath(), '=', ...e(), ';'],
            () => ['inherit', pick(['a', 'b', '"c"', 'or']), ';'],
            () => ['inherit', '(', ...e(), ')', pick(['a', 'b']), '"d"', ';'],
          ])(),
        );
      return out;
    };
    const formals = (): string[] => {
      const out: string[] = [];
      for (let n = rnd(3); n > 0; n--) out.push(pick(['a', 'b', 'c']), ...(rnd(2) ? ['?', ...e()] : []), ',');
      if (rnd(2)) out.push('...');
      else if (out.length > 0 && rnd(2)) out.pop();
      return ['{', ...out, '}'];
    };
    const leaves = [
      () => [pick(ids)], () => [pick(['0', '42', '9223372036854775807', '9223372036854775808'])],
      () => [pick(['1.5', '.5', '1e3', '1.0e400', '0.0'])], () => ['"a\\n${', ...['x'], '}b"'], () => ['""'],
      () => ["''\n  a\n   ${x}''$ '''\n ''\\t b''"], () => [pick(['./a/b', './a/${x}/c', '~/p', '/abs/', 'a/b.nix'])],
      () => ['<nixpkgs/lib>'], () => ['https://example.org/a?b=c'],
    ];
    if (depth <= 0) return pick(leaves)();
    return pick([
      ...leaves,
      () => ['[', ...e(), ...e(), ']'],
      () => [pick(['', 'rec']), '{', ...binds(), '}'],
      () => ['let', '{', ...binds(), 'body', '=', ...e(), ';', '}'],
      () => ['x', ':', ...e()],
      () => [...formals(), ':', ...e()],
      () => ['args', '@', ...formals(), ':', ...e()],
      () => [...formals(), '@', 'args', ':', ...e()],
      () => ['let', ...binds(), 'in', ...e()],
      () => ['with', ...e(), ';', ...e()],
      () => ['assert', ...e(), ';', ...e()],
      () => ['if', ...e(), 'then', ...e(), 'else', ...e()],
      () => [...e(), pick(ops), ...e()],
      () => [pick(['!', '-']), ...e()],
      () => [...e(), '?', ...attrPath()],
      () => [...e(), '.', ...attrPath(), ...(rnd(2) ? ['or', ...e()] : [])],
      () => ['(', ...e(), ')', ...e(), ...e()],
      () => ['f', 'or'],
    ])();
  };
  return (depth) => {
    const pieces = gen(depth);
    // Half are mutated: a piece dropped, duplicated or replaced.
    const m = rnd(6);
    const i = rnd(pieces.length);
    if (m === 0) pieces.splice(i, 1);
    else if (m === 1) pieces.splice(i, 0, pieces[i]!);
    else if (m === 2) pieces[i] = pick(['{', '}', ';', ':', '=', '.', 'in', 'then', ',', '@', '?', '...', '$', '#']);
    return pieces;
  };
}

describe('the fast path equals the chevrotain parser', () => {
  test('differential corpus', () => {
    for (const s of exprs.parses) expect(check(s), s).toBe(true);
    for (const s of exprs.errors) check(s);
  });

  const dir = nixLangTestsDir ?? '';
  test.skipIf(!dir || !existsSync(dir))('Nix language test files', () => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.nix'))) check(readFileSync(`${dir}/${f}`, 'utf8'), `${dir}/${f}`);
  });

  test('a generated package set', () => {
    expect(check(generateLargeNixFile(200 * 1024) as string)).toBe(true);
  });

  test('random expressions, valid and mutated', () => {
    const next = generator(4242);
    let parsed = 0;
    for (let i = 0; i < 3000; i++) if (check(next(1 + (i % 4)).join(i % 3 === 0 ? '\n' : ' '))) parsed++;
    // Both kinds are well represented.
    expect(parsed).toBeGreaterThan(300);
    expect(parsed).toBeLessThan(2700);
  });

  // (The 10,000-level limit itself needs a deeper stack than vitest's: tests/adversarial checks it
  // through the CLI.)
  test('nested expressions', () => {
    for (const n of [300, 301]) {
      check('('.repeat(n) + '1' + ')'.repeat(n));
      check('['.repeat(n) + ']'.repeat(n));
      check('{a='.repeat(n) + '1' + ';}'.repeat(n));
      check('x: '.repeat(n) + 'x');
    }
  });

  test('a symbol table shared with an abandoned parse is as if only chevrotain had run', () => {
    const a = createSymbolTable();
    const b = createSymbolTable();
    for (const s of ['x: y', '{ p, q }: p', 'let u = 1; v = 2; in w {', 'zz: { a = 1; a = 2; }', 'let r = 1; in r']) {
      expect(outcome(parse(s, { file: '«string»', basePath: '/', symbols: a }))).toEqual(
        outcome(parseWithOnly(s, { file: '«string»', basePath: '/', symbols: b }, 'chevrotain')!),
      );
    }
    expect(a.mark()).toBe(b.mark());
  });
});
