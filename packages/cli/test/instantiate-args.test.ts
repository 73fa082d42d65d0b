import { describe, expect, it } from 'vitest';
import { parseInstantiateArgs, parseNixPathVar, toSearchPathEntry } from '../src/instantiate-args';

function usage(argv: string[]): string {
  try {
    parseInstantiateArgs(argv);
  } catch (e) {
    return (e as { message: string }).message;
  }
  return 'no error';
}

describe('parseInstantiateArgs', () => {
  it('defaults', () => {
    const o = parseInstantiateArgs([]);
    expect(o.files).toEqual([]);
    expect(o.evalOnly).toBe(false);
    expect(o.output).toBe('plain');
    expect(o.xmlLocation).toBe(true);
  });

  it('modes and outputs', () => {
    const o = parseInstantiateArgs(['--eval', '--strict', '--json', '-E', '1 + 2', '--no-location']);
    expect(o).toMatchObject({ evalOnly: true, strict: true, output: 'json', fromArgs: true, files: ['1 + 2'], xmlLocation: false });
    expect(parseInstantiateArgs(['--parse']).parseOnly).toBe(true);
    expect(parseInstantiateArgs(['--parse']).evalOnly).toBe(true);
    expect(parseInstantiateArgs(['--xml', '--eval']).output).toBe('xml');
    expect(parseInstantiateArgs(['--eval-only']).evalOnly).toBe(true);
    expect(parseInstantiateArgs(['-']).readStdin).toBe(true);
  });

  it('attribute paths, auto arguments, includes, store', () => {
    const o = parseInstantiateArgs([
      '-A', 'a.b', '--attr', 'c', '--arg', 'x', '1 + 1', '--argstr', 'y', 'hello',
      '-I', 'nixpkgs=/p', '-I/q', '--include', 'r', '--store', '/tmp/s', '--show-trace', 'f.nix',
    ]);
    expect(o.attrPaths).toEqual(['a.b', 'c']);
    expect(o.autoArgs).toEqual([
      { name: 'x', kind: 'expr', value: '1 + 1' },
      { name: 'y', kind: 'str', value: 'hello' },
    ]);
    expect(o.includes).toEqual(['nixpkgs=/p', '/q', 'r']);
    expect(o.store).toBe('/tmp/s');
    expect(o.showTrace).toBe(true);
    expect(o.files).toEqual(['f.nix']);
  });

  it('accepts compatibility flags', () => {
    const o = parseInstantiateArgs(['--read-write-mode', '--add-root', '/tmp/r', '--indirect', '--option', 'a', 'b', '-v', '--quiet', '-j', '4', '--no-gc-warning', '--pure-eval', '--impure']);
    expect(o.readWrite).toBe(true);
    expect(o.addRoot).toBe('/tmp/r');
    expect(o.noGcWarning).toBe(true);
  });

  it('expands compound short flags like Nix', () => {
    expect(usage(['-Afoo'])).toBe("unrecognised flag '-o'");
    expect(parseInstantiateArgs(['-AE', 'x']).attrPaths).toEqual(['-E']);
    expect(parseInstantiateArgs(['-j3']).files).toEqual([]);
    expect(parseInstantiateArgs(['-I/x/y']).includes).toEqual(['/x/y']);
  });

  it('reports bad flags with Nix wording', () => {
    expect(usage(['--foo'])).toBe("unrecognised flag '--foo'");
    expect(usage(['-A'])).toBe("'-A' requires an argument");
    expect(usage(['--attr'])).toBe("'--attr' requires an argument");
    expect(usage(['--arg', 'x'])).toBe("flag '--arg' requires 2 argument(s)");
    expect(usage(['-I'])).toBe("flag '-I' requires 1 argument(s)");
    expect(usage(['--', '--foo'])).toBe("unexpected argument '--foo'");
    expect(usage(['--', '-A'])).toBe("'-A' requires an argument");
  });

  it('treats everything after -- as files', () => {
    expect(parseInstantiateArgs(['--', 'a.nix', 'b.nix']).files).toEqual(['a.nix', 'b.nix']);
  });
});

describe('NIX_PATH', () => {
  it('splits at colons and keeps URIs whole', () => {
    expect(parseNixPathVar('a=/x:/y:b=https://example.org/t.tar.gz:c=/z')).toEqual([
      'a=/x', '/y', 'b=https://example.org/t.tar.gz', 'c=/z',
    ]);
    expect(parseNixPathVar('')).toEqual([]);
    expect(parseNixPathVar('/a::/b')).toEqual(['/a', '', '/b']);
  });

  it('splits prefix=path at the first =', () => {
    expect(toSearchPathEntry('nixpkgs=/a=b')).toEqual({ prefix: 'nixpkgs', path: '/a=b' });
    expect(toSearchPathEntry('/p')).toEqual({ prefix: '', path: '/p' });
  });
});
