import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MError } from '@m/core';
import { parseDerivation } from '@m/nix-compat';
import { CANONICAL_MTIME, type Store, openStore } from '../src/index';
import { listMeta, makeSampleTree, nix, nixEval, nixStr, rmrf, tmpDir } from './helpers';

let work: string;
let src: string;
let store: Store;

beforeAll(() => {
  work = tmpDir('add');
  src = makeSampleTree(path.join(work, 'src'));
  store = openStore({ root: path.join(work, 'store') });
});

afterAll(() => {
  store.close();
  rmrf(work);
});

describe('addPath matches Nix', () => {
  test('directory tree, recursive', () => {
    const expected = nixEval(`builtins.path { path = ${src}; name = "x"; }`);
    const p = store.addPath({ name: 'x', srcPath: src });
    expect(p).toBe(expected);
    expect(store.isValid(p)).toBe(true);
    const info = store.queryPathInfo(p)!;
    // Nix registered its own copy: same NAR hash and size.
    expect(info.narHash).toBe(nix('nix-store', ['--query', '--hash', expected]));
    expect(String(info.narSize)).toBe(nix('nix-store', ['--query', '--size', expected]));
    expect(info.ca).toBe(`fixed:r:${info.narHash}`);
    expect(info.references).toEqual([]);
  });

  test('single file, recursive and flat', () => {
    const file = path.join(src, 'run.sh');
    expect(store.addPath({ name: 'r', srcPath: file })).toBe(
      nixEval(`builtins.path { path = ${file}; name = "r"; }`),
    );
    const flat = store.addPath({ name: 'f', srcPath: file, method: 'flat' });
    expect(flat).toBe(nixEval(`builtins.path { path = ${file}; name = "f"; recursive = false; }`));
    // Flat content is stored non-executable.
    expect(fs.statSync(store.realPath(flat)).mode & 0o777).toBe(0o444);
    expect(fs.readFileSync(store.realPath(flat), 'utf8')).toBe('#!/bin/sh\necho hi\n');
  });

  test('a symlink as the root is stored as a symlink', () => {
    const link = path.join(src, 'link');
    const p = store.addPath({ name: 'l', srcPath: link });
    expect(p).toBe(nixEval(`builtins.path { path = ${link}; name = "l"; }`));
    expect(fs.readlinkSync(store.realPath(p))).toBe('a.txt');
    expect(Math.floor(fs.lstatSync(store.realPath(p)).mtimeMs / 1000)).toBe(CANONICAL_MTIME);
    expect(store.queryPathInfo(p)!.narHash).toBe(nix('nix-store', ['--query', '--hash', p]));
  });

  test('filter', () => {
    const filterNix = `(p: t: baseNameOf p != "skip-me" && t != "symlink")`;
    const expected = nixEval(`builtins.path { path = ${src}; name = "filtered"; filter = ${filterNix}; }`);
    const p = store.addPath({
      name: 'filtered',
      srcPath: src,
      filter: (p, t) => path.basename(p) !== 'skip-me' && t !== 'symlink',
    });
    expect(p).toBe(expected);
    expect(fs.existsSync(path.join(store.realPath(p), 'skip-me'))).toBe(false);
    expect(fs.existsSync(path.join(store.realPath(p), 'sub', 'b'))).toBe(true);
    expect(store.computeAddPath({ name: 'filtered', srcPath: src, filter: (p, t) => path.basename(p) !== 'skip-me' && t !== 'symlink' })).toBe(p);
  });

  test('toFile, with and without references', () => {
    expect(store.addText('t', 'hello')).toBe(nixEval(`builtins.toFile "t" "hello"`));
    const dep = store.addPath({ name: 'x', srcPath: src });
    const text = `uses ${dep}\n`;
    const expected = nixEval(`builtins.toFile "t2" "uses \${builtins.path { path = ${src}; name = "x"; }}\n"`);
    const p = store.addText('t2', text, [dep]);
    expect(p).toBe(expected);
    expect(store.references(p)).toEqual([dep]);
    expect(store.referrers(dep)).toContain(p);
    expect(store.queryPathInfo(p)!.ca).toMatch(/^text:sha256:[0-9a-z]{52}$/);
  });

  test('writeDerivation gives the .drv path Nix wrote', () => {
    const dep = store.addText('builder.sh', 'echo hi > $out\n');
    const expr = `derivation { name = "demo"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ ${nixStr(
      '',
    )} (builtins.toFile "builder.sh" "echo hi > $out\\n") ]; outputs = [ "out" "dev" ]; }`;
    const drvPath = nixEval(`(${expr}).drvPath`);
    const drv = parseDerivation(fs.readFileSync(drvPath, 'utf8'));
    expect([...drv.inputSrcs]).toEqual([dep]);
    const p = store.writeDerivation(drv, 'demo');
    expect(p).toBe(drvPath);
    expect(fs.readFileSync(store.realPath(p), 'utf8')).toBe(fs.readFileSync(drvPath, 'utf8'));
    expect(store.references(p)).toEqual([dep]);
    const outs = store.derivationOutputs(p);
    expect([...outs.keys()]).toEqual(['dev', 'out']);
    expect(outs.get('out')).toBe(nixEval(`(${expr}).outPath`));
    expect(store.derivers(outs.get('out')!)).toEqual([p]);
  });
});

describe('stored trees are canonical', () => {
  test('modes 0444/0555, mtime 1, no setuid', () => {
    const p = store.addPath({ name: 'x', srcPath: src });
    const meta = listMeta(store.realPath(p));
    expect(meta.length).toBeGreaterThan(10);
    for (const m of meta) {
      expect(m.mtime, m.path).toBe(CANONICAL_MTIME);
      if (m.kind === 'dir') expect(m.mode, m.path).toBe(0o555);
      if (m.kind === 'file') expect([0o444, 0o555], m.path).toContain(m.mode);
    }
    const mode = (n: string) => meta.find((m) => m.path.endsWith('/' + n))!.mode;
    expect(mode('run.sh')).toBe(0o555);
    expect(mode('setuid')).toBe(0o555);
    expect(mode('a.txt')).toBe(0o444);
    expect(fs.readlinkSync(path.join(store.realPath(p), 'dangling'))).toBe('/nonexistent/target');
  });

  test('fifos are refused with an MError, and nothing is registered', () => {
    const dir = path.join(work, 'with-fifo');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ok'), 'ok');
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    let err: unknown;
    try {
      store.addPath({ name: 'fifo', srcPath: dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MError);
    expect((err as MError).code).toBe('STORE_ERROR');
    expect((err as MError).message).toBe(`file '${path.join(dir, 'pipe')}' has an unsupported type`);
    // Filtering the fifo out makes it acceptable.
    const p = store.addPath({ name: 'fifo', srcPath: dir, filter: (q) => !q.endsWith('/pipe') });
    expect(fs.readdirSync(store.realPath(p))).toEqual(['ok']);
  });

  test('bad names are refused', () => {
    expect(() => store.addText('', 'x')).toThrow(MError);
    expect(store.addText('.hidden', 'x')).toBe(nixEval(`builtins.toFile ".hidden" "x"`));
    expect(() => store.addText('a b', 'x')).toThrow(/illegal character/);
  });

  test('a path on disk but not in the database is garbage and is replaced', () => {
    const dir = path.join(work, 'g');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'f'), 'the real content');
    const expected = store.computeAddPath({ name: 'g', srcPath: dir });
    const real = store.realPath(expected);
    fs.mkdirSync(real);
    fs.writeFileSync(path.join(real, 'junk'), 'partial');
    fs.chmodSync(real, 0o555);
    expect(store.isValid(expected)).toBe(false);
    expect(store.addPath({ name: 'g', srcPath: dir })).toBe(expected);
    expect(fs.readdirSync(real)).toEqual(['f']);
    expect(store.verify({ checkContents: true }).corrupt).toEqual([]);
  });

  test('references must be valid', () => {
    const bogus = '/nix/store/00000000000000000000000000000000-nothing';
    expect(() => store.addText('r', bogus, [bogus])).toThrow(`path '${bogus}' is not valid`);
  });
});

describe('queries', () => {
  test('closure is topological, pathInfo sizes, whyDepends', () => {
    const leaf = store.addText('leaf', 'leaf');
    const mid = store.addText('mid', `mid ${leaf}`, [leaf]);
    const other = store.addText('other', `other ${leaf}`, [leaf]);
    const top = store.addText('top', `top ${mid} ${other}`, [mid, other]);
    const cl = store.closure([top]);
    expect(new Set(cl)).toEqual(new Set([leaf, mid, other, top]));
    expect(cl.indexOf(leaf)).toBeLessThan(cl.indexOf(mid));
    expect(cl.indexOf(mid)).toBeLessThan(cl.indexOf(top));
    expect(cl.indexOf(other)).toBeLessThan(cl.indexOf(top));

    const [info] = store.pathInfo([top], { closureSize: true });
    const sum = cl.reduce((n, p) => n + store.queryPathInfo(p)!.narSize, 0);
    expect(info!.closureSize).toBe(sum);
    expect(store.pathInfo([top], { recursive: true }).map((i) => i.path)).toEqual([...cl].sort());
    expect(() => store.pathInfo(['/nix/store/00000000000000000000000000000000-x'])).toThrow(/is not valid/);

    const why = store.whyDepends(top, leaf, { precise: true });
    expect(why.depends).toBe(true);
    expect(why.chain.length).toBe(3);
    expect(why.chain[0]).toBe(top);
    expect(why.chain[2]).toBe(leaf);
    expect(why.edges[0]!.hits![0]!.file).toBe('');
    expect(store.whyDepends(top, leaf, { all: true }).edges.length).toBe(4);
    expect(store.whyDepends(leaf, top).depends).toBe(false);
  });
});
