import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MError } from '@m/core';
import { escapeJsonString, formatJsonFloat, parseJson, type JsonValue } from '../src/pure/json';
import { nixStr } from './nix-literal';

function nixRun(expr: string): { ok: boolean; out: string } {
  const r = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '-E', expr], { encoding: 'utf8' });
  if (r.status === 0) return { ok: true, out: r.stdout.trim() };
  return { ok: false, out: /error: (.*)/.exec(r.stderr)?.[1] ?? r.stderr };
}

/** Render a parsed value the way `nix-instantiate --eval --json` prints it. */
function show(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatJsonFloat(v);
  if (typeof v === 'string') return escapeJsonString(v);
  if (Array.isArray(v)) return '[' + v.map(show).join(',') + ']';
  const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return '{' + keys.map((k) => escapeJsonString(k) + ':' + show(v[k])).join(',') + '}';
}

const GOOD = [
  '{"a":1,"a":2}', '18446744073709551615', '9223372036854775807', '9223372036854775808',
  '-9223372036854775808', '-9223372036854775809', '18446744073709551616', '"\\ud83d\\ude00"',
  '1.5e3', ' 1 ', '-0', '-0.0', '0.1', '1.5e-7', '1E20', '123456789012345678901234567890',
  '"\\u0000x"', '"a\\u00e9\\"\\\\\\/\\b\\f\\n\\r\\t"', '\t"é"', '[[[]],{}]', '"\\u0001"', 'null',
  'true', 'false', '{"z": [1, 2.5, "x", null, true], "a": {"b": {}}}', '\n\r\n [ 1 ,\n 2 ] \n',
  '{"": 1, "a b": 2}', '1e-400', '[0.1, 0.25, 1e100, -5]', '"€ — ü"',
];

const BAD = [
  '', '{', '[1,]', '1e400', '-1e400', '"\\ud83d"', '"\\ud83dx"', '01', '[1 2]', 'tru', '[1, trux]',
  '"a\nb"', '"\x01"', '-', '1.', '"\\x"', '"\\u12"', '"\\udc00"', 'x', '[1,2', '{"a" 1}',
  '{"a":1 "b"}', '{1:2}', '{"a":1,}', '1e', '1e+', 'true false', '  \n  [1,\n   2 x', 'nul', '"abc',
  '[', ']', '{"a":}', '+1', '.5', 'NaN',
];

describe('json', () => {
  it('parses like builtins.fromJSON', () => {
    for (const text of GOOD) {
      const want = nixRun(`builtins.fromJSON ${nixStr(text)}`);
      expect({ text, ok: want.ok }).toEqual({ text, ok: true });
      expect({ text, v: show(parseJson(text)) }).toEqual({ text, v: want.out });
    }
  });

  it('reports errors like builtins.fromJSON', () => {
    for (const text of BAD) {
      const want = nixRun(`builtins.fromJSON ${nixStr(text)}`);
      let got = 'no error';
      try {
        parseJson(text);
      } catch (e) {
        expect(e).toBeInstanceOf(MError);
        got = (e as MError).message;
      }
      expect({ text, got }).toEqual({ text, got: want.out });
    }
  });

  it('returns bigint integers and number floats', () => {
    expect(parseJson('[1, 1.0, 2e0]')).toEqual([1n, 1, 2]);
    const o = parseJson('{"__proto__": 1}') as Record<string, JsonValue>;
    expect(Object.keys(o)).toEqual(['__proto__']);
  });
});
