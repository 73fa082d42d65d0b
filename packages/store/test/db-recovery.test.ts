import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { emptyDerivation } from '@m/nix-compat';
import { openStore, type Store } from '../src/index';
import { scanForHashes } from '../src/rebuild';
import { rmrf, tmpDir } from './helpers';

let work: string;
beforeAll(() => {
  work = tmpDir('dbrec');
});
afterAll(() => rmrf(work));

/** A store with every kind of path: texts with references, flat and recursive sources, a .drv and its outputs. */
function populate(root: string): { all: string[]; unrooted: string[] } {
  const s = openStore({ root });
  const c = s.addText('c', 'c');
  const b = s.addText('b', `b ${c}`, [c]);
  const src = path.join(work, `src-${path.basename(root)}`);
  fs.mkdirSync(path.join(src, 'dir'), { recursive: true });
  fs.writeFileSync(path.join(src, 'dir', 'f'), `mentions ${b}`);
  fs.symlinkSync('f', path.join(src, 'dir', 'link'));
  const tree = s.addPath({ name: 'tree', srcPath: path.join(src, 'dir') });
  const flat = s.addPath({ name: 'flat', srcPath: path.join(src, 'dir', 'f'), method: 'flat' });
  const drv = emptyDerivation();
  const out = '/nix/store/7wwbzzf61jzi022s6scm558lby88na7n-thing';
  drv.outputs.set('out', { path: out, hashAlgo: '', hash: '' });
  drv.inputSrcs.add(b);
  drv.platform = 'x86_64-linux';
  drv.builder = '/bin/sh';
  drv.env.set('name', 'thing');
  drv.env.set('out', out);
  const drvPath = s.writeDerivation(drv);
  const staging = path.join(s.makeTempDir(), 'out');
  fs.mkdirSync(staging);
  // References b, and itself.
  fs.writeFileSync(path.join(staging, 'refs'), `${b} ${out}`);
  s.registerOutputs([{ path: out, references: [b, out], deriver: drvPath, from: staging }]);
  s.addGcRoot(out);
  s.close();
  return { all: [b, c, tree, flat, drvPath, out].sort(), unrooted: [tree, flat].sort() };
}

function snapshot(s: Store, paths: string[]) {
  return paths.map((p) => {
    const { registrationTime: _t, ...info } = s.queryPathInfo(p)!;
    return { info, drvOutputs: [...s.derivationOutputs(p)] };
  });
}

describe('a lost database', () => {
  test('a missing database of a non-empty store is an error naming the file; nothing is created', () => {
    const root = path.join(work, 'missing');
    populate(root);
    const db = path.join(root, '.m', 'db.sqlite');
    fs.rmSync(db);
    expect(() => openStore({ root })).toThrow(`the store database '${db}' is missing, but the store '${root}' is not empty`);
    expect(fs.existsSync(db)).toBe(false);
  });

  test('a fresh store (or an empty database file in one) initialises silently', () => {
    const root = path.join(work, 'fresh');
    openStore({ root }).close();
    fs.truncateSync(path.join(root, '.m', 'db.sqlite'), 0);
    const s = openStore({ root });
    expect(s.gc().deleted).toEqual([]);
    s.close();
  });

  test('--repair rebuilds exactly what the database held; gc refuses until then', () => {
    const root = path.join(work, 'rebuild');
    const { all, unrooted } = populate(root);
    const before = (() => {
      const s = openStore({ root });
      const snap = snapshot(s, all);
      s.close();
      return snap;
    })();
    const db = path.join(root, '.m', 'db.sqlite');
    fs.writeFileSync(db, 'not a database at all, just some text that is long enough to be read as a header...........');
    expect(() => openStore({ root })).toThrow(/is corrupt \(not an SQLite database\)/);

    const r = openStore({ root, rebuildDatabase: true });
    expect(() => r.gc()).toThrow(/refusing to collect garbage/);
    r.close();
    // A rebuild that has not run yet is still pending for every other opener.
    expect(() => openStore({ root })).toThrow(/is incomplete/);

    const s = openStore({ root, rebuildDatabase: true });
    const v = s.verify({ repair: true, checkContents: true });
    expect(v.rebuilt).toEqual(all);
    expect(v.ok).toBe(true);
    expect(snapshot(s, all)).toEqual(before);
    s.close();
    expect(fs.readdirSync(path.join(root, '.m')).filter((n) => n.startsWith('db.sqlite.broken-'))).toHaveLength(1);

    // The root survived the loss: only what nothing roots is garbage.
    const g = openStore({ root });
    expect(g.gc().deleted).toEqual(unrooted);
    g.close();
  });

  test('damage that opening does not see (an index page) is a clean error, and --repair rebuilds', () => {
    const root = path.join(work, 'index');
    const { all } = populate(root);
    const db = path.join(root, '.m', 'db.sqlite');
    const fd = fs.openSync(db, 'r+');
    const header = Buffer.alloc(100);
    fs.readSync(fd, header, 0, 100, 0);
    const pageSize = header.readUInt16BE(16);
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, 2 * pageSize); // page 3: the index on path
    fs.closeSync(fd);
    const s = openStore({ root });
    expect(() => all.map((p) => s.isValid(p))).toThrow(`the store database '${db}' is corrupt`);
    s.close();
    const r = openStore({ root, rebuildDatabase: true });
    expect(r.verify({ repair: true }).rebuilt).toEqual(all);
    r.close();
    const g = openStore({ root });
    expect(all.every((p) => g.isValid(p))).toBe(true);
    g.close();
  });
});

describe('reference scanning', () => {
  test('finds hash parts anywhere, also across chunk boundaries', () => {
    const h1 = '0123456789abcdfghijklmnpqrsvwxyz';
    const h2 = 'zyxwvsrqpnmlkjihgfdcba9876543210';
    const text = `xx/nix/store/${h1}-a yy ${h2}zzz`;
    const known = new Set([h1, h2, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']);
    for (let cut = 0; cut <= text.length; cut++) {
      const chunks = [Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))];
      expect([...scanForHashes(chunks, known)].sort(), `cut at ${cut}`).toEqual([h1, h2].sort());
    }
  });
});
