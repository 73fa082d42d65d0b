import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MError } from '@m/core';
import { compileNixRegex, matchFull, splitAll } from '../src/pure/regex';
import { nixStr } from './nix-literal';

function nixJson(exprs: string[]): unknown[] {
  const src = '[\n' + exprs.map((e) => '(' + e + ')').join('\n') + '\n]';
  const r = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '-E', src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

/** First error line of each expression, evaluated in parallel. */
function nixErrors(exprs: string[]): Promise<string[]> {
  return Promise.all(
    exprs.map(
      (expr) =>
        new Promise<string>((resolve) => {
          const child = spawn('nix-instantiate', ['--eval', '--strict', '-E', expr]);
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('close', () => resolve(/error: (.*)/.exec(err)?.[1] ?? 'no error'));
        }),
    ),
  );
}

const CASES: [string, string][] = [
  ['(a|ab)(c|bcd)(d*)', 'abcd'],
  ['(a|ab)(c|bcd)(d*)', 'abcdd'],
  ['(a*)(ab)*(b*)', 'ab'],
  ['(a*)(ab)*b', 'aabab'],
  ['(a|b)*', 'abab'],
  ['((a)|b)*', 'ab'],
  ['((a)|b)*', 'ba'],
  ['(a*)*', 'aaa'],
  ['(a*)+', 'aaa'],
  ['(a*|b)*', 'ab'],
  ['(|a)+', 'aa'],
  ['()*', ''],
  ['(a?)*', 'aa'],
  ['(x|xy)(z|yz)?', 'xyz'],
  ['(.*)-(.*)', 'a-b-c'],
  ['(.*?)', 'abc'],
  ['a{2,3}', 'aaa'],
  ['(a{2,3})(a*)', 'aaaaa'],
  ['(a{2,})(a)', 'aaaaa'],
  ['(a{0,2})(a{0,2})', 'aaa'],
  ['a{2}', 'aa'],
  ['a{0}b', 'b'],
  ['[[:alpha:]]+([[:digit:]]*)', 'abc123'],
  ['[[:space:]]+([[:upper:]]+)[[:space:]]+', '  FOO   '],
  ['[]a]+', 'a]a'],
  ['[^]a]+', 'bcd'],
  ['[a-]+', 'a-a'],
  ['[-a]+', '-a'],
  ['[a\\]+', 'a\\'],
  ['\\.\\*', '.*'],
  ['\\[\\(\\)\\{\\|\\^\\$\\+\\?\\\\', '[(){|^$+?\\'],
  ['a.c', 'a\nc'],
  ['(foo|foobar)(bar)?', 'foobar'],
  ['(foobar|foo)(bar)?', 'foobar'],
  ['^abc$', 'abc'],
  ['a^b', 'a^b'],
  ['(a$)|b', 'a'],
  ['x|', ''],
  ['|x', 'x'],
  ['', ''],
  ['a}', 'a}'],
  ['a]', 'a]'],
  ['[[:w:]]+', 'ab_1'],
  ['[[.a.]-c]+', 'abc'],
  ['[[.hyphen.]]', '-'],
  ['[[=a=]]', 'a'],
  ['[[:xdigit:][:punct:]]+', 'aF9!?'],
  ['([0-9]+)\\.([0-9]+)', '10.25'],
  ['(.*)/(.*)', '/nix/store/abc-foo'],
  ['é(.)', 'éx'],
  ['.+', 'héllo'],
  ['[^a]', 'é'],
  ['(a|(b))+', 'ab'],
  ['(a|(b))+', 'ba'],
  ['(((a))|b)+c', 'abac'],
  ['(a+|b+)*c', 'aabbc'],
  ['(ab|a)(bc|c)', 'abc'],
  ['(a|ab)(bc|c)', 'abc'],
];

const SPLIT_CASES: [string, string][] = [
  ['(a)|b', 'xaybz'],
  ['x*', 'abc'],
  ['', 'abc'],
  [',', 'a,b,,c,'],
  ['(,)', ',a,'],
  ['[[:space:]]+', '  foo bar  baz '],
  ['(a*)', 'baaac'],
  ['a*', 'aaa'],
  ['^', 'abc'],
  ['$', 'abc'],
  ['^a|b', 'aab'],
  ['(b)|(c)', 'abcbd'],
  ['(a|ab)(c|bcd)', 'xabcdy'],
  ['\n', 'line1\nline2\n'],
  ['foo', 'bar'],
  ['a?', 'bab'],
  ['é', 'aébéc'],
  ['(x)?', 'axb'],
];

const INVALID = [
  'a{2,1}', '(', ')', 'a(', '[a', '[', '*a', 'a|*', '^*', '{1}', 'a{', 'a{1', 'a{,2}', 'a{x}',
  '[[:foo:]]', '[z-a]', '[a-z-9]', '[[:alpha:]-z]', 'a\\', '[[.foo.]]', '[[:alpha:', '(*a)', '+', '\\d', '\\n', '\\]', '\\}', 'a**b{',
];

describe('regex', () => {
  it('match agrees with Nix', () => {
    const expected = nixJson(CASES.map(([re, s]) => `builtins.match ${nixStr(re)} ${nixStr(s)}`));
    const actual = CASES.map(([re, s]) => matchFull(compileNixRegex(re), s));
    for (let i = 0; i < CASES.length; i++) {
      expect({ case: CASES[i], v: actual[i] }).toEqual({ case: CASES[i], v: expected[i] });
    }
  });

  it('split agrees with Nix', () => {
    const expected = nixJson(SPLIT_CASES.map(([re, s]) => `builtins.split ${nixStr(re)} ${nixStr(s)}`));
    for (let i = 0; i < SPLIT_CASES.length; i++) {
      const [re, s] = SPLIT_CASES[i];
      expect({ case: SPLIT_CASES[i], v: splitAll(compileNixRegex(re), s) }).toEqual({
        case: SPLIT_CASES[i],
        v: expected[i],
      });
    }
  });

  it('rejects invalid patterns like Nix', async () => {
    const wants = await nixErrors(INVALID.map((re) => `builtins.match ${nixStr(re)} ""`));
    for (const [i, re] of INVALID.entries()) {
      const want = wants[i];
      let got = 'no error';
      try {
        compileNixRegex(re);
      } catch (e) {
        expect(e).toBeInstanceOf(MError);
        got = (e as MError).message;
      }
      expect({ re, got }).toEqual({ re, got: want });
    }
  });

  it('reports the state limit like Nix', () => {
    expect(() => compileNixRegex('a{1000}{1000}')).toThrow(
      "memory limit exceeded by regular expression 'a{1000}{1000}'",
    );
  });

  it('handles long subjects without overflowing the stack', () => {
    const s = 'x'.repeat(200000) + 'y';
    expect(matchFull(compileNixRegex('(x*)(y)'), s)).toEqual(['x'.repeat(200000), 'y']);
    expect(splitAll(compileNixRegex('y'), s)).toEqual(['x'.repeat(200000), [], '']);
  });

  it('caches compiled regexes', () => {
    expect(compileNixRegex('ab+c')).toBe(compileNixRegex('ab+c'));
  });
});
