import * as fs from 'node:fs';
import { MError } from '@m/core';
import { type Store, openStore } from '@m/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostPkgEvent, type ImportResult, importHostPackage, listHostPackages } from '../src/index';
import { hasBwrap, loadedFiles, rmrf, runBare, tmpDir } from './helpers';

let root: string;
let store: Store;
let coreutils: ImportResult;
const events: HostPkgEvent[] = [];
let firstMs = 0;

beforeAll(() => {
  root = tmpDir('store');
  store = openStore({ root });
  const t0 = performance.now();
  coreutils = importHostPackage(store, 'coreutils', { onEvent: (e) => events.push(e) });
  firstMs = performance.now() - t0;
});

afterAll(() => {
  store?.close();
  if (root) rmrf(root);
});

const byName = (closure: string[], name: string) => closure.find((p) => p.includes(`-${name}-`));

describe('importHostPackage (dpkg)', () => {
  it('imports coreutils as its own path with a closure of library packages down to glibc', () => {
    const { storePath, closure } = coreutils;
    expect(storePath).toMatch(/^\/nix\/store\/[0-9a-z]{32}-coreutils-\d+(\.\d+)+$/);
    expect(closure.at(-1)).toBe(storePath);
    const glibc = byName(closure, 'libc6');
    expect(glibc).toBeDefined();
    expect(closure[0]).toBe(glibc);
    for (const lib of ['libacl1', 'libattr1', 'libselinux1', 'libpcre2-8-0']) expect(byName(closure, lib)).toBeDefined();
    expect(store.references(storePath)).toContain(glibc);
    expect(store.references(byName(closure, 'libselinux1')!)).toContain(byName(closure, 'libpcre2-8-0'));
    for (const p of closure) expect(store.isValid(p)).toBe(true);
    const real = store.realPath(storePath);
    for (const f of ['bin/ls', 'bin/cat', 'bin/sort']) expect(fs.statSync(`${real}/${f}`).isFile()).toBe(true);
    expect(fs.existsSync(`${real}/share/doc`)).toBe(false);
    expect(fs.existsSync(`${real}/share/man`)).toBe(false);
    expect(fs.existsSync(`${store.realPath(glibc!)}/lib/ld-linux-x86-64.so.2`)).toBe(true);
    console.log(`coreutils first import: ${firstMs.toFixed(0)} ms`);
    console.log(store.pathInfo(closure, { closureSize: true }).map((i) => `${i.path} nar=${i.narSize} closure=${i.closureSize}`).join('\n'));
  });

  it.skipIf(!hasBwrap)('runs ls, cat and sort in a sandbox holding only the closure', () => {
    const { storePath, closure } = coreutils;
    const ls = runBare(store, closure, [`${storePath}/bin/ls`, '/nix/store']);
    expect(ls.stderr).toBe('');
    expect(ls.status).toBe(0);
    expect(ls.stdout.trim().split('\n').sort()).toEqual(closure.map((p) => p.slice('/nix/store/'.length)).sort());
    // No /usr, /lib or /bin in there.
    const ls2 = runBare(store, closure, [`${storePath}/bin/ls`, '/']);
    expect(ls2.stdout.trim().split('\n').sort()).toEqual(['dev', 'nix', 'proc']);
    const cat = runBare(store, closure, [`${storePath}/bin/cat`], { input: 'hello\n' });
    expect(cat.stdout).toBe('hello\n');
    const sort = runBare(store, closure, [`${storePath}/bin/sort`], { input: 'b\nc\na\n', env: { LD_DEBUG: 'libs' } });
    expect(sort.status).toBe(0);
    expect(sort.stdout).toBe('a\nb\nc\n');
    const files = loadedFiles(sort.stderr);
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect(f.startsWith('/nix/store/')).toBe(true);
    const inits = sort.stderr.split('\n').filter((l) => l.includes('calling init:'));
    expect(inits.some((l) => l.includes('-libc6-') && l.endsWith('/lib/libc.so.6'))).toBe(true);
  });

  it('is cached: a second import (new handle, same store) plans nothing', () => {
    const t0 = performance.now();
    const again = importHostPackage(store, 'coreutils');
    const memoMs = performance.now() - t0;
    expect(again.storePath).toBe(coreutils.storePath);
    const other = openStore({ root });
    try {
      const seen: HostPkgEvent[] = [];
      const t1 = performance.now();
      const r = importHostPackage(other, 'coreutils', { onEvent: (e) => seen.push(e) });
      const indexMs = performance.now() - t1;
      expect(r.storePath).toBe(coreutils.storePath);
      expect(r.closure).toEqual(coreutils.closure);
      expect(seen.map((e) => e.kind)).toEqual(['cached']);
      console.log(`coreutils again: in-process ${memoMs.toFixed(2)} ms, from the index ${indexMs.toFixed(2)} ms`);
      expect(indexMs).toBeLessThan(500);
    } finally {
      other.close();
    }
  });

  it.skipIf(!hasBwrap)('imports bash, reusing the cached glibc, and runs it bare', () => {
    const seen: HostPkgEvent[] = [];
    const bash = importHostPackage(store, 'bash', { onEvent: (e) => seen.push(e) });
    const glibc = byName(coreutils.closure, 'libc6')!;
    expect(bash.closure).toContain(glibc);
    expect(seen).toContainEqual({ kind: 'cached', package: 'libc6', storePath: glibc });
    expect(byName(bash.closure, 'libtinfo6')).toBeDefined();
    const r = runBare(store, bash.closure, [`${bash.storePath}/bin/bash`, '-c', 'echo $((6 * 7)); x=(a b); echo ${#x[@]}']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('42\n2\n');
  });

  it('names an unknown package, with close matches', () => {
    let err: unknown;
    try {
      importHostPackage(store, 'coreutilz');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MError);
    expect((err as MError).code).toBe('MISSING_ATTR');
    expect((err as MError).message).toBe("host package 'coreutilz' is not installed");
    expect((err as MError).hint).toContain("'coreutils'");
  });

  it('lists host packages', () => {
    const names = listHostPackages();
    expect(names).toContain('coreutils');
    expect(names).toContain('libc6');
  });
});
