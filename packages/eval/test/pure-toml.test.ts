import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MError } from '@m/core';
import { parseToml, type TomlValue } from '../src/pure/toml';
import { escapeNixString } from '../src/pure/strings';
import { formatFloat } from '../src/pure/float';
import { nixStr } from './nix-literal';

interface NixResult {
  ok: boolean;
  out: string;
}

/** Evaluate each expression with nix-instantiate, in parallel: value text or first error line. */
function nixRunAll(exprs: string[]): Promise<NixResult[]> {
  return Promise.all(
    exprs.map(
      (expr) =>
        new Promise<NixResult>((resolve) => {
          const child = spawn('nix-instantiate', ['--eval', '--strict', '-E', expr]);
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('close', (code) =>
            resolve(code === 0 ? { ok: true, out: out.trim() } : { ok: false, out: /error: (.*)/.exec(err)?.[1] ?? err }),
          );
        }),
    ),
  );
}

const ident = (k: string) => (/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(k) ? k : escapeNixString(k));

/** Render like `nix-instantiate --eval --strict` prints values. */
function show(v: TomlValue): string {
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'string') return escapeNixString(v);
  if (Array.isArray(v)) return v.length === 0 ? '[ ]' : `[ ${v.map(show).join(' ')} ]`;
  const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return keys.length === 0 ? '{ }' : `{ ${keys.map((k) => `${ident(k)} = ${show(v[k])};`).join(' ')} }`;
}

const GOOD = [
  'a = 1\nb = "two"\nc = true\nd = false',
  'x = [1, "a", 2.5, [true], {y = 1}]',
  'a = 0x1F\nb = 0o17\nc = 0b101\nd = 1_000\ne = +inf\nf = -nan\ng = 6.02e23\nh = 1e2\ni = -0.0\nj = nan\nk = -inf\nl = +12\nm = -0',
  'k = 99999999999999999999\nn = -99999999999999999999',
  '[a.b]\nc=1\n[a]\nd=2',
  'a = { x = 1, y.z = 2 }\n"q u" = true\nbare-key_1 = "\\u00e9\\t"',
  '# comment\n\n  key = "value" # trailing\n\n[table] # c\nx.y.z = 3\nx.w = 4',
  "s = '''\nraw \\n text'''\nt = 'lit\\'\nu = \"\"\"\n  multi\\\n    line\"\"\"",
  's = """a ""quoted"" b"""\nt = \'\'\'x\'\'y\'\'\'\'\'',
  '[[fruit]]\nname = "apple"\n[fruit.physical]\ncolor = "red"\n[[fruit.variety]]\nname = "red"\n[[fruit]]\nname = "banana"',
  'arr = [\n  1,\n  2, # two\n  3,\n]\nempty = []\nnested = [[1, 2], ["a"]]',
  '"quoted.key" = 1\n\'lit key\' = 2\n"" = 3',
  'a.b.c = 1\na.d = 2',
  'f1 = 3.14\nf2 = -0.01\nf3 = 5e+22\nf4 = 1e06\nf5 = -2E-2\nf6 = 6.626e-34\nf7 = 224_617.445_991',
  'uni = "\\U0001F600 \\u20AC"\nesc = "\\b\\f\\n\\r\\t\\"\\\\"',
  'i = {}\nj = { a = [] }',
  '1234 = "numeric key"\n-_- = "dash"',
  'a = """\nfirst line\n"""',
  'x = 1\r\ny = 2\r\n',
  '[a]\n[a.b.c]\n[a.b]\nx = 1',
  'truth = true\nfalsehood = false\nmixed = [true, 1, "s"]',
];

const DATES = ['d = 1979-05-27', 'd = 1979-05-27T07:32:00Z', 't = 07:32:00', 'x = [1979-05-27T00:32:00.999999-07:00]'];

const BAD = [
  'a = 1\na = 2', 'a = ', 'a', '= 1', 'a = 1 b = 2', '[a]\n[a]', 'a = {x = 1}\n[a]', 'a = [1, 2',
  'a = "unterminated', 'a = 01', 'a = 1__0', 'a = .5', 'a = 5.', 'a = 0x', 'a = "\\q"', '[a\nb = 1',
  'a = { x = 1, }', 'a = { x = 1\n}', 'a.b = 1\n[a]\nc = 2\n[a]', 'a = tru', 'a = 1\n[[a]]',
  '[[a]]\n[a]', 'a = "x"y', 'a = 1.e5', 's = """\nx', 'a = _1',
];

describe('toml', () => {
  it('parses documents like builtins.fromTOML', async () => {
    const wants = await nixRunAll(GOOD.map((doc) => `builtins.fromTOML ${nixStr(doc)}`));
    for (const [i, doc] of GOOD.entries()) {
      const want = wants[i];
      let got: string;
      try {
        got = show(parseToml(doc));
      } catch (e) {
        got = `error: ${(e as Error).message}`;
      }
      expect({ doc, got }).toEqual({ doc, got: want.ok ? want.out : `error: ${want.out}` });
    }
  });

  it('rejects dates and times like Nix', async () => {
    const wants = await nixRunAll(DATES.map((doc) => `builtins.fromTOML ${nixStr(doc)}`));
    for (const [i, doc] of DATES.entries()) {
      const want = wants[i];
      expect(want.out).toBe('while parsing a TOML string: Dates and times are not supported');
      expect(() => parseToml(doc)).toThrow(want.out);
    }
  });

  it('rejects the documents Nix rejects', async () => {
    const wants = await nixRunAll(BAD.map((doc) => `builtins.fromTOML ${nixStr(doc)}`));
    for (const [i, doc] of BAD.entries()) {
      const want = wants[i];
      expect({ doc, nixRejects: want.ok ? want.out : true }).toEqual({ doc, nixRejects: true });
      let err: unknown;
      try {
        parseToml(doc);
      } catch (e) {
        err = e;
      }
      expect({ doc, isErr: err instanceof MError }).toEqual({ doc, isErr: true });
      expect((err as MError).message).toMatch(/^while parsing a TOML string: \[error\] toml::/);
    }
  });

  it('returns plain JS data', () => {
    expect(parseToml('a = 1\nb = 1.5\nc = [true]')).toEqual({ a: 1n, b: 1.5, c: [true] });
  });
});
