import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MError } from '@m/core';
import { fromUtf8 } from '@m/nix-compat';
import {
  byteLength,
  byteSubstring,
  compareVersions,
  createXmlWriter,
  escapeNixString,
  parseDrvName,
  replaceStrings,
  splitVersion,
  xmlEscape,
} from '../src/pure/strings';
import { hashString } from '../src/pure/hashes';
import { formatFloat } from '../src/pure/float';
import { nixStr } from './nix-literal';

function nix(expr: string, json = true): string {
  const args = ['--eval', '--strict', ...(json ? ['--json'] : []), '-E', expr];
  const r = spawnSync('nix-instantiate', args);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  // Nix prints string bytes raw: decode them as m represents strings (non-UTF-8 bytes escaped)
  return fromUtf8(r.stdout).trim();
}
const nixJson = (expr: string): unknown => JSON.parse(nix(expr));

const VERSIONS: [string, string][] = [
  ['1.0', '2.3'], ['2.1', '2.3'], ['2.3', '2.3'], ['2.5', '2.3'], ['3.1', '2.3'], ['2.3.1', '2.3'],
  ['2.3.1', '2.3a'], ['2.3pre1', '2.3'], ['2.3pre3', '2.3pre12'], ['2.3a', '2.3c'], ['2.3pre1', '2.3c'],
  ['2.3pre1', '2.3q'], ['1.0', '1.0.0'], ['1.0-rc1', '1.0'], ['1_0', '1.0'], ['a', 'b'], ['', '1'],
  ['1', ''], ['01', '1'], ['2147483648', '2147483647'], ['99999999999', '9'], ['1.2.3', '1.2-3'],
  ['alpha', 'pre'], ['pre', 'pre'], ['1..2', '1.2'], ['1.2.3-pre', '1.2.3'], ['B', 'a'],
  ['é', 'e'], ['0.9', '0.10'], ['unstable-2021-01-01', '2021'],
];

const DRV_NAMES = [
  'hello-2.10', 'apache-httpd-2.0.48', 'nix-unstable-2021-05-03', 'foo', 'foo-bar', 'foo-bar-1',
  'foo-', '-1', 'foo--1', 'foo-1-2-3', 'a-b-c-1.0pre', 'perl-5.32.1-bin', 'x-_y', 'x-.y', 'é-1',
  'python3.9-numpy-1.20.3', 'glibc-2.33-50', 'foo-B1', 'foo-1b', '',
];

const REPLACE: [string[], string[], string][] = [
  [['a'], ['b'], 'aaa'],
  [['oo', 'o'], ['0', '1'], 'foooo'],
  [['o', 'oo'], ['1', '0'], 'foooo'],
  [[''], ['-'], 'abc'],
  [[''], ['-'], ''],
  [['a', ''], ['X', '-'], 'bab'],
  [['', 'a'], ['-', 'X'], 'bab'],
  [['ab', 'b'], ['', 'B'], 'abbab'],
  [[], [], 'same'],
  [['${'], ['$'], 'a${b}'],
  [['é'], ['e'], 'café é'],
  [['\n'], ['\\n'], 'l1\nl2\n'],
  [['abc'], ['x'], 'ab'],
];

const SUBSTRINGS: [number, number, string][] = [
  [0, 3, 'nixos'], [2, 100, 'nixos'], [5, 1, 'nixos'], [9, 1, 'nixos'], [1, -1, 'nixos'],
  [0, 0, 'abc'], [0, 2, 'héllo'], [3, 2, 'héllo'], [1, 2, 'héllo'], [0, 4, '€uro'], [3, 3, '€uro'],
];

const PRINT_STRINGS = [
  'plain', 'q"uote', 'back\\slash', 'nl\nline', 'tab\tx', 'cr\rx', '${x}', '$x', '$', 'a$${b}',
  '$$', 'é€😀', '\x01\x7f', '',
];

describe('strings', () => {
  it('compareVersions agrees with Nix', () => {
    const want = nixJson(`[ ${VERSIONS.map(([a, b]) => `(builtins.compareVersions ${nixStr(a)} ${nixStr(b)})`).join(' ')} ]`);
    expect(VERSIONS.map(([a, b]) => compareVersions(a, b))).toEqual(want);
  });

  it('splitVersion agrees with Nix', () => {
    const all = [...VERSIONS.flat(), ...DRV_NAMES];
    const want = nixJson(`map builtins.splitVersion [ ${all.map(nixStr).join(' ')} ]`);
    expect(all.map(splitVersion)).toEqual(want);
  });

  it('parseDrvName agrees with Nix', () => {
    const want = nixJson(`map builtins.parseDrvName [ ${DRV_NAMES.map(nixStr).join(' ')} ]`);
    expect(DRV_NAMES.map(parseDrvName)).toEqual(want);
  });

  it('replaceStrings agrees with Nix', () => {
    const list = (xs: string[]) => `[ ${xs.map(nixStr).join(' ')} ]`;
    const want = nixJson(`[ ${REPLACE.map(([f, t, s]) => `(builtins.replaceStrings ${list(f)} ${list(t)} ${nixStr(s)})`).join(' ')} ]`);
    expect(REPLACE.map(([f, t, s]) => replaceStrings(f, t, s))).toEqual(want);
    expect(() => replaceStrings(['a'], [], 'a')).toThrow(
      "'from' and 'to' arguments to 'replaceStrings' have different lengths",
    );
  });

  it('substring and stringLength use bytes like Nix', () => {
    const want = nixJson(`[ ${SUBSTRINGS.map(([a, b, s]) => `(builtins.substring ${a} (${b}) ${nixStr(s)})`).join(' ')} ]`);
    expect(SUBSTRINGS.map(([a, b, s]) => byteSubstring(a, b, s))).toEqual(want);
    const strs = ['', 'abc', 'é', '€', '😀', 'héllo wörld'];
    expect(strs.map(byteLength)).toEqual(nixJson(`map builtins.stringLength [ ${strs.map(nixStr).join(' ')} ]`));
    expect(() => byteSubstring(-1, 1, 'abc')).toThrow(MError);
  });

  it('escapeNixString prints like nix-instantiate', () => {
    const want = nix(`[ ${PRINT_STRINGS.map(nixStr).join(' ')} ]`, false);
    expect(`[ ${PRINT_STRINGS.map(escapeNixString).join(' ')} ]`).toBe(want);
  });

  it('hashString agrees with Nix', () => {
    const inputs = ['', 'abc', 'héllo\n', 'x'.repeat(1000)];
    const types = ['md5', 'sha1', 'sha256', 'sha512'];
    const exprs = types.flatMap((t) => inputs.map((s) => `(builtins.hashString "${t}" ${nixStr(s)})`));
    const want = nixJson(`[ ${exprs.join(' ')} ]`);
    expect(types.flatMap((t) => inputs.map((s) => hashString(t, s)))).toEqual(want);
    expect(() => hashString('sha3', 'x')).toThrow("unknown hash algorithm 'sha3'");
  });

  it('the XML writer reproduces builtins.toXML layout', () => {
    const want = nixJson(
      'builtins.toXML { a = "x<\\"&>\\n\'é"; b = [ 1 true null 1.5 ]; c = {}; }',
    );
    const w = createXmlWriter();
    w.openElement('expr');
    w.openElement('attrs');
    w.openElement('attr', { name: 'a' });
    w.writeEmptyElement('string', { value: 'x<"&>\n\'é' });
    w.closeElement();
    w.openElement('attr', { name: 'b' });
    w.openElement('list');
    w.writeEmptyElement('int', { value: '1' });
    w.writeEmptyElement('bool', { value: 'true' });
    w.writeEmptyElement('null');
    w.writeEmptyElement('float', { value: formatFloat(1.5) });
    w.closeElement();
    w.closeElement();
    w.openElement('attr', { name: 'c' });
    // Nix writes an empty attribute set as an open/close pair, not an empty element
    w.openElement('attrs');
    w.closeElement();
    expect(w.finish()).toBe(want);
    expect(xmlEscape('<a href="x">&\n')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#xA;');
  });

  it('the XML writer sorts attributes by name', () => {
    const w = createXmlWriter();
    w.writeEmptyElement('attr', { name: 'x', line: '1', column: '2', path: '/p' });
    expect(w.finish()).toBe(
      "<?xml version='1.0' encoding='utf-8'?>\n<attr column=\"2\" line=\"1\" name=\"x\" path=\"/p\" />\n",
    );
  });
});
