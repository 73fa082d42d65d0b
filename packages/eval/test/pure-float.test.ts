import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { floatToString, formatFloat, formatG } from '../src/pure/float';
import { escapeJsonString, formatJsonFloat } from '../src/pure/json';

function nix(expr: string, json = false): string {
  const args = ['--eval', '--strict', ...(json ? ['--json'] : []), '-E', expr];
  const r = spawnSync('nix-instantiate', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

/** A Nix expression denoting exactly the double x. */
function nixFloat(x: number): string {
  const [m, e] = Math.abs(x).toExponential().split('e');
  const lit = `${m.includes('.') ? m : m + '.0'}e${e}`;
  return x < 0 ? `(0 - ${lit})` : lit;
}

const VALUES: number[] = [
  0, 1, 1.5, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 10, 100, 123456, 1234567, 123456.5, 1234565, 999999.5,
  9999995, 0.5, 2.5, 1e-4, 1e-5, 1.5e-7, 0.00012345, 0.000123456789, 1e20, 1e21, 1e100, 1e300,
  1.7976931348623157e308, 2.2250738585072014e-308, 3.14159265358979, 2.718281828,
  -1, -1.5, -0.001, -1e-10, -123456789, 42.42, 1e15, 1e16, 123.456, 0.999999, 0.9999995,
  0.99999949, 99999.95, 1e6, 1e5, 100000.5, 6.02e23, 1.0000005, 4.35, 0.15, 0.25, 0.35, 1024.5,
  7.0e-5, 12345.678, 65536, 4294967296, 9007199254740993,
];

describe('float formatting', () => {
  it('formatFloat agrees with nix-instantiate value printing', () => {
    const out = nix(`[ ${VALUES.map(nixFloat).join(' ')} ]`);
    const expected = out.replace(/^\[ | \]$/g, '').split(' ');
    expect(VALUES.map(formatFloat)).toEqual(expected);
  });

  it('floatToString agrees with builtins.toString', () => {
    const out = JSON.parse(nix(`map builtins.toString [ ${VALUES.map(nixFloat).join(' ')} ]`, true));
    expect(VALUES.map(floatToString)).toEqual(out);
  });

  it('formatJsonFloat agrees with builtins.toJSON', () => {
    const out = JSON.parse(nix(`map builtins.toJSON [ ${VALUES.map(nixFloat).join(' ')} ]`, true));
    expect(VALUES.map(formatJsonFloat)).toEqual(out);
  });

  it('handles infinities, NaN and negative zero like Nix', () => {
    const out = nix(
      'let inf = 1.0e308 * 10; in [ inf (0 - inf) (inf - inf) (0.0 * -1) (builtins.toString inf) (builtins.toString (inf - inf)) (builtins.toJSON (inf - inf)) (builtins.toString (0.0 * -1)) ]',
    );
    const inf = Infinity;
    const nan = [inf][0] - [inf][0];
    const got = `[ ${[formatFloat(inf), formatFloat(-inf), formatFloat(nan), formatFloat(-0)].join(' ')} ${[
      floatToString(inf),
      floatToString(nan),
      formatJsonFloat(nan),
      floatToString(-0),
    ]
      .map((s) => `"${s}"`)
      .join(' ')} ]`;
    expect(got).toBe(out);
  });

  it('formatG supports other precisions', () => {
    expect(formatG(3.14159265, 3)).toBe('3.14');
    expect(formatG(0.5, 0)).toBe('0.5');
    expect(formatG(1234.5, 4)).toBe('1234');
  });

  it('escapeJsonString agrees with builtins.toJSON', () => {
    const strs = ['plain', 'q"uote', 'back\\slash', 'nl\nline', 'tab\t', 'cr\r', '\x01\x1f\x7f', 'é€😀', '${x}', '/'];
    const lits = strs.map(
      (s) =>
        '"' +
        s
          .replace(/\\/g, '\\\\')
          .replace(/"/g, '\\"')
          .replace(/\$/g, '\\$')
          .replace(/\n/g, '\\n')
          .replace(/\r/g, '\\r')
          .replace(/\t/g, '\\t') +
        '"',
    );
    const out = JSON.parse(nix(`map builtins.toJSON [ ${lits.join(' ')} ]`, true));
    expect(strs.map(escapeJsonString)).toEqual(out);
  });
});
