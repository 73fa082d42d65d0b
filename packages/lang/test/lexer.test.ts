/**
 * The hand-written scanner (lexer.ts) yields exactly the token vector of the declarative
 * chevrotain lexer of tokens.ts (the reference) on real files, the differential corpus and
 * random inputs built from the characters that matter to Nix's lexer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { tokenize } from '../src/lexer';
import { createReferenceLexer } from '../src/tokens';
import { nixLangTestsDir } from './nix-tests-dir';

const reference = createReferenceLexer();

function show(tokens: { tokenType: { name: string }; image: string; startOffset: number }[]): string[] {
  return tokens.map((t) => `${t.tokenType.name}@${t.startOffset}:${JSON.stringify(t.image)}`);
}

function check(source: string): void {
  const ref = reference.tokenize(source);
  // Besides unmatched `}` pops, the reference stops at the first non-ASCII character in expressions.
  const stop = ref.errors.find((e) => !e.message.includes('pop'));
  const ours = tokenize(source);
  expect(show(ours.tokens)).toEqual(show(ref.tokens));
  expect(ours.stop).toBe(stop?.offset);
}

const exprs = JSON.parse(readFileSync(fileURLToPath(new URL('./differential-exprs.json', import.meta.url)), 'utf8')) as {
  parses: string[];
  errors: string[];
};

describe('same tokens as the reference lexer', () => {
  test('differential corpus', () => {
    for (const s of [...exprs.parses, ...exprs.errors]) check(s);
  });

  const dir = nixLangTestsDir ?? '';
  test.skipIf(!dir || !existsSync(dir))('Nix language test files', () => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.nix'))) check(readFileSync(`${dir}/${f}`, 'utf8'));
  });

  test('random inputs', () => {
    const pieces = [
      ' ', '\n', '\r', '\t', 'a', 'Z', '_', '0', '1', '9', '.', '-', '+', '/', '*', '#', '~', '<', '>', '=', '!', '&',
      '|', '$', '{', '}', '(', ')', '[', ']', ';', ':', ',', '@', '?', '"', "'", '\\', 'é', '\u{1F600}', '%', 'e', 'E',
      'if', 'in', 'inherit', 'or', 'let', 'rec', 'then', 'else', 'assert', 'with', '${', "''", "'''", "''$", "''\\",
      '/*', '*/', 'x:y', 'a/b', './', '~/', '<p>', '1.5e3', '...', '//', '->', '++', '&&', '||', '==', '!=', '<=', '>=',
    ];
    let seed = 12345;
    const rnd = (k: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % k;
    };
    for (let i = 0; i < 4000; i++) {
      let s = '';
      const len = 1 + rnd(30);
      for (let j = 0; j < len; j++) s += pieces[rnd(pieces.length)];
      check(s);
    }
  });
});
