import { existsSync } from 'node:fs';
import { MError } from '@m/core';
import { type Store, openStore } from '@m/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHostPackage } from '../src/index';
import { hasBwrap, loadedFiles, rmrf, runBare, tmpDir } from './helpers';

let root: string;
let store: Store;

beforeAll(() => {
  root = tmpDir('fallback');
  store = openStore({ root });
});

afterAll(() => {
  store?.close();
  if (root) rmrf(root);
});

describe("importHostPackage { source: 'path' } (hosts without dpkg)", () => {
  it.skipIf(!hasBwrap)('imports a program from PATH with its ldd libraries and runs it bare', () => {
    const r = importHostPackage(store, 'bash', { source: 'path' });
    expect(r.storePath).toMatch(/-bash-host$/);
    const glibc = r.closure.find((p) => p.endsWith('-glibc-host'));
    expect(glibc).toBeDefined();
    expect(store.references(r.storePath)).toContain(glibc);
    const run = runBare(store, r.closure, [`${r.storePath}/bin/bash`, '-c', 'echo ok $((1 + 2))'], { env: { LD_DEBUG: 'libs' } });
    expect(run.stdout).toBe('ok 3\n');
    for (const f of loadedFiles(run.stderr)) expect(f.startsWith('/nix/store/')).toBe(true);
  });

  it.skipIf(!hasBwrap || !process.env.PATH?.split(':').some((d) => existsSync(`${d}/busybox`)))(
    'imports a static program (busybox) as a single path',
    () => {
      const r = importHostPackage(store, 'busybox', { source: 'path' });
      expect(r.closure).toEqual([r.storePath]);
      const run = runBare(store, r.closure, [`${r.storePath}/bin/busybox`, 'echo', 'hi']);
      expect(run.stdout).toBe('hi\n');
    },
  );

  it('reports a program that is not on PATH', () => {
    expect(() => importHostPackage(store, 'no-such-program-xyz', { source: 'path' })).toThrowError(MError);
    expect(() => importHostPackage(store, 'no-such-program-xyz', { source: 'path' })).toThrowError(/'no-such-program-xyz'/);
  });
});
