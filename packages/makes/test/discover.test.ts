import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closestOutputs, depHolds, discoverOutputs, plainDirReader, unknownOutputError } from '../src/light';
import { createDepChecker, createDepRecorder } from '../src/deps';
import { makeProject, rmrf } from './helpers';

const dir = makeProject('discover', {
  'makes/main.nix': '{ ... }: 1',
  'makes/foo/main.nix': '{ ... }: 1',
  'makes/foo/bar/main.nix': '{ ... }: 1',
  'makes/foo/bar/other.nix': '{ ... }: 1',
  'makes/.hidden/main.nix': '{ ... }: 1',
  'makes/node_modules/x/main.nix': '{ ... }: 1',
  'makes/empty/README': 'no main.nix here',
  'ci/lint/main.nix': '{ ... }: 1',
  'store/makes/main.nix': '{ ... }: 1',
});
afterAll(() => rmrf(dir));

describe('discoverOutputs', () => {
  it('maps makes/**/main.nix to /, /foo, /foo/bar (hidden folders and node_modules skipped)', () => {
    const found = discoverOutputs(dir, ['/makes'], plainDirReader);
    expect([...found.keys()]).toEqual(['/', '/foo', '/foo/bar']);
    expect(found.get('/foo/bar')).toBe(path.join(dir, 'makes/foo/bar/main.nix'));
  });
  it('searches every extendingMakesDirs entry', () => {
    expect([...discoverOutputs(dir, ['/makes', 'ci', '/missing'], plainDirReader).keys()]).toEqual(['/', '/foo', '/foo/bar', '/lint']);
  });
  it('skips the store directory', () => {
    expect([...discoverOutputs(dir, ['/'], plainDirReader, new Set([path.join(dir, 'store')])).keys()]).toEqual(['/ci/lint', '/makes', '/makes/foo', '/makes/foo/bar']);
  });
});

describe('unknown outputs', () => {
  it('names the closest outputs', () => {
    const names = ['/hello', '/help', '/example', '/foo/bar', '/foo/baz'];
    expect(closestOutputs('/helo', names)).toEqual(['/hello', '/help']);
    expect(closestOutputs('/foo/bat', names)).toEqual(['/foo/bar', '/foo/baz']);
    expect(closestOutputs('/zzzzzzzzz', names)).toEqual([]);
    const e = unknownOutputError('/exmaple', names);
    expect(e.message).toBe("'/exmaple' is not an output of this project");
    expect(e.hint).toBe("Did you mean '/example'?");
  });
});

describe('eval cache dependencies', () => {
  it('hold until the file, listing or variable they describe changes', async () => {
    const { fileHash, listingHash } = await import('../src/deps');
    const f = path.join(dir, 'makes/foo/main.nix');
    const rec = createDepRecorder();
    rec.add({ k: 'file', p: f, h: fileHash(f) });
    rec.add({ k: 'dir', p: path.join(dir, 'makes'), h: listingHash(path.join(dir, 'makes')) });
    rec.add({ k: 'env', n: 'M_TEST_VAR', v: null });
    const env = {};
    expect(rec.list().every((d) => depHolds(d, env))).toBe(true);
    expect(depHolds(rec.list()[2]!, { M_TEST_VAR: 'x' })).toBe(false);
    fs.writeFileSync(f, '{ ... }: 2');
    expect(depHolds(rec.list()[0]!, env)).toBe(false);
    fs.mkdirSync(path.join(dir, 'makes/new'));
    expect(depHolds(rec.list()[1]!, env)).toBe(false);
  });
});

describe('a dep checker', () => {
  it('answers as depHolds, reading each path once for all the lists it checks', async () => {
    const { fileHash, fileTypeOf } = await import('../src/deps');
    const f = path.join(dir, 'makes/foo/bar/other.nix');
    const deps = [
      { k: 'file', p: f, h: fileHash(f) },
      { k: 'type', p: f, t: fileTypeOf(f) },
      { k: 'file', p: f, h: 'stale' },
      { k: 'env', n: 'M_TEST_VAR', v: 'y' },
    ] as const;
    const env = { M_TEST_VAR: 'y' };
    const check = createDepChecker(env);
    expect(deps.map((d) => check(d))).toEqual(deps.map((d) => depHolds(d, env)));
    expect(deps.map((d) => check(d))).toEqual([true, true, false, true]);
    // One moment: a change after the first check is seen by a new checker, not by this one.
    fs.writeFileSync(f, '{ ... }: 3');
    expect(check(deps[0])).toBe(true);
    expect(createDepChecker(env)(deps[0])).toBe(false);
  });
});
